/**
 * Typed calls of the stats routes, /definitions, /whoami and the public contract (/openapi.json,
 * read to learn which optional parts — alerts, the control plane — this server has).
 */
import type {
  BreakdownResponse,
  CompareResponse,
  ComparePeriod,
  Definitions,
  DimensionName,
  GeoResponse,
  IntervalName,
  PercentileName,
  SummaryResponse,
  TimeseriesMetric,
  TimeseriesRank,
  TimeseriesResponse,
  TopDimension,
  TopOrder,
  TopResponse,
  VideoStatsResponse,
  WhoAmI,
} from './api-types.js';
import type { HttpClient } from './http-client.js';

export const API_BASE = '/api/v1';

export interface TimeseriesQuery {
  readonly metric: TimeseriesMetric;
  readonly interval?: IntervalName;
  readonly groupBy?: DimensionName;
  readonly top?: number;
  /** Ranks the groupBy values for the top series (default requests). */
  readonly rankBy?: TimeseriesRank;
  /** One percentile, or several comma-separated (one series each, keyed p50/p95/p99). */
  readonly percentile?: PercentileName | `${PercentileName},${string}`;
}

export interface BreakdownQuery {
  readonly by: readonly [DimensionName, DimensionName];
  /** Values kept per dimension. */
  readonly top?: number;
}

export interface TopQuery {
  readonly dimension: TopDimension;
  readonly limit?: number;
  readonly orderBy?: TopOrder;
}

export interface Capabilities {
  /** GET /api/v1/alerts exists. */
  readonly alerts: boolean;
  /** Distribution and log-config routes exist. */
  readonly controlPlane: boolean;
  /** GET /api/v1/imports exists (servers that run imports). */
  readonly imports: boolean;
}

type Params = Readonly<Record<string, string>>;

export class StatsApi {
  constructor(private readonly http: HttpClient) {}

  summary(params: Params, signal?: AbortSignal): Promise<SummaryResponse> {
    return this.http.getJson(`${API_BASE}/stats/summary`, params, signal);
  }

  timeseries(params: Params, query: TimeseriesQuery, signal?: AbortSignal): Promise<TimeseriesResponse> {
    return this.http.getJson(`${API_BASE}/stats/timeseries`, { ...params, ...query }, signal);
  }

  top(params: Params, query: TopQuery, signal?: AbortSignal): Promise<TopResponse> {
    return this.http.getJson(`${API_BASE}/stats/top`, { ...params, ...query }, signal);
  }

  breakdown(params: Params, query: BreakdownQuery, signal?: AbortSignal): Promise<BreakdownResponse> {
    const { by, ...rest } = query;
    return this.http.getJson(`${API_BASE}/stats/breakdown`, { ...params, ...rest, by: by.join(',') }, signal);
  }

  video(params: Params, signal?: AbortSignal): Promise<VideoStatsResponse> {
    return this.http.getJson(`${API_BASE}/stats/video`, params, signal);
  }

  geo(params: Params, signal?: AbortSignal): Promise<GeoResponse> {
    return this.http.getJson(`${API_BASE}/stats/geo`, params, signal);
  }

  compare(params: Params, previous: ComparePeriod, signal?: AbortSignal): Promise<CompareResponse> {
    return this.http.getJson(`${API_BASE}/stats/compare`, { ...params, previous }, signal);
  }

  definitions(signal?: AbortSignal): Promise<Definitions> {
    return this.http.getJson(`${API_BASE}/definitions`, {}, signal);
  }

  whoami(signal?: AbortSignal): Promise<WhoAmI> {
    return this.http.getJson(`${API_BASE}/whoami`, {}, signal);
  }

  /** What this server offers beyond the stats, from its OpenAPI document. */
  async capabilities(signal?: AbortSignal): Promise<Capabilities> {
    const spec = await this.http.getPublicJson<{ paths?: Record<string, unknown> }>('/openapi.json', signal);
    const paths = Object.keys(spec.paths ?? {});
    return {
      alerts: paths.some((p) => p === `${API_BASE}/alerts` || p.startsWith(`${API_BASE}/alerts/`)),
      controlPlane: paths.some((p) => p.startsWith(`${API_BASE}/distributions`) || p.startsWith(`${API_BASE}/realtime-log-configs`)),
      imports: paths.includes(`${API_BASE}/imports`),
    };
  }

  /** A JSON document from a route this dashboard version knows only by name (alerts, control plane). */
  getDocument(path: string, params: Params, signal?: AbortSignal): Promise<unknown> {
    return this.http.getJson(`${API_BASE}${path}`, params, signal);
  }
}
