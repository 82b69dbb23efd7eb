/**
 * The control-plane provider: what edgewatch asks of CloudFront (and of Kinesis and IAM for a log
 * config's stream and role). Two implementations: `local` (state under the data dir, driving the
 * edge simulator) and `aws` (the AWS SDK). Chosen by EDGEWATCH_CONTROL_PLANE, never by `if (test)`.
 *
 * Whole configurations go in and out, as in CloudFront: an update replaces the config and must carry
 * the ETag of the version it was made from; a stale ETag is a conflict, never an overwrite.
 */
import type {
  Distribution,
  DistributionConfig,
  Invalidation,
  RealtimeLogConfig,
  StreamDescription,
} from '../../processor/control-plane/model.js';

export type ControlPlaneErrorKind =
  /** No such distribution, log config, stream or invalidation. */
  | 'not_found'
  /** A field's value is refused; `field` names it (`cacheBehaviors[1].pathPattern`). */
  | 'invalid'
  /** The ETag sent is not the current one (CloudFront's PreconditionFailed): read again, re-apply. */
  | 'precondition_failed'
  /** The name exists, the resource is in use, or the distribution is still enabled. */
  | 'conflict'
  /** A quota is reached. */
  | 'limit'
  /** The provider refused for lack of permission. */
  | 'access_denied';

export class ControlPlaneError extends Error {
  constructor(
    readonly kind: ControlPlaneErrorKind,
    message: string,
    /** The field at fault (for `invalid`), in the API model's terms. */
    readonly field?: string,
    /** CloudFront's error code when the AWS provider got one (`InvalidArgument`, `PreconditionFailed`…). */
    readonly awsCode?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ControlPlaneError';
  }
}

/** A distribution as listed: everything but the per-behavior details. */
export interface DistributionSummary {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  readonly status: Distribution['status'];
  readonly lastModifiedTime: string;
  readonly enabled: boolean;
  readonly comment: string;
  readonly aliases: readonly string[];
  readonly priceClass: DistributionConfig['priceClass'];
  readonly geoRestriction: DistributionConfig['geoRestriction'];
  /** ARNs of the real-time log configs attached to any of its behaviors. */
  readonly realtimeLogConfigArns: readonly string[];
}

export interface NewDistribution {
  readonly config: DistributionConfig;
  /** Makes creation idempotent; a new value creates a new distribution. */
  readonly callerReference: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LogConfigSpec {
  readonly name: string;
  readonly samplingRate: number;
  readonly fields: readonly string[];
  readonly streamArn: string;
  readonly roleArn: string;
}

export interface NewStream {
  readonly name: string;
  readonly shardCount: number;
}

export interface NewLogRole {
  readonly roleName: string;
  readonly streamArn: string;
  /** Key of an encrypted stream: the role then also gets kms:GenerateDataKey on it. */
  readonly kmsKeyArn: string | null;
}

export interface ControlPlaneProvider {
  readonly kind: 'local' | 'aws';

  listDistributions(): Promise<DistributionSummary[]>;
  /** The distribution with its config and current ETag. */
  getDistribution(id: string): Promise<Distribution>;
  createDistribution(input: NewDistribution): Promise<Distribution>;
  /** Replaces the config; `ifMatch` must be the current ETag, else `precondition_failed`. */
  updateDistribution(id: string, config: DistributionConfig, ifMatch: string): Promise<Distribution>;
  /** Only a disabled distribution can be deleted (`conflict` otherwise). */
  deleteDistribution(id: string, ifMatch: string): Promise<void>;

  createInvalidation(distributionId: string, paths: readonly string[], callerReference: string): Promise<Invalidation>;
  listInvalidations(distributionId: string): Promise<Invalidation[]>;

  listRealtimeLogConfigs(): Promise<RealtimeLogConfig[]>;
  getRealtimeLogConfig(name: string): Promise<RealtimeLogConfig>;
  createRealtimeLogConfig(spec: LogConfigSpec): Promise<RealtimeLogConfig>;
  /** Replaces the whole config (name and ARN cannot change). */
  updateRealtimeLogConfig(spec: LogConfigSpec): Promise<RealtimeLogConfig>;
  /** Refused with `conflict` while a behavior still references it. */
  deleteRealtimeLogConfig(name: string): Promise<void>;

  /** The stream by name or ARN. */
  describeStream(stream: string): Promise<StreamDescription>;
  createStream(input: NewStream): Promise<StreamDescription>;
  /** Creates the role CloudFront assumes to write into the stream (trust + permission policies of §4.4); returns its ARN. */
  createLogRole(input: NewLogRole): Promise<string>;
}
