/**
 * The control plane's use cases over a provider: read requests strictly, validate as CloudFront
 * would, show the diff (and stop there on a dry run), apply through the provider, keep the
 * log-config registry in step with what CloudFront writes, and record every change in the audit log.
 *
 * Parser in step: a stream carries one layout at a time, because a record does not say which config
 * wrote it. So two configs with different field sets (or sampling rates) may not feed one stream, and
 * a field change must change the field count (records are told apart by it) or go to a new stream.
 */
import { randomUUID } from 'node:crypto';
import type { Distribution, DistributionConfig, Invalidation, RealtimeLogConfig } from '../../processor/control-plane/model.js';
import { layoutOf, UnknownFieldError } from '../../processor/fields/layout.js';
import type { DistributionRegistry } from '../../processor/registry/distribution-registry.js';
import { layoutChangeProblem, liveRetiredLayouts, type LogConfigRecord, type LogConfigRegistry } from '../../processor/registry/log-config-registry.js';
import type { AuditEntry, AuditLog, AuditResourceType } from './audit-log.js';
import { distributionWarnings, type ChangeWarning } from './change-warnings.js';
import { readDistributionConfig, StrictObject } from './config-input.js';
import { diffValues, type DiffEntry } from './config-diff.js';
import { CapacityInputError } from '../../processor/capacity/capacity-plan.js';
import { estimateLogConfigCost, PRICE_PER_MILLION_LINES_USD, type CostEstimate } from './cost-estimate.js';
import { validateDistributionConfig } from './distribution-validation.js';
import { FIELD_GROUPS, type FieldGroup } from './log-field-groups.js';
import { ControlPlaneError, type ControlPlaneProvider, type DistributionSummary, type LogConfigSpec } from './provider.js';

export interface Actor {
  readonly name: string;
  readonly role: string;
}

export interface DistributionChange {
  readonly dryRun: boolean;
  readonly diff: readonly DiffEntry[];
  readonly warnings: readonly ChangeWarning[];
  readonly distribution: Distribution | null;
}

export interface LogConfigView extends RealtimeLogConfig {
  readonly attachedTo: readonly { readonly distributionId: string; readonly pathPattern: string }[];
  readonly parserLayouts: readonly { readonly fieldCount: number; readonly fields: readonly string[]; readonly samplingRate: number; readonly retiredAt: string | null }[];
}

export interface LogConfigChange {
  readonly dryRun: boolean;
  readonly diff: readonly DiffEntry[];
  readonly warnings: readonly ChangeWarning[];
  readonly config: LogConfigView | null;
  readonly estimate?: CostEstimate | null;
}

export interface ChangeMarker {
  readonly at: string;
  readonly action: string;
  readonly resourceType: AuditResourceType;
  readonly resourceId: string;
  readonly distributionId: string;
  readonly summary: string;
  readonly actor: string;
}

export interface ControlPlaneServiceOptions {
  readonly provider: ControlPlaneProvider;
  readonly audit: AuditLog;
  readonly logConfigs: LogConfigRegistry;
  /** Attribution of records to distributions: new distributions are added to it. */
  readonly distributions?: DistributionRegistry;
  readonly now?: () => number;
}

/** CloudFront's old documented field limit; newer records have more, so the AWS provider lets CloudFront decide. */
const OLD_FIELD_LIMIT = 40;
const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

function checkArn(value: string, pattern: RegExp, field: string, what: string): string {
  if (!pattern.test(value)) throw new ControlPlaneError('invalid', `must be ${what}`, field);
  return value;
}
const ATTACH_DEFAULT = '*';

function streamNameOf(arn: string): string {
  return arn.startsWith('arn:') ? (arn.split('/').pop() ?? arn) : arn;
}

function canonicalFields(fields: readonly string[], field = 'fields'): string[] {
  try {
    return [...layoutOf(fields).names];
  } catch (err) {
    if (err instanceof UnknownFieldError) throw new ControlPlaneError('invalid', err.message, field);
    throw new ControlPlaneError('invalid', (err as Error).message, field);
  }
}

