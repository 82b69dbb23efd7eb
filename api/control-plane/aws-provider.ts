/**
 * The AWS control-plane provider: CloudFront through `@aws-sdk/client-cloudfront`, plus Kinesis
 * (describe or create the stream) and IAM (the role CloudFront assumes), with credentials from the
 * default AWS chain. CloudFront's answers are final: its validation errors come back as `invalid`
 * naming the member, a stale ETag as `precondition_failed` (never retried over someone's change).
 */
import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateDistributionCommand,
  CreateDistributionWithTagsCommand,
  CreateInvalidationCommand,
  CreateRealtimeLogConfigCommand,
  DeleteDistributionCommand,
  DeleteRealtimeLogConfigCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  GetRealtimeLogConfigCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  ListRealtimeLogConfigsCommand,
  ListTagsForResourceCommand,
  UpdateDistributionCommand,
  UpdateRealtimeLogConfigCommand,
  type Distribution as AwsDistribution,
  type DistributionSummary as AwsDistributionSummary,
  type RealtimeLogConfig as AwsRealtimeLogConfig,
} from '@aws-sdk/client-cloudfront';
import { CreateRoleCommand, IAMClient, IAMServiceException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, KinesisServiceException } from '@aws-sdk/client-kinesis';
import type { Distribution, Invalidation, RealtimeLogConfig, StreamDescription } from '../../processor/control-plane/model.js';
import { fromAwsConfig, toAwsConfig } from './aws-mapping.js';
import { accountOfArn, logRolePermissionPolicy, logRoleTrustPolicy } from './log-role-policies.js';
import {
  ControlPlaneError,
  type ControlPlaneProvider,
  type DistributionSummary,
  type LogConfigSpec,
  type NewDistribution,
  type NewLogRole,
  type NewStream,
} from './provider.js';

export interface AwsProviderOptions {
  /** Region of the Kinesis stream and IAM calls; CloudFront itself is global (us-east-1). */
  readonly region: string;
  readonly cloudfront?: CloudFrontClient;
  readonly kinesis?: KinesisClient;
  readonly iam?: IAMClient;
}

/** CloudFront error codes → the member of the model they are about. */
const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  CNAMEAlreadyExists: 'config.aliases',
  InvalidGeoRestrictionParameter: 'config.geoRestriction',
  InvalidLocationCode: 'config.geoRestriction.countries',
  InvalidViewerCertificate: 'config.viewerCertificate',
  InvalidMinimumProtocolVersion: 'config.viewerCertificate.minimumProtocolVersion',
  InvalidOriginAccessControl: 'config.origins',
  InvalidOrigin: 'config.origins',
  TooManyOrigins: 'config.origins',
  TooManyOriginGroupsPerDistribution: 'config.originGroups',
  TooManyCacheBehaviors: 'config.cacheBehaviors',
  NoSuchOrigin: 'config.defaultCacheBehavior.targetOriginId',
  InvalidDefaultRootObject: 'config.defaultRootObject',
  InvalidErrorCode: 'config.customErrorResponses',
  InvalidResponseCode: 'config.customErrorResponses',
  InvalidRelativePath: 'config.customErrorResponses',
  InvalidTTLOrder: 'config.defaultCacheBehavior',
  InvalidLambdaFunctionAssociation: 'config.defaultCacheBehavior.lambdaFunctionAssociations',
  InvalidFunctionAssociation: 'config.defaultCacheBehavior.functionAssociations',
  NoSuchRealtimeLogConfig: 'realtimeLogConfigArn',
  RealtimeLogConfigOwnerMismatch: 'realtimeLogConfigArn',
  TooManyTrustedSigners: 'config.defaultCacheBehavior.trustedKeyGroups',
  InvalidWebACLId: 'config.webAclId',
  InvalidQueryStringParameters: 'config.defaultCacheBehavior.forwardedValues',
  InvalidHeadersForS3Origin: 'config.defaultCacheBehavior.forwardedValues.headers',
  IllegalFieldLevelEncryptionConfigAssociationWithCacheBehavior: 'config.defaultCacheBehavior',
};

/** CloudFront's name for a member in an InvalidArgument message (`The parameter Comment is too long`). */
function parameterOf(message: string): string | null {
  const match = /parameter ([A-Za-z][A-Za-z0-9.]*)/.exec(message);
  return match?.[1] ?? null;
}

