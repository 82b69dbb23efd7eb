/**
 * The local control-plane provider: a CloudFront account kept under the data dir, with
 * CloudFront-shaped IDs, ARNs, ETags and statuses (a change is InProgress for `deploymentDelayMs`,
 * then Deployed). The edge simulator reads the same state, so distributions created here get
 * traffic and their geo restrictions refuse it. Streams are those of the local Kinesis.
 */
import { randomInt } from 'node:crypto';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisServiceException, ResourceInUseException, ResourceNotFoundException, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  LOCAL_ACCOUNT_ID,
  LocalControlPlaneState,
  withStatus,
  type LocalStateShape,
  type StoredDistribution,
} from '../../processor/control-plane/local-state.js';
import type { Distribution, DistributionConfig, Invalidation, RealtimeLogConfig, StreamDescription } from '../../processor/control-plane/model.js';
import { layoutOf, UnknownFieldError } from '../../processor/fields/layout.js';
import { logRolePermissionPolicy, logRoleTrustPolicy } from './log-role-policies.js';
import {
  ControlPlaneError,
  type ControlPlaneProvider,
  type DistributionSummary,
  type LogConfigSpec,
  type NewDistribution,
  type NewLogRole,
  type NewStream,
} from './provider.js';

export interface LocalProviderOptions {
  readonly dataDir: string;
  /** How long a change stays InProgress. Default 3 000 ms. */
  readonly deploymentDelayMs?: number;
  /** The local Kinesis (kinesalite) for streams; null: streams are described from their ARN only. */
  readonly kinesis: KinesisClient | null;
  readonly region: string;
  readonly now?: () => number;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const QUOTA = { distributions: 500, realtimeLogConfigs: 150 } as const;

function randomId(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `E` + 13 uppercase letters and digits: the shape of distribution IDs and ETags. */
export const newDistributionId = (): string => `E${randomId(UPPER, 13)}`;
const newEtag = (): string => `E${randomId(UPPER, 13)}`;

export function summaryOf(d: Distribution): DistributionSummary {
  const behaviors = [d.config.defaultCacheBehavior, ...d.config.cacheBehaviors];
  return {
    id: d.id,
    arn: d.arn,
    domainName: d.domainName,
    status: d.status,
    lastModifiedTime: d.lastModifiedTime,
    enabled: d.config.enabled,
    comment: d.config.comment,
    aliases: d.config.aliases,
    priceClass: d.config.priceClass,
    geoRestriction: d.config.geoRestriction,
    realtimeLogConfigArns: [...new Set(behaviors.map((b) => b.realtimeLogConfigArn).filter((a): a is string => a !== null))],
  };
}

export function logConfigArn(name: string, account = LOCAL_ACCOUNT_ID): string {
  return `arn:aws:cloudfront::${account}:realtime-log-config/${name}`;
}

function checkLogConfigSpec(spec: LogConfigSpec): string[] {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.name)) throw new ControlPlaneError('invalid', 'must be 1–64 letters, digits, _ or -', 'name');
  if (!Number.isInteger(spec.samplingRate) || spec.samplingRate < 1 || spec.samplingRate > 100) {
    throw new ControlPlaneError('invalid', 'must be a whole number from 1 to 100', 'samplingRate');
  }
  try {
    return [...layoutOf(spec.fields).names];
  } catch (err) {
    if (err instanceof UnknownFieldError) throw new ControlPlaneError('invalid', err.message, 'fields');
    throw new ControlPlaneError('invalid', (err as Error).message, 'fields');
  }
}

export class LocalControlPlaneProvider implements ControlPlaneProvider {
  readonly kind = 'local' as const;
  readonly state: LocalControlPlaneState;
  readonly #delayMs: number;
  readonly #kinesis: KinesisClient | null;
  readonly #region: string;
  readonly #now: () => number;

  constructor(options: LocalProviderOptions) {
    this.state = new LocalControlPlaneState(options.dataDir);
    this.#delayMs = options.deploymentDelayMs ?? 3_000;
    this.#kinesis = options.kinesis;
    this.#region = options.region;
    this.#now = options.now ?? Date.now;
  }