function readTags(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ControlPlaneError('invalid', 'must be an object of strings', 'tags');
  const tags: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ControlPlaneError('invalid', 'must be a string', `tags.${key}`);
    if (key.length === 0 || key.length > 128) throw new ControlPlaneError('invalid', 'tag keys have 1–128 characters', `tags.${key}`);
    tags[key] = v;
  }
  return tags;
}

function summarize(action: string, label: string, diff: readonly DiffEntry[]): string {
  const members = [...new Set(diff.map((d) => d.path.replace(/^config\./, '').split(/[.[]/)[0] ?? d.path))];
  const shown = members.slice(0, 4).join(', ') + (members.length > 4 ? ` and ${members.length - 4} more` : '');
  return action === 'update' || action === 'attach' || action === 'detach' ? `${action} ${label}${shown === '' ? '' : `: ${shown}`}` : `${action} ${label}`;
}

export class ControlPlaneService {
  readonly #provider: ControlPlaneProvider;
  readonly #audit: AuditLog;
  readonly #registry: LogConfigRegistry;
  readonly #distributions: DistributionRegistry | undefined;
  readonly #now: () => number;

  constructor(options: ControlPlaneServiceOptions) {
    this.#provider = options.provider;
    this.#audit = options.audit;
    this.#registry = options.logConfigs;
    this.#distributions = options.distributions;
    this.#now = options.now ?? Date.now;
  }

  get providerKind(): 'local' | 'aws' {
    return this.#provider.kind;
  }

  /** Runs a provider call and records it (applied or failed) in the audit log. */
  async #recorded<T>(
    actor: Actor,
    what: { action: string; resourceType: AuditResourceType; resourceId: string; distributionId: string; before: unknown; after: unknown; diff: readonly DiffEntry[]; label: string },
    work: () => Promise<T>,
  ): Promise<T> {
    const entry = (outcome: 'applied' | 'failed', error: string, resourceId: string): Omit<AuditEntry, 'id'> => ({
      atMs: this.#now(),
      actor: actor.name,
      actorRole: actor.role,
      action: what.action,
      resourceType: what.resourceType,
      resourceId,
      distributionId: what.distributionId,
      provider: this.#provider.kind,
      outcome,
      error,
      summary: summarize(what.action, what.label, what.diff),
      before: what.before,
      after: what.after,
      diff: what.diff,
    });
    let result: T;
    try {
      result = await work();
    } catch (err) {
      await this.#audit.append(entry('failed', err instanceof Error ? err.message : String(err), what.resourceId));
      throw err;
    }
    const created = result as { id?: unknown; distributionId?: unknown };
    const id = what.resourceId === '' && typeof created.id === 'string' ? created.id : what.resourceId;
    const stored = entry('applied', '', id);
    await this.#audit.append(what.resourceType === 'distribution' && what.distributionId === '' ? { ...stored, distributionId: id } : stored);
    return result;
  }

  // Distributions

  listDistributions(): Promise<DistributionSummary[]> {
    return this.#provider.listDistributions();
  }

  async getDistribution(id: string): Promise<{ distribution: Distribution; warnings: ChangeWarning[] }> {
    const distribution = await this.#provider.getDistribution(id);
    return { distribution, warnings: distributionWarnings(distribution, distribution.config) };
  }

  async deployment(id: string): Promise<{ id: string; status: Distribution['status']; lastModifiedTime: string; etag: string }> {
    const d = await this.#provider.getDistribution(id);
    return { id: d.id, status: d.status, lastModifiedTime: d.lastModifiedTime, etag: d.etag };
  }

  async createDistribution(actor: Actor, body: unknown, dryRun: boolean): Promise<DistributionChange> {
    const o = new StrictObject(body, '', ['config', 'tags', 'callerReference']);
    const config = readDistributionConfig(o.raw('config'));
    validateDistributionConfig(config);
    const tags = readTags(o.raw('tags'));
    const callerReference = o.has('callerReference') ? o.string('callerReference') : randomUUID();
    const diff = diffValues(null, config);
    const warnings = distributionWarnings({ tags, status: 'Deployed' }, config);
    if (dryRun) return { dryRun, diff, warnings, distribution: null };
    const label = config.comment === '' ? 'distribution' : `distribution “${config.comment.slice(0, 60)}”`;
    const distribution = await this.#recorded(
      actor,
      { action: 'create', resourceType: 'distribution', resourceId: '', distributionId: '', before: null, after: config, diff, label },
      () => this.#provider.createDistribution({ config, tags, callerReference }),
    );
    await this.#distributions?.addMissing([{ id: distribution.id, domainName: distribution.domainName, aliases: config.aliases, comment: config.comment }]);
    return { dryRun, diff, warnings: distributionWarnings(distribution, config), distribution };
  }

  async updateDistribution(actor: Actor, id: string, body: unknown, ifMatch: string, dryRun: boolean): Promise<DistributionChange> {
    const o = new StrictObject(body, '', ['config']);
    const config = readDistributionConfig(o.raw('config'));
    validateDistributionConfig(config);
    return this.#replaceConfig(actor, 'update', id, ifMatch, () => config, dryRun);
  }

  async disableDistribution(actor: Actor, id: string, ifMatch: string, dryRun: boolean): Promise<DistributionChange> {
    return this.#replaceConfig(actor, 'disable', id, ifMatch, (current) => ({ ...current, enabled: false }), dryRun);
  }

  async #replaceConfig(
    actor: Actor,
    action: string,
    id: string,
    ifMatch: string,
    change: (current: DistributionConfig) => DistributionConfig,
    dryRun: boolean,
    resource: { type: AuditResourceType; id: string } = { type: 'distribution', id },
  ): Promise<DistributionChange> {
    const current = await this.#provider.getDistribution(id);
    if (current.etag !== ifMatch) {
      throw new ControlPlaneError('precondition_failed', `distribution ${id} changed since version ${ifMatch} was read (now ${current.etag}): read it again and re-apply the change`, undefined, 'PreconditionFailed');
    }
    const config = change(current.config);
    const diff = diffValues(current.config, config);
    const warnings = distributionWarnings(current, config);
    if (dryRun || diff.length === 0) return { dryRun, diff, warnings, distribution: dryRun ? null : current };
    const distribution = await this.#recorded(
      actor,
      { action, resourceType: resource.type, resourceId: resource.id, distributionId: id, before: current.config, after: config, diff, label: `distribution ${id}` },
      () => this.#provider.updateDistribution(id, config, ifMatch),
    );
    return { dryRun, diff, warnings, distribution };
  }

  async deleteDistribution(actor: Actor, id: string, ifMatch: string, dryRun: boolean): Promise<DistributionChange> {
    const current = await this.#provider.getDistribution(id);
    if (current.etag !== ifMatch) throw new ControlPlaneError('precondition_failed', `distribution ${id} changed since version ${ifMatch} was read (now ${current.etag})`, undefined, 'PreconditionFailed');
    if (current.config.enabled) throw new ControlPlaneError('conflict', `distribution ${id} is enabled: disable it and wait until it is Deployed`, undefined, 'DistributionNotDisabled');
    const diff = diffValues(current.config, null);
    const warnings = distributionWarnings(current, current.config);
    if (dryRun) return { dryRun, diff, warnings, distribution: null };
    await this.#recorded(
      actor,
      { action: 'delete', resourceType: 'distribution', resourceId: id, distributionId: id, before: current.config, after: null, diff, label: `distribution ${id}` },
      () => this.#provider.deleteDistribution(id, ifMatch),
    );
    return { dryRun, diff, warnings, distribution: null };
  }

  // Invalidations

  listInvalidations(id: string): Promise<Invalidation[]> {
    return this.#provider.listInvalidations(id);
  }

  async createInvalidation(actor: Actor, id: string, paths: readonly string[]): Promise<Invalidation> {
    paths.forEach((p, i) => {
      if (!p.startsWith('/')) throw new ControlPlaneError('invalid', 'must start with /', `paths[${i}]`);
      if (p.length > 4096) throw new ControlPlaneError('invalid', 'at most 4,096 characters', `paths[${i}]`);
      if (p.includes('*') && !p.endsWith('*')) throw new ControlPlaneError('invalid', 'a wildcard * may only end a path', `paths[${i}]`);
    });
    const unique = [...new Set(paths)];
    const diff = [{ path: 'paths', before: null, after: unique }];
    return this.#recorded(
      actor,
      { action: 'invalidate', resourceType: 'invalidation', resourceId: '', distributionId: id, before: null, after: { paths: unique }, diff, label: `${unique.length} path${unique.length === 1 ? '' : 's'} of ${id}` },
      () => this.#provider.createInvalidation(id, unique, randomUUID()),
    );
  }

  // Real-time log configs

  fieldCatalogue(): { groups: readonly FieldGroup[]; pricePerMillionLinesUsd: number | null } {
    return { groups: FIELD_GROUPS, pricePerMillionLinesUsd: PRICE_PER_MILLION_LINES_USD };
  }

  estimate(body: unknown): CostEstimate {
    const o = new StrictObject(body, '', ['requestsPerSecond', 'samplingRate', 'fields']);
    const requestsPerSecond = o.number('requestsPerSecond');
    if (requestsPerSecond < 0) throw new ControlPlaneError('invalid', 'must be ≥ 0', 'requestsPerSecond');
    const samplingRate = o.integer('samplingRate');
    if (samplingRate < 1 || samplingRate > 100) throw new ControlPlaneError('invalid', 'must be a whole number from 1 to 100', 'samplingRate');
    return costEstimate({ requestsPerSecond, samplingRate, fields: canonicalFields(o.strings('fields')) }, 'requestsPerSecond');
  }

  async #attachments(): Promise<Map<string, { distributionId: string; pathPattern: string }[]>> {
    const byArn = new Map<string, { distributionId: string; pathPattern: string }[]>();
    const summaries = await this.#provider.listDistributions();
    for (const summary of summaries.filter((s) => s.realtimeLogConfigArns.length > 0)) {
      const d = await this.#provider.getDistribution(summary.id);
      for (const b of [d.config.defaultCacheBehavior, ...d.config.cacheBehaviors]) {
        if (b.realtimeLogConfigArn === null) continue;
        const list = byArn.get(b.realtimeLogConfigArn) ?? [];
        list.push({ distributionId: d.id, pathPattern: b.pathPattern });
        byArn.set(b.realtimeLogConfigArn, list);
      }
    }
    return byArn;
  }

  /** From the registry's snapshot (refreshed periodically, and before every change here). */
  #view(config: RealtimeLogConfig, attachments: ReadonlyMap<string, { distributionId: string; pathPattern: string }[]>): LogConfigView {
    const record = this.#registry.get(config.name);
    const current = { fieldCount: config.fields.length, fields: config.fields, samplingRate: config.samplingRate, retiredAt: null };
    const retired = record === undefined ? [] : liveRetiredLayouts(record, this.#now()).map((r) => ({ fieldCount: r.fields.length, fields: r.fields, samplingRate: r.samplingRate, retiredAt: new Date(r.retiredAtMs).toISOString() }));
    return { ...config, attachedTo: attachments.get(config.arn) ?? [], parserLayouts: [current, ...retired] };
  }

  async listLogConfigs(): Promise<LogConfigView[]> {
    const [configs, attachments] = await Promise.all([this.#provider.listRealtimeLogConfigs(), this.#attachments()]);
    return configs.map((c) => this.#view(c, attachments));
  }

  async getLogConfig(name: string): Promise<{ config: LogConfigView; warnings: ChangeWarning[] }> {
    const config = await this.#provider.getRealtimeLogConfig(name);
    return { config: this.#view(config, await this.#attachments()), warnings: [] };
  }

  /**
   * Refuses a config for a stream that another config feeds with another field set or sampling rate:
   * the stream's records could not be parsed (or weighted) right.
   */
  async #checkStreamShared(name: string, streamArn: string, fields: readonly string[], samplingRate: number): Promise<void> {
    const stream = streamNameOf(streamArn);
    const others = [
      ...(await this.#provider.listRealtimeLogConfigs()).map((c) => ({ name: c.name, stream: streamNameOf(c.streamArn), fields: c.fields, samplingRate: c.samplingRate })),
      ...this.#registry.list().map((c) => ({ name: c.name, stream: c.streamName, fields: c.fields, samplingRate: c.samplingRate })),
    ].filter((c) => c.name !== name && c.stream === stream);
    for (const other of others) {
      if (other.fields.join() !== fields.join()) {
        throw new ControlPlaneError(
          'invalid',
          `stream ${stream} is fed by log config ${other.name} with another field set (${other.fields.length} fields): a record does not say which config wrote it, so one stream carries one layout. Use the same fields or another stream`,
          'stream',
        );
      }
      if (other.samplingRate !== samplingRate) {
        throw new ControlPlaneError('invalid', `stream ${stream} is fed by log config ${other.name} at sampling rate ${other.samplingRate}: records of one stream must share a sampling rate to be counted right`, 'samplingRate');
      }
    }
  }

  #warnings(fields: readonly string[]): ChangeWarning[] {
    if (this.#provider.kind !== 'aws' || fields.length <= OLD_FIELD_LIMIT) return [];
    return [
      {
        code: 'aws-decides',
        message: `${fields.length} fields: CloudFront’s guide once limited a config to ${OLD_FIELD_LIMIT}, but records with more exist; CloudFront decides and its answer is reported`,
        field: 'fields',
      },
    ];
  }

  async #register(config: RealtimeLogConfig, record?: Partial<LogConfigRecord>): Promise<void> {
    await this.#registry.put({ name: config.name, arn: config.arn, samplingRate: config.samplingRate, fields: config.fields, streamName: streamNameOf(config.streamArn), streamArn: config.streamArn, roleArn: config.roleArn, ...record });
  }

  async createLogConfig(actor: Actor, body: unknown, dryRun: boolean): Promise<LogConfigChange> {
    const o = new StrictObject(body, '', ['name', 'samplingRate', 'fields', 'stream', 'role']);
    const name = o.string('name');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new ControlPlaneError('invalid', 'must be 1–64 letters, digits, _ or -', 'name');
    const samplingRate = o.integer('samplingRate');
    if (samplingRate < 1 || samplingRate > 100) throw new ControlPlaneError('invalid', 'must be a whole number from 1 to 100', 'samplingRate');
    const fields = canonicalFields(o.strings('fields'));
    const stream = new StrictObject(o.raw('stream') ?? {}, 'stream', ['arn', 'create']);
    const role = new StrictObject(o.raw('role') ?? {}, 'role', ['arn', 'create']);
    if (stream.has('arn') === stream.has('create')) throw new ControlPlaneError('invalid', 'give exactly one of arn (an existing stream) or create (a new one)', 'stream');
    if (role.has('arn') === role.has('create')) throw new ControlPlaneError('invalid', 'give exactly one of arn (an existing role) or create (a new one)', 'role');

    let newStream: { name: string; shardCount: number } | null = null;
    let estimate: CostEstimate | null = null;
    if (stream.has('create')) {
      const c = new StrictObject(stream.raw('create'), 'stream.create', ['name', 'shardCount', 'expectedRequestsPerSecond']);
      const streamName = c.string('name');
      if (!/^[A-Za-z0-9_.-]{1,128}$/.test(streamName)) throw new ControlPlaneError('invalid', 'must be 1–128 letters, digits, _, . or -', 'stream.create.name');
      const rps = c.has('expectedRequestsPerSecond') ? c.number('expectedRequestsPerSecond') : null;
      if (rps !== null) estimate = costEstimate({ requestsPerSecond: rps, samplingRate, fields }, 'stream.create.expectedRequestsPerSecond');
      const shardCount = c.has('shardCount') ? c.integer('shardCount') : (estimate?.suggestedShards ?? 1);
      if (shardCount < 1) throw new ControlPlaneError('invalid', 'must be at least 1', 'stream.create.shardCount');
      newStream = { name: streamName, shardCount };
    }
    const existingStreamArn = stream.has('arn') ? checkArn(stream.string('arn'), STREAM_ARN, 'stream.arn', 'a Kinesis stream ARN') : null;
    const roleToCreate = role.has('create') ? new StrictObject(role.raw('create'), 'role.create', ['name']).string('name') : null;
    if (roleToCreate !== null && !/^[A-Za-z0-9+=,.@_-]{1,64}$/.test(roleToCreate)) throw new ControlPlaneError('invalid', 'must be 1–64 characters of A-Z a-z 0-9 + = , . @ _ -', 'role.create.name');
    const existingRoleArn = role.has('arn') ? role.string('arn') : null;
    if (existingRoleArn !== null) checkArn(existingRoleArn, ROLE_ARN, 'role.arn', 'an IAM role ARN');

    const streamKey = existingStreamArn ?? newStream?.name ?? '';
    await this.#checkStreamShared(name, streamKey, fields, samplingRate);
    const planned = { name, samplingRate, fields, stream: existingStreamArn ?? { create: newStream }, role: existingRoleArn ?? { create: roleToCreate } };
    const diff = diffValues(null, planned);
    const warnings = this.#warnings(fields);
    if (dryRun) return { dryRun, diff, warnings, config: null, estimate };

    const created = await this.#recorded(
      actor,
      { action: 'create', resourceType: 'realtime-log-config', resourceId: name, distributionId: '', before: null, after: planned, diff, label: `log config ${name}` },
      async () => {
        const described = newStream !== null ? await this.#provider.createStream(newStream) : await this.#provider.describeStream(existingStreamArn ?? '');
        const roleArn = roleToCreate !== null ? await this.#provider.createLogRole({ roleName: roleToCreate, streamArn: described.arn, kmsKeyArn: described.kmsKeyArn }) : (existingRoleArn ?? '');
        const spec: LogConfigSpec = { name, samplingRate, fields, streamArn: described.arn, roleArn };
        return this.#provider.createRealtimeLogConfig(spec);
      },
    );
    await this.#register(created);
    return { dryRun, diff, warnings, config: this.#view(created, await this.#attachments()), estimate };
  }

  async updateLogConfig(actor: Actor, name: string, body: unknown, dryRun: boolean): Promise<LogConfigChange> {
    const o = new StrictObject(body, '', ['samplingRate', 'fields', 'streamArn', 'roleArn']);
    const current = await this.#provider.getRealtimeLogConfig(name);
    const samplingRate = o.has('samplingRate') ? o.integer('samplingRate') : current.samplingRate;
    if (samplingRate < 1 || samplingRate > 100) throw new ControlPlaneError('invalid', 'must be a whole number from 1 to 100', 'samplingRate');
    const fields = o.has('fields') ? canonicalFields(o.strings('fields')) : [...current.fields];
    const streamArn = o.has('streamArn') ? checkArn(o.string('streamArn'), STREAM_ARN, 'streamArn', 'a Kinesis stream ARN') : current.streamArn;
    const roleArn = o.has('roleArn') ? checkArn(o.string('roleArn'), ROLE_ARN, 'roleArn', 'an IAM role ARN') : current.roleArn;
    const streamChanged = streamNameOf(streamArn) !== streamNameOf(current.streamArn);

    await this.#registry.refresh();
    const record: LogConfigRecord = this.#registry.get(name) ?? { name, arn: current.arn, samplingRate: current.samplingRate, fields: current.fields, streamName: streamNameOf(current.streamArn), streamArn: current.streamArn, roleArn: current.roleArn };
    if (!streamChanged) {
      const problem = layoutChangeProblem(record, fields, this.#now());
      if (problem !== null) throw new ControlPlaneError('invalid', problem, 'fields');
    }
    await this.#checkStreamShared(name, streamArn, fields, samplingRate);
    const next: RealtimeLogConfig = { ...current, samplingRate, fields, streamArn, roleArn };
    const diff = diffValues(current, next);
    const warnings = this.#warnings(fields);
    if (dryRun || diff.length === 0) return { dryRun, diff, warnings, config: dryRun ? null : this.#view(current, await this.#attachments()) };
    if (streamChanged) await this.#provider.describeStream(streamArn);
    const updated = await this.#recorded(
      actor,
      { action: 'update', resourceType: 'realtime-log-config', resourceId: name, distributionId: '', before: current, after: next, diff, label: `log config ${name}` },
      () => this.#provider.updateRealtimeLogConfig({ name, samplingRate, fields, streamArn, roleArn }),
    );
    // A new stream starts with one layout; the old stream's records are no longer read through this config.
    await this.#register(updated, streamChanged ? { retiredLayouts: [] } : {});
    return { dryRun, diff, warnings, config: this.#view(updated, await this.#attachments()) };
  }

  async deleteLogConfig(actor: Actor, name: string, dryRun: boolean): Promise<LogConfigChange> {
    const current = await this.#provider.getRealtimeLogConfig(name);
    const diff = diffValues(current, null);
    if (dryRun) return { dryRun, diff, warnings: [], config: null };
    await this.#recorded(
      actor,
      { action: 'delete', resourceType: 'realtime-log-config', resourceId: name, distributionId: '', before: current, after: null, diff, label: `log config ${name}` },
      () => this.#provider.deleteRealtimeLogConfig(name),
    );
    // Records already in the stream still need a layout: the registry forgets a deleted config only
    // when another config feeds its stream.
    const stream = streamNameOf(current.streamArn);
    await this.#registry.refresh();
    if (this.#registry.list().some((c) => c.name !== name && c.streamName === stream)) await this.#registry.remove(name);
    return { dryRun, diff, warnings: [], config: null };
  }

  async setAttachment(actor: Actor, name: string, target: { distributionId: string; pathPattern: string }, attach: boolean, dryRun: boolean): Promise<DistributionChange> {
    const logConfig = await this.#provider.getRealtimeLogConfig(name);
    const current = await this.#provider.getDistribution(target.distributionId);
    const wanted = target.pathPattern.replace(/^\//, '');
    const isDefault = target.pathPattern === ATTACH_DEFAULT;
    const index = isDefault ? -1 : current.config.cacheBehaviors.findIndex((b) => b.pathPattern.replace(/^\//, '') === wanted);
    if (!isDefault && index === -1) throw new ControlPlaneError('invalid', `distribution ${current.id} has no cache behavior with pattern ${target.pathPattern} (* is the default behavior)`, 'pathPattern');
    const behavior = isDefault ? current.config.defaultCacheBehavior : current.config.cacheBehaviors[index]!;
    if (!attach && behavior.realtimeLogConfigArn !== logConfig.arn) throw new ControlPlaneError('invalid', `log config ${name} is not attached to behavior ${target.pathPattern} of ${current.id}`, 'pathPattern');
    const arn = attach ? logConfig.arn : null;
    const change = (config: DistributionConfig): DistributionConfig =>
      isDefault
        ? { ...config, defaultCacheBehavior: { ...config.defaultCacheBehavior, realtimeLogConfigArn: arn } }
        : { ...config, cacheBehaviors: config.cacheBehaviors.map((b, i) => (i === index ? { ...b, realtimeLogConfigArn: arn } : b)) };
    return this.#replaceConfig(actor, attach ? 'attach' : 'detach', current.id, current.etag, change, dryRun, { type: 'realtime-log-config', id: name });
  }

  // Change markers and the audit log

  async changes(query: { fromMs: number; toMs: number; limit: number; distributionId?: string }): Promise<ChangeMarker[]> {
    const entries = await this.#audit.list({ ...query, outcome: 'applied' });
    return entries.map((e) => ({
      at: new Date(e.atMs).toISOString(),
      action: e.action,
      resourceType: e.resourceType,
      resourceId: e.resourceId,
      distributionId: e.distributionId,
      summary: e.summary,
      actor: e.actor,
    }));
  }

  async audit(query: { fromMs: number; toMs: number; limit: number }): Promise<Array<Omit<AuditEntry, 'atMs'> & { at: string }>> {
    const entries = await this.#audit.list(query);
    return entries.map(({ atMs, ...e }) => ({ ...e, at: new Date(atMs).toISOString() }));
  }
}

/** The planner's estimate, its input errors as the control plane's (`rateField` names the rate's field). */
function costEstimate(input: { requestsPerSecond: number; samplingRate: number; fields: readonly string[] }, rateField: string): CostEstimate {
  try {
    return estimateLogConfigCost(input);
  } catch (err) {
    if (err instanceof CapacityInputError) {
      const field = err.parameter === 'requestsPerSecond' ? rateField : err.parameter === 'sampling' ? 'samplingRate' : err.parameter;
      throw new ControlPlaneError('invalid', err.message, field);
    }
    throw err;
  }
}