/** An AWS error as a ControlPlaneError, classified by its error code (never by message text alone). */
export function classifyAwsError(err: unknown, context: string): unknown {
  if (!(err instanceof CloudFrontServiceException || err instanceof KinesisServiceException || err instanceof IAMServiceException)) return err;
  const code = err.name;
  const message = `${context}: CloudFront answered ${code}: ${err.message}`;
  const options = { cause: err };
  if (code === 'PreconditionFailed') return new ControlPlaneError('precondition_failed', `${context}: the distribution changed since it was read (PreconditionFailed); read it again and re-apply the change`, undefined, code, options);
  if (code.startsWith('NoSuch') && code !== 'NoSuchOrigin' && code !== 'NoSuchRealtimeLogConfig' || code === 'ResourceNotFoundException') {
    return new ControlPlaneError('not_found', message, undefined, code, options);
  }
  if (code === 'AccessDenied' || code === 'AccessDeniedException') return new ControlPlaneError('access_denied', message, undefined, code, options);
  if (['DistributionAlreadyExists', 'DistributionNotDisabled', 'RealtimeLogConfigAlreadyExists', 'RealtimeLogConfigInUse', 'ResourceInUse', 'ResourceInUseException', 'EntityAlreadyExists', 'CNAMEAlreadyExists'].includes(code)) {
    return new ControlPlaneError('conflict', message, FIELD_OF_CODE[code], code, options);
  }
  if (code.startsWith('TooMany') && FIELD_OF_CODE[code] === undefined) return new ControlPlaneError('limit', message, undefined, code, options);
  if (code === 'InvalidArgument' || code === 'InconsistentQuantities' || code === 'IllegalUpdate' || code === 'InvalidIfMatchVersion' || code.startsWith('Invalid') || FIELD_OF_CODE[code] !== undefined) {
    const parameter = parameterOf(err.message);
    const field = FIELD_OF_CODE[code] ?? (parameter === null ? 'config' : `config (CloudFront member ${parameter})`);
    return new ControlPlaneError('invalid', `CloudFront refused it (${code}): ${err.message}`, field, code, options);
  }
  return err;
}

function fromAwsLogConfig(c: AwsRealtimeLogConfig): RealtimeLogConfig {
  const endpoint = c.EndPoints?.[0]?.KinesisStreamConfig;
  return { name: c.Name ?? '', arn: c.ARN ?? '', samplingRate: c.SamplingRate ?? 100, fields: c.Fields ?? [], streamArn: endpoint?.StreamARN ?? '', roleArn: endpoint?.RoleARN ?? '' };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`CloudFront's answer has no ${what}`);
  return value;
}

export class AwsControlPlaneProvider implements ControlPlaneProvider {
  readonly kind = 'aws' as const;
  readonly #cf: CloudFrontClient;
  readonly #kinesis: KinesisClient;
  readonly #iam: IAMClient;

  constructor(options: AwsProviderOptions) {
    // CloudFront is global: SigV4 in us-east-1 (§4.1).
    this.#cf = options.cloudfront ?? new CloudFrontClient({ region: 'us-east-1' });
    this.#kinesis = options.kinesis ?? new KinesisClient({ region: options.region });
    this.#iam = options.iam ?? new IAMClient({ region: options.region });
  }

