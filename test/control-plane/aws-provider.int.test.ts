/**
 * The AWS provider behind the control-plane routes, with CloudFront, Kinesis and IAM mocked by
 * aws-sdk-client-mock (no local CloudFront exists): requests and answers in the SDK's shapes, the
 * audit log in embedded ClickHouse.
 */
import fs from 'node:fs';
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateRealtimeLogConfigCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetRealtimeLogConfigCommand,
  InvalidArgument,
  InvalidLocationCode,
  ListDistributionsCommand,
  ListRealtimeLogConfigsCommand,
  ListTagsForResourceCommand,
  PreconditionFailed,
  UpdateDistributionCommand,
  type Distribution as AwsDistribution,
  type DistributionConfig as AwsDistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClickHouseAuditLog } from '../../api/control-plane/audit-log.js';
import { AwsControlPlaneProvider } from '../../api/control-plane/aws-provider.js';
import { controlPlaneRoutes } from '../../api/control-plane/control-plane-routes.js';
import { ControlPlaneService } from '../../api/control-plane/control-plane-service.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { FileLogConfigRegistry } from '../../processor/registry/log-config-registry.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { asAdmin, buildTestApp, errorOf } from '../support/api-test-kit.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const cf = mockClient(CloudFrontClient);
const kinesis = mockClient(KinesisClient);
const iam = mockClient(IAMClient);

