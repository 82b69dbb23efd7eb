/**
 * The control-plane API (distributions, real-time log configs, change markers) on servers that have
 * it. Changes are sent with `dryRun=true` first, to show their diff, and applied only when confirmed;
 * a distribution is changed with the ETag it was read with (If-Match), so a concurrent change is a
 * 409 instead of being overwritten.
 */
import type { ChangeMarker, DistributionChange, DistributionSummary, LogConfigChange, LogConfigView } from './api-types.js';
import type { HttpClient } from './http-client.js';
import { API_BASE } from './stats-api.js';

export type Distribution = NonNullable<DistributionChange['distribution']>;
export type DistributionConfig = Distribution['config'];

export interface DistributionList {
  readonly provider: 'local' | 'aws';
  readonly distributions: readonly DistributionSummary[];
}

export interface LogConfigList {
  readonly provider: 'local' | 'aws';
  readonly configs: readonly LogConfigView[];
}

export interface DistributionRead {
  readonly distribution: Distribution;
  readonly warnings: DistributionChange['warnings'];
  /** The version to send back as If-Match. */
  readonly etag: string;
}

/** A distribution config as a request sends it: members left out take CloudFront's defaults. */
export type DistributionConfigInput = Readonly<Record<string, unknown>>;

export interface NewLogConfig {
  readonly name: string;
  readonly samplingRate: number;
  readonly fields: readonly string[];
  readonly stream: { readonly arn: string } | { readonly create: { readonly name: string } };
  readonly role: { readonly arn: string } | { readonly create: { readonly name: string } };
}

export interface LogConfigUpdate {
  readonly samplingRate?: number;
  readonly fields?: readonly string[];
}

const dry = (dryRun: boolean): Record<string, string> => ({ dryRun: String(dryRun) });

export class ControlPlaneApi {
  constructor(private readonly http: HttpClient) {}

  distributions(signal?: AbortSignal): Promise<DistributionList> {
    return this.http.getJson(`${API_BASE}/distributions`, {}, signal);
  }

  async distribution(id: string, signal?: AbortSignal): Promise<DistributionRead> {
    const { body, etag } = await this.http.getJsonWithEtag<{ distribution: Distribution; warnings: DistributionChange['warnings'] }>(`${API_BASE}/distributions/${encodeURIComponent(id)}`, signal);
    return { ...body, etag: etag ?? body.distribution.etag };
  }

  async createDistribution(config: DistributionConfigInput, dryRun: boolean): Promise<DistributionChange> {
    const { body } = await this.http.sendJson<DistributionChange>('POST', `${API_BASE}/distributions`, dry(dryRun), { config });
    if (body === null) throw new Error('the API answered a distribution change without a body');
    return body;
  }

  async updateDistribution(id: string, etag: string, config: DistributionConfig, dryRun: boolean): Promise<DistributionChange> {
    const { body } = await this.http.sendJson<DistributionChange>('PUT', `${API_BASE}/distributions/${encodeURIComponent(id)}`, dry(dryRun), { config }, { ifMatch: etag });
    if (body === null) throw new Error('the API answered a distribution change without a body');
    return body;
  }

  logConfigs(signal?: AbortSignal): Promise<LogConfigList> {
    return this.http.getJson(`${API_BASE}/realtime-log-configs`, {}, signal);
  }

  async createLogConfig(spec: NewLogConfig, dryRun: boolean): Promise<LogConfigChange> {
    const { body } = await this.http.sendJson<LogConfigChange>('POST', `${API_BASE}/realtime-log-configs`, dry(dryRun), spec);
    if (body === null) throw new Error('the API answered a log-config change without a body');
    return body;
  }

  async updateLogConfig(name: string, update: LogConfigUpdate, dryRun: boolean): Promise<LogConfigChange> {
    const { body } = await this.http.sendJson<LogConfigChange>('PUT', `${API_BASE}/realtime-log-configs/${encodeURIComponent(name)}`, dry(dryRun), update);
    if (body === null) throw new Error('the API answered a log-config change without a body');
    return body;
  }

  changes(params: { readonly from: string; readonly to: string; readonly distribution?: string }, signal?: AbortSignal): Promise<{ readonly markers: readonly ChangeMarker[] }> {
    const query: Record<string, string> = { from: params.from, to: params.to };
    if (params.distribution !== undefined && params.distribution !== '') query.distribution = params.distribution;
    return this.http.getJson(`${API_BASE}/changes`, query, signal);
  }
}