  async #call<T>(context: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw classifyAwsError(err, context);
    }
  }

  async #tags(arn: string): Promise<Record<string, string>> {
    const out = await this.#call(`tags of ${arn}`, () => this.#cf.send(new ListTagsForResourceCommand({ Resource: arn })));
    return Object.fromEntries((out.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  }

  async #distribution(d: AwsDistribution, etag: string, tags?: Record<string, string>): Promise<Distribution> {
    const arn = required(d.ARN, 'ARN');
    const config = required(d.DistributionConfig, 'DistributionConfig');
    return {
      id: required(d.Id, 'Id'),
      arn,
      domainName: required(d.DomainName, 'DomainName'),
      status: d.Status === 'Deployed' ? 'Deployed' : 'InProgress',
      lastModifiedTime: (d.LastModifiedTime ?? new Date(0)).toISOString(),
      etag,
      callerReference: config.CallerReference ?? '',
      tags: tags ?? (await this.#tags(arn)),
      config: fromAwsConfig(config),
    };
  }

  async listDistributions(): Promise<DistributionSummary[]> {
    const summaries: AwsDistributionSummary[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#call('list distributions', () => this.#cf.send(new ListDistributionsCommand({ ...(marker === undefined ? {} : { Marker: marker }), MaxItems: 100 })));
      summaries.push(...(page.DistributionList?.Items ?? []));
      marker = page.DistributionList?.IsTruncated === true ? page.DistributionList.NextMarker : undefined;
    } while (marker !== undefined);
    return summaries.map((s) => {
      const behaviors = [s.DefaultCacheBehavior, ...(s.CacheBehaviors?.Items ?? [])];
      const geo = s.Restrictions?.GeoRestriction;
      return {
        id: s.Id ?? '',
        arn: s.ARN ?? '',
        domainName: s.DomainName ?? '',
        status: s.Status === 'Deployed' ? 'Deployed' : 'InProgress',
        lastModifiedTime: (s.LastModifiedTime ?? new Date(0)).toISOString(),
        enabled: s.Enabled ?? false,
        comment: s.Comment ?? '',
        aliases: s.Aliases?.Items ?? [],
        priceClass: s.PriceClass === 'PriceClass_100' || s.PriceClass === 'PriceClass_200' ? s.PriceClass : 'PriceClass_All',
        geoRestriction: { type: geo?.RestrictionType === 'whitelist' ? 'allow' : geo?.RestrictionType === 'blacklist' ? 'block' : 'none', countries: geo?.Items ?? [] },
        realtimeLogConfigArns: [...new Set(behaviors.map((b) => b?.RealtimeLogConfigArn).filter((a): a is string => a !== undefined && a !== ''))],
      } satisfies DistributionSummary;
    });
  }

  async getDistribution(id: string): Promise<Distribution> {
    const out = await this.#call(`distribution ${id}`, () => this.#cf.send(new GetDistributionCommand({ Id: id })));
    return this.#distribution(required(out.Distribution, 'Distribution'), required(out.ETag, 'ETag'));
  }

  async createDistribution(input: NewDistribution): Promise<Distribution> {
    const config = toAwsConfig(input.config, input.callerReference);
    const tags = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
    const out = await this.#call('create distribution', () =>
      tags.length === 0
        ? this.#cf.send(new CreateDistributionCommand({ DistributionConfig: config }))
        : this.#cf.send(new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: { DistributionConfig: config, Tags: { Items: tags } } })),
    );
    return this.#distribution(required(out.Distribution, 'Distribution'), required(out.ETag, 'ETag'), { ...input.tags });
  }

  async updateDistribution(id: string, config: Distribution['config'], ifMatch: string): Promise<Distribution> {
    // Members edgewatch does not model are carried over from the version the change was made from.
    const current = await this.#call(`distribution ${id}`, () => this.#cf.send(new GetDistributionConfigCommand({ Id: id })));
    if (current.ETag !== ifMatch) {
      throw new ControlPlaneError('precondition_failed', `distribution ${id} changed since version ${ifMatch} was read (now ${current.ETag ?? '?'}): read it again and re-apply the change`, undefined, 'PreconditionFailed');
    }
    const base = required(current.DistributionConfig, 'DistributionConfig');
    const out = await this.#call(`update distribution ${id}`, () =>
      this.#cf.send(new UpdateDistributionCommand({ Id: id, IfMatch: ifMatch, DistributionConfig: toAwsConfig(config, base.CallerReference ?? '', base) })),
    );
    return this.#distribution(required(out.Distribution, 'Distribution'), required(out.ETag, 'ETag'));
  }

  async deleteDistribution(id: string, ifMatch: string): Promise<void> {
    await this.#call(`delete distribution ${id}`, () => this.#cf.send(new DeleteDistributionCommand({ Id: id, IfMatch: ifMatch })));
  }

  async createInvalidation(distributionId: string, paths: readonly string[], callerReference: string): Promise<Invalidation> {
    const out = await this.#call(`invalidate ${distributionId}`, () =>
      this.#cf.send(new CreateInvalidationCommand({ DistributionId: distributionId, InvalidationBatch: { Paths: { Quantity: paths.length, Items: [...paths] }, CallerReference: callerReference } })),
    );
    const inv = required(out.Invalidation, 'Invalidation');
    return {
      id: inv.Id ?? '',
      distributionId,
      status: inv.Status === 'Completed' ? 'Completed' : 'InProgress',
      createTime: (inv.CreateTime ?? new Date()).toISOString(),
      paths: inv.InvalidationBatch?.Paths?.Items ?? [...paths],
      callerReference,
    };
  }

  async listInvalidations(distributionId: string): Promise<Invalidation[]> {
    const out = await this.#call(`invalidations of ${distributionId}`, () => this.#cf.send(new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 50 })));
    const summaries = out.InvalidationList?.Items ?? [];
    // The list has no paths; the few most recent are read in full.
    return Promise.all(
      summaries.slice(0, 10).map(async (s) => {
        const full = await this.#call(`invalidation ${s.Id ?? ''}`, () => this.#cf.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: s.Id ?? '' })));
        const batch = full.Invalidation?.InvalidationBatch;
        return {
          id: s.Id ?? '',
          distributionId,
          status: s.Status === 'Completed' ? ('Completed' as const) : ('InProgress' as const),
          createTime: (s.CreateTime ?? new Date(0)).toISOString(),
          paths: batch?.Paths?.Items ?? [],
          callerReference: batch?.CallerReference ?? '',
        };
      }),
    );
  }

  async listRealtimeLogConfigs(): Promise<RealtimeLogConfig[]> {
    const configs: RealtimeLogConfig[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#call('list real-time log configs', () => this.#cf.send(new ListRealtimeLogConfigsCommand({ ...(marker === undefined ? {} : { Marker: marker }), MaxItems: 100 })));
      configs.push(...(page.RealtimeLogConfigs?.Items ?? []).map(fromAwsLogConfig));
      marker = page.RealtimeLogConfigs?.IsTruncated === true ? page.RealtimeLogConfigs.NextMarker : undefined;
    } while (marker !== undefined);
    return configs;
  }

  async getRealtimeLogConfig(name: string): Promise<RealtimeLogConfig> {
    const out = await this.#call(`real-time log config ${name}`, () => this.#cf.send(new GetRealtimeLogConfigCommand({ Name: name })));
    return fromAwsLogConfig(required(out.RealtimeLogConfig, 'RealtimeLogConfig'));
  }

  #endpoints(spec: LogConfigSpec) {
    return [{ StreamType: 'Kinesis', KinesisStreamConfig: { RoleARN: spec.roleArn, StreamARN: spec.streamArn } }];
  }

  async createRealtimeLogConfig(spec: LogConfigSpec): Promise<RealtimeLogConfig> {
    // No field-count check here: CloudFront decides (the old limit of 40 is outdated) and its answer is passed on.
    const out = await this.#call(`create real-time log config ${spec.name}`, () =>
      this.#cf.send(new CreateRealtimeLogConfigCommand({ Name: spec.name, SamplingRate: spec.samplingRate, Fields: [...spec.fields], EndPoints: this.#endpoints(spec) })),
    );
    return fromAwsLogConfig(required(out.RealtimeLogConfig, 'RealtimeLogConfig'));
  }

  async updateRealtimeLogConfig(spec: LogConfigSpec): Promise<RealtimeLogConfig> {
    // Update replaces the whole config: every member is sent (§4.2).
    const out = await this.#call(`update real-time log config ${spec.name}`, () =>
      this.#cf.send(new UpdateRealtimeLogConfigCommand({ Name: spec.name, SamplingRate: spec.samplingRate, Fields: [...spec.fields], EndPoints: this.#endpoints(spec) })),
    );
    return fromAwsLogConfig(required(out.RealtimeLogConfig, 'RealtimeLogConfig'));
  }

  async deleteRealtimeLogConfig(name: string): Promise<void> {
    await this.#call(`delete real-time log config ${name}`, () => this.#cf.send(new DeleteRealtimeLogConfigCommand({ Name: name })));
  }

  async describeStream(stream: string): Promise<StreamDescription> {
    const byArn = stream.startsWith('arn:');
    const out = await this.#call(`Kinesis stream ${stream}`, () => this.#kinesis.send(new DescribeStreamSummaryCommand(byArn ? { StreamARN: stream } : { StreamName: stream })));
    const s = required(out.StreamDescriptionSummary, 'StreamDescriptionSummary');
    return {
      name: s.StreamName ?? stream,
      arn: s.StreamARN ?? stream,
      status: s.StreamStatus ?? 'ACTIVE',
      shardCount: s.OpenShardCount ?? 0,
      kmsKeyArn: s.EncryptionType === 'KMS' ? (s.KeyId ?? null) : null,
    };
  }

  async createStream(input: NewStream): Promise<StreamDescription> {
    await this.#call(`create Kinesis stream ${input.name}`, () => this.#kinesis.send(new CreateStreamCommand({ StreamName: input.name, ShardCount: input.shardCount, StreamModeDetails: { StreamMode: 'PROVISIONED' } })));
    return this.describeStream(input.name);
  }

  async createLogRole(input: NewLogRole): Promise<string> {
    const account = accountOfArn(input.streamArn);
    if (account === null) throw new ControlPlaneError('invalid', `cannot tell the account of stream ${input.streamArn}`, 'stream');
    const role = await this.#call(`create role ${input.roleName}`, () =>
      this.#iam.send(
        new CreateRoleCommand({
          RoleName: input.roleName,
          AssumeRolePolicyDocument: JSON.stringify(logRoleTrustPolicy(account)),
          Description: 'Lets CloudFront write real-time logs into a Kinesis stream (created by edgewatch)',
        }),
      ),
    );
    await this.#call(`policy of role ${input.roleName}`, () =>
      this.#iam.send(new PutRolePolicyCommand({ RoleName: input.roleName, PolicyName: 'cloudfront-realtime-logs-to-kinesis', PolicyDocument: JSON.stringify(logRolePermissionPolicy(input.streamArn, input.kmsKeyArn)) })),
    );
    return required(role.Role?.Arn, 'Role.Arn');
  }
}