const ACCOUNT = '111122223333';
const ID = 'EDFDVBD632BHDS';
const ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/${ID}`;

/** A config as CloudFront returns it, with members edgewatch does not model (logging, FLE, gRPC). */
function awsConfig(overrides: Partial<AwsDistributionConfig> = {}): AwsDistributionConfig {
  return {
    CallerReference: 'terraform-20250101',
    Comment: 'shop',
    Enabled: true,
    Aliases: { Quantity: 0, Items: [] },
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 'bucket',
          DomainName: 'shop-assets.s3.us-east-1.amazonaws.com',
          OriginPath: '',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '', OriginReadTimeout: 30 },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: 'E2QWRUHAPOMQZL',
        },
      ],
    },
    OriginGroups: { Quantity: 0 },
    DefaultCacheBehavior: {
      TargetOriginId: 'bucket',
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'], CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
      Compress: true,
      SmoothStreaming: false,
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      FieldLevelEncryptionId: 'C3ZBPQG8FYV3WY',
      GrpcConfig: { Enabled: false },
      TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      LambdaFunctionAssociations: { Quantity: 0 },
      FunctionAssociations: { Quantity: 0 },
    },
    CacheBehaviors: { Quantity: 0 },
    CustomErrorResponses: { Quantity: 0 },
    Logging: { Enabled: true, IncludeCookies: false, Bucket: 'logs.s3.amazonaws.com', Prefix: 'cf/' },
    PriceClass: 'PriceClass_100',
    ViewerCertificate: { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: 'TLSv1' },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    ...overrides,
  };
}

function awsDistribution(config: AwsDistributionConfig, status = 'Deployed'): AwsDistribution {
  return {
    Id: ID,
    ARN,
    Status: status,
    LastModifiedTime: new Date('2026-11-30T04:00:00Z'),
    InProgressInvalidationBatches: 0,
    DomainName: 'd111111abcdef8.cloudfront.net',
    DistributionConfig: config,
  };
}

let dataDir: string;
let ch: ClickHouse;
let app: FastifyInstance;
let registry: FileLogConfigRegistry;

beforeAll(async () => {
  dataDir = tempDataDir('cp-aws');
  ch = await migrated(dataDir, 'cp_aws');
  registry = new FileLogConfigRegistry(dataDir);
  const provider = new AwsControlPlaneProvider({
    region: 'us-east-1',
    cloudfront: new CloudFrontClient({ region: 'us-east-1', credentials }),
    kinesis: new KinesisClient({ region: 'us-east-1', credentials }),
    iam: new IAMClient({ region: 'us-east-1', credentials }),
  });
  const service = new ControlPlaneService({ provider, audit: new ClickHouseAuditLog(ch), logConfigs: registry });
  ({ app } = await buildTestApp({ routes: [controlPlaneRoutes({ service })] }));
});

afterAll(async () => {
  await app.close();
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  cf.reset();
  kinesis.reset();
  iam.reset();
  cf.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [{ Key: 'managed-by', Value: 'terraform' }] } });
});

describe('AWS provider: distributions', () => {
  it('creates a distribution with CloudFront’s list shapes and S3 origin access control', async () => {
    cf.on(CreateDistributionCommand).callsFake((input: { DistributionConfig: AwsDistributionConfig }) => ({ Distribution: awsDistribution(input.DistributionConfig, 'InProgress'), ETag: 'E1NEW' }));
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/distributions',
      headers: asAdmin,
      payload: {
        callerReference: 'ref-1',
        config: {
          comment: 'shop',
          origins: [{ id: 'bucket', kind: 's3', domainName: 'shop-assets.s3.us-east-1.amazonaws.com', originAccessControlId: 'E2QWRUHAPOMQZL' }],
          geoRestriction: { type: 'block', countries: ['KP', 'IR'] },
        },
      },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers.etag).toBe('E1NEW');
    const sent = cf.commandCalls(CreateDistributionCommand)[0]!.args[0].input.DistributionConfig!;
    expect(sent.CallerReference).toBe('ref-1');
    expect(sent.Origins).toMatchObject({ Quantity: 1, Items: [{ Id: 'bucket', S3OriginConfig: { OriginAccessIdentity: '' }, OriginAccessControlId: 'E2QWRUHAPOMQZL' }] });
    expect(sent.Origins!.Items![0]!.CustomOriginConfig).toBeUndefined();
    expect(sent.Restrictions?.GeoRestriction).toEqual({ RestrictionType: 'blacklist', Quantity: 2, Items: ['KP', 'IR'] });
    expect(sent.DefaultCacheBehavior?.AllowedMethods).toEqual({ Quantity: 2, Items: ['GET', 'HEAD'], CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] } });
    const body = response.json<{ distribution: { id: string; status: string; config: { geoRestriction: unknown } } }>();
    expect(body.distribution).toMatchObject({ id: ID, status: 'InProgress', config: { geoRestriction: { type: 'block', countries: ['KP', 'IR'] } } });
  });

  it('updates through the ETag: If-Match goes to UpdateDistribution and unmodelled members survive', async () => {
    const current = awsConfig();
    cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(current), ETag: 'E2OLD' });
    cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: current, ETag: 'E2OLD' });
    cf.on(UpdateDistributionCommand).callsFake((input: { DistributionConfig: AwsDistributionConfig }) => ({ Distribution: awsDistribution(input.DistributionConfig, 'InProgress'), ETag: 'E3NEW' }));

    const read = await app.inject({ method: 'GET', url: `/api/v1/distributions/${ID}`, headers: asAdmin });
    expect(read.statusCode).toBe(200);
    const { distribution, warnings } = read.json<{ distribution: { etag: string; config: Record<string, unknown> }; warnings: Array<{ code: string }> }>();
    expect(distribution.etag).toBe('E2OLD');
    expect(warnings.map((w) => w.code)).toContain('managed-by-iac');

    const config = { ...distribution.config, geoRestriction: { type: 'block', countries: ['US'] } };
    const dry = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}?dryRun=true`, headers: { ...asAdmin, 'if-match': 'E2OLD' }, payload: { config } });
    expect(dry.statusCode).toBe(200);
    expect(dry.json<{ dryRun: boolean; diff: Array<{ path: string }> }>()).toMatchObject({ dryRun: true, diff: [{ path: 'geoRestriction.type' }, { path: 'geoRestriction.countries' }] });
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);

    const applied = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: { ...asAdmin, 'if-match': 'E2OLD' }, payload: { config } });
    expect(applied.statusCode).toBe(200);
    expect(applied.headers.etag).toBe('E3NEW');
    const call = cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
    expect(call.IfMatch).toBe('E2OLD');
    expect(call.Id).toBe(ID);
    expect(call.DistributionConfig?.CallerReference).toBe('terraform-20250101');
    expect(call.DistributionConfig?.Logging).toEqual(current.Logging);
    expect(call.DistributionConfig?.DefaultCacheBehavior?.FieldLevelEncryptionId).toBe('C3ZBPQG8FYV3WY');
    expect(call.DistributionConfig?.Restrictions?.GeoRestriction).toEqual({ RestrictionType: 'blacklist', Quantity: 1, Items: ['US'] });
  });

  it('reports a concurrent change (PreconditionFailed) as a 409 and never overwrites it', async () => {
    const current = awsConfig();
    cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(current), ETag: 'E2OLD' });
    cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: current, ETag: 'E2OLD' });
    cf.on(UpdateDistributionCommand).rejects(new PreconditionFailed({ message: 'The If-Match version is missing or not valid for the resource.', $metadata: { httpStatusCode: 412 } }));
    const config = { origins: [{ id: 'bucket', kind: 's3', domainName: 'shop-assets.s3.us-east-1.amazonaws.com', originAccessControlId: 'E2QWRUHAPOMQZL' }] };
    const raced = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: { ...asAdmin, 'if-match': 'E2OLD' }, payload: { config } });
    expect(raced.statusCode).toBe(409);
    expect(errorOf(raced).error.code).toBe('conflict');
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);

    // A client holding an older ETag is refused before anything is sent.
    const stale = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: { ...asAdmin, 'if-match': 'E1OLDER' }, payload: { config } });
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale).error.message).toMatch(/changed since version E1OLDER/);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);

    const missing = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: asAdmin, payload: { config } });
    expect(missing.statusCode).toBe(400);
  });

  it('passes CloudFront’s validation errors on as 400s naming the member', async () => {
    const current = awsConfig();
    cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(current), ETag: 'E2OLD' });
    cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: current, ETag: 'E2OLD' });
    cf.on(UpdateDistributionCommand)
      .rejectsOnce(new InvalidLocationCode({ message: 'The location code specified is not valid.', $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(new InvalidArgument({ message: 'The parameter HttpVersion is not supported with the current configuration.', $metadata: { httpStatusCode: 400 } }));
    const config = { origins: [{ id: 'bucket', kind: 's3', domainName: 'shop-assets.s3.us-east-1.amazonaws.com', originAccessControlId: 'E2QWRUHAPOMQZL' }], geoRestriction: { type: 'block', countries: ['XK'] } };
    const location = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: { ...asAdmin, 'if-match': 'E2OLD' }, payload: { config } });
    expect(location.statusCode).toBe(400);
    expect(errorOf(location).error.parameter).toBe('config.geoRestriction.countries');
    const argument = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: { ...asAdmin, 'if-match': 'E2OLD' }, payload: { config } });
    expect(argument.statusCode).toBe(400);
    expect(errorOf(argument).error.parameter).toMatch(/HttpVersion/);
    // edgewatch's own checks answer before CloudFront is asked.
    const own = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${ID}`, headers: { ...asAdmin, 'if-match': 'E2OLD' }, payload: { config: { ...config, comment: 'x'.repeat(200) } } });
    expect(own.statusCode).toBe(400);
    expect(errorOf(own).error.parameter).toBe('config.comment');
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(2);
  });
});

describe('AWS provider: real-time log configs', () => {
  it('creates the stream, the role with §4.4’s policies (KMS for an encrypted stream) and the config, then attaches it', async () => {
    const streamArn = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/cf-rtl`;
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    kinesis.on(CreateStreamCommand).resolves({});
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: {
        StreamName: 'cf-rtl',
        StreamARN: streamArn,
        StreamStatus: 'CREATING',
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: new Date(),
        EnhancedMonitoring: [],
        OpenShardCount: 2,
        EncryptionType: 'KMS',
        KeyId: keyArn,
      },
    });
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName: 'cf-rtl', Arn: `arn:aws:iam::${ACCOUNT}:role/cf-rtl`, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() } });
    iam.on(PutRolePolicyCommand).resolves({});
    cf.on(ListRealtimeLogConfigsCommand).resolves({ RealtimeLogConfigs: { MaxItems: 100, IsTruncated: false, Marker: '', Items: [] } });
    cf.on(ListDistributionsCommand).resolves({ DistributionList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0, Items: [] } });
    const created = {
      ARN: `arn:aws:cloudfront::${ACCOUNT}:realtime-log-config/edge-rt-logs`,
      Name: 'edge-rt-logs',
      SamplingRate: 10,
      Fields: ['timestamp', 'c-ip', 'sc-status', 'x-edge-request-id', 'x-host-header', 'c-country'],
      EndPoints: [{ StreamType: 'Kinesis', KinesisStreamConfig: { RoleARN: `arn:aws:iam::${ACCOUNT}:role/cf-rtl`, StreamARN: streamArn } }],
    };
    cf.on(CreateRealtimeLogConfigCommand).resolves({ RealtimeLogConfig: created });

    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/realtime-log-configs',
      headers: asAdmin,
      payload: {
        name: 'edge-rt-logs',
        samplingRate: 10,
        fields: ['c-country', 'x-host-header', 'timestamp', 'c-ip', 'sc-status', 'x-edge-request-id'],
        stream: { create: { name: 'cf-rtl', expectedRequestsPerSecond: 20_000 } },
        role: { create: { name: 'cf-rtl' } },
      },
    });
    expect(response.statusCode).toBe(201);
    expect(kinesis.commandCalls(CreateStreamCommand)[0]!.args[0].input).toMatchObject({ StreamName: 'cf-rtl', ShardCount: 3 });
    const role = iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(JSON.parse(role.AssumeRolePolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }],
    });
    const policy = JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!) as { Statement: unknown[] };
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['kinesis:DescribeStreamSummary', 'kinesis:DescribeStream', 'kinesis:PutRecord', 'kinesis:PutRecords'], Resource: [streamArn] },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [keyArn] },
    ]);
    const sent = cf.commandCalls(CreateRealtimeLogConfigCommand)[0]!.args[0].input;
    // Fields go in canonical order: what the parser will expect.
    expect(sent).toEqual({ Name: 'edge-rt-logs', SamplingRate: 10, Fields: created.Fields, EndPoints: created.EndPoints });
    expect(registry.forStream('cf-rtl')).toMatchObject({ name: 'edge-rt-logs', samplingRate: 10, fields: created.Fields, streamArn });

    // Attach to the default behavior: UpdateDistribution with RealtimeLogConfigArn, through the ETag.
    const current = awsConfig();
    cf.on(GetRealtimeLogConfigCommand).resolves({ RealtimeLogConfig: created });
    cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(current), ETag: 'E2OLD' });
    cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: current, ETag: 'E2OLD' });
    cf.on(UpdateDistributionCommand).callsFake((input: { DistributionConfig: AwsDistributionConfig }) => ({ Distribution: awsDistribution(input.DistributionConfig, 'InProgress'), ETag: 'E3NEW' }));
    const attach = await app.inject({ method: 'POST', url: '/api/v1/realtime-log-configs/edge-rt-logs/attachments', headers: asAdmin, payload: { distributionId: ID, pathPattern: '*' } });
    expect(attach.statusCode).toBe(200);
    const update = cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
    expect(update.IfMatch).toBe('E2OLD');
    expect(update.DistributionConfig?.DefaultCacheBehavior?.RealtimeLogConfigArn).toBe(created.ARN);
    expect(attach.json<{ diff: unknown[] }>().diff).toEqual([{ path: 'defaultCacheBehavior.realtimeLogConfigArn', before: null, after: created.ARN }]);

    const audit = await app.inject({ method: 'GET', url: '/api/v1/control-plane/audit', headers: asAdmin });
    const actions = audit.json<{ entries: Array<{ action: string; resourceType: string; actor: string; outcome: string }> }>().entries.map((e) => `${e.action} ${e.resourceType} ${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['create realtime-log-config applied', 'attach realtime-log-config applied']));
  });

  it('lets CloudFront decide on more than the old limit of 40 fields, with a warning', async () => {
    cf.on(ListRealtimeLogConfigsCommand).resolves({ RealtimeLogConfigs: { MaxItems: 100, IsTruncated: false, Marker: '', Items: [] } });
    const fields = DEFAULT_LOCAL_FIELD_NAMES.slice(0, 44);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/realtime-log-configs?dryRun=true',
      headers: asAdmin,
      payload: { name: 'wide', samplingRate: 100, fields, stream: { arn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/wide` }, role: { arn: `arn:aws:iam::${ACCOUNT}:role/cf-rtl` } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ warnings: Array<{ code: string }> }>().warnings.map((w) => w.code)).toEqual(['aws-decides']);
    expect(cf.commandCalls(CreateRealtimeLogConfigCommand)).toHaveLength(0);
  });
});