  #stored(id: string, state: LocalStateShape = this.#read()): StoredDistribution {
    const found = state.distributions.find((d) => d.id === id);
    if (found === undefined) throw new ControlPlaneError('not_found', `no distribution ${id}`, undefined, 'NoSuchDistribution');
    return found;
  }

  #read(): LocalStateShape {
    this.state.refresh();
    return this.state.state;
  }

  /** CloudFront's cross-distribution checks: aliases are unique, referenced log configs exist. */
  #checkReferences(config: DistributionConfig, state: LocalStateShape, selfId: string | null): void {
    config.aliases.forEach((alias, i) => {
      const owner = state.distributions.find((d) => d.id !== selfId && d.config.aliases.includes(alias));
      if (owner !== undefined) throw new ControlPlaneError('conflict', `${alias} is an alternate domain name of distribution ${owner.id} already`, `config.aliases[${i}]`, 'CNAMEAlreadyExists');
    });
    const arns = new Set(state.realtimeLogConfigs.map((c) => c.arn));
    [config.defaultCacheBehavior, ...config.cacheBehaviors].forEach((b, i) => {
      if (b.realtimeLogConfigArn !== null && !arns.has(b.realtimeLogConfigArn)) {
        const field = i === 0 ? 'config.defaultCacheBehavior.realtimeLogConfigArn' : `config.cacheBehaviors[${i - 1}].realtimeLogConfigArn`;
        throw new ControlPlaneError('invalid', `no real-time log config ${b.realtimeLogConfigArn}`, field, 'NoSuchRealtimeLogConfig');
      }
    });
  }

  listDistributions(): Promise<DistributionSummary[]> {
    const now = this.#now();
    return Promise.resolve(this.#read().distributions.map((d) => summaryOf(withStatus(d, now))));
  }

  getDistribution(id: string): Promise<Distribution> {
    return Promise.resolve(withStatus(this.#stored(id), this.#now()));
  }

  createDistribution(input: NewDistribution): Promise<Distribution> {
    const now = this.#now();
    let created: StoredDistribution | undefined;
    this.state.update((state) => {
      if (state.distributions.some((d) => d.callerReference === input.callerReference)) {
        throw new ControlPlaneError('conflict', `a distribution was created with caller reference ${input.callerReference} already`, 'callerReference', 'DistributionAlreadyExists');
      }
      if (state.distributions.length >= QUOTA.distributions) throw new ControlPlaneError('limit', `at most ${QUOTA.distributions} distributions`, undefined, 'TooManyDistributions');
      this.#checkReferences(input.config, state, null);
      const id = newDistributionId();
      created = {
        id,
        arn: `arn:aws:cloudfront::${LOCAL_ACCOUNT_ID}:distribution/${id}`,
        domainName: `d${randomId(LOWER, 13)}.cloudfront.net`,
        lastModifiedTime: new Date(now).toISOString(),
        etag: newEtag(),
        callerReference: input.callerReference,
        tags: { ...input.tags },
        config: input.config,
        deployedAtMs: now + this.#delayMs,
      };
      return { ...state, distributions: [...state.distributions, created] };
    });
    return Promise.resolve(withStatus(created!, now));
  }

  updateDistribution(id: string, config: DistributionConfig, ifMatch: string): Promise<Distribution> {
    const now = this.#now();
    let updated: StoredDistribution | undefined;
    this.state.update((state) => {
      const current = this.#stored(id, state);
      if (current.etag !== ifMatch) {
        throw new ControlPlaneError('precondition_failed', `distribution ${id} changed since version ${ifMatch} was read (now ${current.etag}): read it again and re-apply the change`, undefined, 'PreconditionFailed');
      }
      this.#checkReferences(config, state, id);
      updated = { ...current, config, etag: newEtag(), lastModifiedTime: new Date(now).toISOString(), deployedAtMs: now + this.#delayMs };
      return { ...state, distributions: state.distributions.map((d) => (d.id === id ? updated! : d)) };
    });
    return Promise.resolve(withStatus(updated!, now));
  }

  deleteDistribution(id: string, ifMatch: string): Promise<void> {
    const now = this.#now();
    this.state.update((state) => {
      const current = this.#stored(id, state);
      if (current.etag !== ifMatch) throw new ControlPlaneError('precondition_failed', `distribution ${id} changed since version ${ifMatch} was read`, undefined, 'PreconditionFailed');
      if (current.config.enabled) throw new ControlPlaneError('conflict', `distribution ${id} is enabled: disable it and wait until it is Deployed`, undefined, 'DistributionNotDisabled');
      if (now < current.deployedAtMs) throw new ControlPlaneError('conflict', `distribution ${id} is still deploying its last change: delete it once it is Deployed`, undefined, 'DistributionNotDisabled');
      return { ...state, distributions: state.distributions.filter((d) => d.id !== id), invalidations: state.invalidations.filter((i) => i.distributionId !== id) };
    });
    return Promise.resolve();
  }

  createInvalidation(distributionId: string, paths: readonly string[], callerReference: string): Promise<Invalidation> {
    const now = this.#now();
    let created: Invalidation | undefined;
    this.state.update((state) => {
      this.#stored(distributionId, state);
      const entry = {
        id: `I${randomId(UPPER, 13)}`,
        distributionId,
        status: 'InProgress' as const,
        createTime: new Date(now).toISOString(),
        paths: [...paths],
        callerReference,
        completedAtMs: now + this.#delayMs,
      };
      const { completedAtMs: _done, ...view } = entry;
      created = view;
      return { ...state, invalidations: [...state.invalidations, entry] };
    });
    return Promise.resolve(created!);
  }

  listInvalidations(distributionId: string): Promise<Invalidation[]> {
    const now = this.#now();
    const state = this.#read();
    this.#stored(distributionId, state);
    return Promise.resolve(
      state.invalidations
        .filter((i) => i.distributionId === distributionId)
        .map(({ completedAtMs, ...i }) => ({ ...i, status: now < completedAtMs ? ('InProgress' as const) : ('Completed' as const) }))
        .reverse(),
    );
  }

  listRealtimeLogConfigs(): Promise<RealtimeLogConfig[]> {
    return Promise.resolve([...this.#read().realtimeLogConfigs]);
  }

  getRealtimeLogConfig(name: string): Promise<RealtimeLogConfig> {
    const found = this.#read().realtimeLogConfigs.find((c) => c.name === name);
    if (found === undefined) return Promise.reject(new ControlPlaneError('not_found', `no real-time log config ${name}`, undefined, 'NoSuchRealtimeLogConfig'));
    return Promise.resolve(found);
  }

  createRealtimeLogConfig(spec: LogConfigSpec): Promise<RealtimeLogConfig> {
    const fields = checkLogConfigSpec(spec);
    const config: RealtimeLogConfig = { name: spec.name, arn: logConfigArn(spec.name), samplingRate: spec.samplingRate, fields, streamArn: spec.streamArn, roleArn: spec.roleArn };
    this.state.update((state) => {
      if (state.realtimeLogConfigs.some((c) => c.name === spec.name)) {
        throw new ControlPlaneError('conflict', `a real-time log config named ${spec.name} exists already`, 'name', 'RealtimeLogConfigAlreadyExists');
      }
      if (state.realtimeLogConfigs.length >= QUOTA.realtimeLogConfigs) {
        throw new ControlPlaneError('limit', `at most ${QUOTA.realtimeLogConfigs} real-time log configs per account`, undefined, 'TooManyRealtimeLogConfigs');
      }
      return { ...state, realtimeLogConfigs: [...state.realtimeLogConfigs, config] };
    });
    return Promise.resolve(config);
  }

  updateRealtimeLogConfig(spec: LogConfigSpec): Promise<RealtimeLogConfig> {
    const fields = checkLogConfigSpec(spec);
    let updated: RealtimeLogConfig | undefined;
    this.state.update((state) => {
      const current = state.realtimeLogConfigs.find((c) => c.name === spec.name);
      if (current === undefined) throw new ControlPlaneError('not_found', `no real-time log config ${spec.name}`, undefined, 'NoSuchRealtimeLogConfig');
      updated = { ...current, samplingRate: spec.samplingRate, fields, streamArn: spec.streamArn, roleArn: spec.roleArn };
      return { ...state, realtimeLogConfigs: state.realtimeLogConfigs.map((c) => (c.name === spec.name ? updated! : c)) };
    });
    return Promise.resolve(updated!);
  }

  deleteRealtimeLogConfig(name: string): Promise<void> {
    this.state.update((state) => {
      const current = state.realtimeLogConfigs.find((c) => c.name === name);
      if (current === undefined) throw new ControlPlaneError('not_found', `no real-time log config ${name}`, undefined, 'NoSuchRealtimeLogConfig');
      const user = state.distributions.find((d) => [d.config.defaultCacheBehavior, ...d.config.cacheBehaviors].some((b) => b.realtimeLogConfigArn === current.arn));
      if (user !== undefined) throw new ControlPlaneError('conflict', `real-time log config ${name} is attached to distribution ${user.id}: detach it first`, undefined, 'RealtimeLogConfigInUse');
      return { ...state, realtimeLogConfigs: state.realtimeLogConfigs.filter((c) => c.name !== name) };
    });
    return Promise.resolve();
  }

  #streamArn(name: string): string {
    return `arn:aws:kinesis:${this.#region}:${LOCAL_ACCOUNT_ID}:stream/${name}`;
  }

  async describeStream(stream: string): Promise<StreamDescription> {
    const name = stream.startsWith('arn:') ? (stream.split('/').pop() ?? stream) : stream;
    if (this.#kinesis === null) return { name, arn: this.#streamArn(name), status: 'ACTIVE', shardCount: 1, kmsKeyArn: null };
    try {
      const { StreamDescriptionSummary: s } = await this.#kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      return {
        name,
        // kinesalite answers with its own account ID; the local account is 000000000000 everywhere else.
        arn: this.#streamArn(name),
        status: s?.StreamStatus ?? 'ACTIVE',
        shardCount: s?.OpenShardCount ?? 1,
        kmsKeyArn: s?.EncryptionType === 'KMS' ? (s.KeyId ?? null) : null,
      };
    } catch (err) {
      if (err instanceof ResourceNotFoundException) throw new ControlPlaneError('invalid', `no Kinesis stream ${name}`, 'stream', 'ResourceNotFoundException', { cause: err });
      if (err instanceof KinesisServiceException) throw new ControlPlaneError('invalid', `Kinesis refused stream ${name}: ${err.name}`, 'stream', err.name, { cause: err });
      throw err;
    }
  }

  async createStream(input: NewStream): Promise<StreamDescription> {
    if (this.#kinesis !== null) {
      try {
        await this.#kinesis.send(new CreateStreamCommand({ StreamName: input.name, ShardCount: input.shardCount }));
      } catch (err) {
        if (err instanceof ResourceInUseException) throw new ControlPlaneError('conflict', `a Kinesis stream named ${input.name} exists already`, 'stream.create.name', 'ResourceInUseException', { cause: err });
        if (err instanceof KinesisServiceException) throw new ControlPlaneError('invalid', `Kinesis refused stream ${input.name}: ${err.name}`, 'stream.create', err.name, { cause: err });
        throw err;
      }
    }
    return { name: input.name, arn: this.#streamArn(input.name), status: 'CREATING', shardCount: input.shardCount, kmsKeyArn: null };
  }

  createLogRole(input: NewLogRole): Promise<string> {
    const arn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${input.roleName}`;
    this.state.update((state) => {
      if (state.roles.some((r) => r.name === input.roleName)) throw new ControlPlaneError('conflict', `a role named ${input.roleName} exists already`, 'role.create.name', 'EntityAlreadyExists');
      const role = {
        name: input.roleName,
        arn,
        trustPolicy: JSON.stringify(logRoleTrustPolicy(LOCAL_ACCOUNT_ID)),
        permissionPolicy: JSON.stringify(logRolePermissionPolicy(input.streamArn, input.kmsKeyArn)),
      };
      return { ...state, roles: [...state.roles, role] };
    });
    return Promise.resolve(arn);
  }
}
