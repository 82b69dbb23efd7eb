/**
 * JSON schemas of the control-plane routes (bodies, query strings, responses), which also make their
 * OpenAPI document. Request bodies are read strictly by config-input.ts before these schemas apply
 * (an unknown field or a wrong type is a 400 naming the field); in a request every member of a config
 * is optional and takes CloudFront's default, in a response every member is present.
 */
import {
  CERTIFICATE_SOURCES,
  COOKIE_FORWARDING,
  DEPLOYMENT_STATUSES,
  FUNCTION_EVENT_TYPES,
  GEO_RESTRICTION_TYPES,
  HTTP_METHODS,
  HTTP_VERSIONS,
  LAMBDA_EVENT_TYPES,
  MINIMUM_PROTOCOL_VERSIONS,
  ORIGIN_KINDS,
  ORIGIN_PROTOCOL_POLICIES,
  ORIGIN_SSL_PROTOCOLS,
  PRICE_CLASSES,
  SSL_SUPPORT_METHODS,
  VIEWER_PROTOCOL_POLICIES,
} from '../../processor/control-plane/model.js';

type Schema = Record<string, unknown>;

/** An object schema; in responses every property is required. */
function obj(properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties), extra: Schema = {}): Schema {
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties, ...extra };
}

const str: Schema = { type: 'string' };
const nullableStr: Schema = { type: ['string', 'null'] };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const strings: Schema = { type: 'array', items: str };
const time: Schema = { type: 'string', format: 'date-time' };
const anyValue: Schema = { description: 'Any JSON value (absent on one side of an added or removed member: null).' };
const enumOf = (values: readonly string[]): Schema => ({ type: 'string', enum: values });
const enumArray = (values: readonly string[]): Schema => ({ type: 'array', items: enumOf(values) });

/** Schemas of a config's parts; `required` false gives the request form (all optional). */
function parts(required: boolean) {
  const o = (properties: Record<string, Schema>, extra: Schema = {}) => obj(properties, required ? Object.keys(properties) : [], extra);
  const origin = o(
    {
      id: str,
      kind: { ...enumOf(ORIGIN_KINDS), description: 's3: an S3 bucket (REST endpoint) behind origin access control; mediapackage: a MediaPackage endpoint; custom: any HTTP server.' },
      domainName: str,
      originPath: str,
      customHeaders: { type: 'array', items: obj({ name: str, value: str }) },
      connectionAttempts: { ...int, minimum: 1, maximum: 3 },
      connectionTimeoutS: { ...int, minimum: 1, maximum: 10 },
      readTimeoutS: { ...int, minimum: 1, maximum: 120 },
      keepaliveTimeoutS: { ...int, minimum: 1, maximum: 120 },
      originShieldRegion: nullableStr,
      originAccessControlId: { ...nullableStr, description: 'S3 origins: the origin access control, so only CloudFront can read the bucket.' },
      protocolPolicy: enumOf(ORIGIN_PROTOCOL_POLICIES),
      httpPort: int,
      httpsPort: int,
      sslProtocols: enumArray(ORIGIN_SSL_PROTOCOLS),
    },
    { description: 'At most 25 origins per distribution.' },
  );
  const originGroup = o({ id: str, primaryOriginId: str, secondaryOriginId: str, failoverStatusCodes: { type: 'array', items: int } });
  const forwardedValues = {
    ...o({ queryString: bool, queryStringCacheKeys: strings, cookies: enumOf(COOKIE_FORWARDING), cookieNames: strings, headers: strings }),
    type: ['object', 'null'],
    description: 'Legacy forwarding, when the behavior has no cache policy.',
  };
  const behavior = o({
    pathPattern: { ...str, description: '`*` for the default behavior. Behaviors match in list order: the first match wins.' },
    targetOriginId: str,
    viewerProtocolPolicy: enumOf(VIEWER_PROTOCOL_POLICIES),
    allowedMethods: { ...enumArray(HTTP_METHODS), description: 'GET,HEAD · GET,HEAD,OPTIONS · all seven.' },
    cachedMethods: { ...enumArray(HTTP_METHODS), description: 'GET,HEAD or GET,HEAD,OPTIONS.' },
    compress: bool,
    smoothStreaming: bool,
    cachePolicyId: nullableStr,
    originRequestPolicyId: nullableStr,
    responseHeadersPolicyId: nullableStr,
    forwardedValues,
    minTtlS: int,
    defaultTtlS: int,
    maxTtlS: int,
    trustedKeyGroups: { ...strings, description: 'Key groups for signed URLs and cookies; empty: none needed.' },
    lambdaFunctionAssociations: { type: 'array', items: obj({ eventType: enumOf(LAMBDA_EVENT_TYPES), lambdaFunctionArn: str, includeBody: bool }) },
    functionAssociations: { type: 'array', items: obj({ eventType: enumOf(FUNCTION_EVENT_TYPES), functionArn: str }) },
    realtimeLogConfigArn: nullableStr,
  });
  const config = o({
    comment: { ...str, maxLength: 128 },
    enabled: bool,
    aliases: strings,
    defaultRootObject: str,
    origins: { type: 'array', items: origin },
    originGroups: { type: 'array', items: originGroup },
    defaultCacheBehavior: behavior,
    cacheBehaviors: { type: 'array', items: behavior },
    customErrorResponses: {
      type: 'array',
      items: obj({ errorCode: int, responsePagePath: nullableStr, responseCode: nullableStr, errorCachingMinTtlS: int }, required ? undefined : ['errorCode']),
    },
    geoRestriction: o({ type: enumOf(GEO_RESTRICTION_TYPES), countries: { ...strings, description: 'ISO 3166-1 alpha-2 codes.' } }),
    viewerCertificate: o({
      source: enumOf(CERTIFICATE_SOURCES),
      acmCertificateArn: nullableStr,
      iamCertificateId: nullableStr,
      sslSupportMethod: enumOf(SSL_SUPPORT_METHODS),
      minimumProtocolVersion: enumOf(MINIMUM_PROTOCOL_VERSIONS),
    }),
    priceClass: enumOf(PRICE_CLASSES),
    httpVersion: enumOf(HTTP_VERSIONS),
    isIpv6Enabled: bool,
    webAclId: nullableStr,
  });
  return { config };
}

export const distributionConfigSchema = parts(true).config;
export const distributionConfigInputSchema = parts(false).config;

const tags: Schema = { type: 'object', additionalProperties: str };

export const warningSchema = obj(
  { code: enumOf(['managed-by-iac', 'public-s3-origin', 'deployment-in-progress', 'aws-decides']), message: str, field: nullableStr },
  ['code', 'message', 'field'],
);
const warnings: Schema = { type: 'array', items: warningSchema };

export const diffEntrySchema = obj({ path: { ...str, description: 'Dotted path of the member: `cacheBehaviors[0].viewerProtocolPolicy`.' }, before: anyValue, after: anyValue }, ['path']);
const diff: Schema = { type: 'array', items: diffEntrySchema };

export const distributionSchema = obj({
  id: str,
  arn: str,
  domainName: str,
  status: enumOf(DEPLOYMENT_STATUSES),
  lastModifiedTime: time,
  etag: str,
  callerReference: str,
  tags,
  config: distributionConfigSchema,
});

export const distributionSummarySchema = obj({
  id: str,
  arn: str,
  domainName: str,
  status: enumOf(DEPLOYMENT_STATUSES),
  lastModifiedTime: time,
  enabled: bool,
  comment: str,
  aliases: strings,
  priceClass: enumOf(PRICE_CLASSES),
  geoRestriction: obj({ type: enumOf(GEO_RESTRICTION_TYPES), countries: strings }),
  realtimeLogConfigArns: strings,
});

export const idParams = obj({ id: { type: 'string', pattern: '^[A-Z0-9]{1,32}$' } }, ['id'], { additionalProperties: false });
export const nameParams = obj({ name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }, ['name'], { additionalProperties: false });
export const emptyQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
export const dryRunQuery = obj({ dryRun: { type: 'boolean', description: 'true: validate and return the diff without applying.' } }, [], { additionalProperties: false });
export const ifMatchHeaders = obj({ 'if-match': { type: 'string', description: 'The ETag of the version the change was made from.' } }, ['if-match']);

export const distributionListResponse = obj({ provider: enumOf(['local', 'aws']), distributions: { type: 'array', items: distributionSummarySchema } });
export const distributionResponse = obj({ distribution: distributionSchema, warnings });
/** A change's answer: applied (`dryRun` false, with the resulting distribution) or only checked. */
export const distributionChangeResponse = obj(
  { dryRun: bool, diff, warnings, distribution: { ...distributionSchema, type: ['object', 'null'] } },
  ['dryRun', 'diff', 'warnings', 'distribution'],
);
export const createDistributionBody = obj(
  { config: distributionConfigInputSchema, tags, callerReference: { type: 'string', maxLength: 128 } },
  ['config'],
  { description: 'Members left out take CloudFront’s defaults; at least one origin is needed.' },
);
export const updateDistributionBody = obj({ config: distributionConfigInputSchema }, ['config'], {
  description: 'The whole new config (as CloudFront, nothing is merged); send the ETag read with it as If-Match.',
});
export const deploymentResponse = obj({ id: str, status: enumOf(DEPLOYMENT_STATUSES), lastModifiedTime: time, etag: str });

export const invalidationSchema = obj({ id: str, distributionId: str, status: enumOf(['InProgress', 'Completed']), createTime: time, paths: strings, callerReference: str });
export const invalidationBody = obj({ paths: { type: 'array', items: str, minItems: 1, maxItems: 3000 } }, ['paths']);
export const invalidationListResponse = obj({ invalidations: { type: 'array', items: invalidationSchema } });
export const invalidationResponse = obj({ invalidation: invalidationSchema });

// Real-time log configs

/** The cost estimate of a log config (also part of a create answer). */
function estimateSchemaOf(): Schema {
  return obj({
  linesPerSecond: { type: 'number' },
  linesPerMonth: { type: 'number' },
  bytesPerRecord: { type: 'number' },
  megabytesPerSecond: { type: 'number' },
  suggestedShards: { ...int, description: 'Provisioned shards for the write load (1,000 records/s and 1 MiB/s per shard), with 25% headroom.' },
  monthlyUsd: obj({
    logLines: { type: ['number', 'null'] },
    shardHours: { type: ['number', 'null'] },
    putPayloadUnits: { type: ['number', 'null'] },
    total: { type: 'number', description: 'Sum of the lines whose price is known; a null line has no public price.' },
  }),
  assumptions: strings,
  });
}

const attachment = obj({ distributionId: str, pathPattern: str });
const parserLayout = obj({
  fieldCount: int,
  fields: strings,
  samplingRate: int,
  retiredAt: { type: ['string', 'null'], format: 'date-time', description: 'null for the current layout.' },
});
export const realtimeLogConfigSchema = obj({
  name: str,
  arn: str,
  samplingRate: int,
  fields: strings,
  streamArn: str,
  roleArn: str,
  attachedTo: { type: 'array', items: attachment, description: 'Cache behaviors that log through this config (`*`: the default behavior).' },
  parserLayouts: {
    type: 'array',
    items: parserLayout,
    description: 'Layouts ingestion parses this stream’s records with: the current one first, then earlier ones still in the stream.',
  },
});
export const logConfigListResponse = obj({ provider: enumOf(['local', 'aws']), configs: { type: 'array', items: realtimeLogConfigSchema } });
export const logConfigResponse = obj({ config: realtimeLogConfigSchema, warnings });

const streamChoice = obj(
  {
    arn: { ...str, description: 'An existing stream.' },
    create: obj({ name: str, shardCount: { ...int, minimum: 1 }, expectedRequestsPerSecond: { type: 'number', minimum: 0 } }, ['name'], {
      description: 'A new stream; the shard count defaults to the one suggested for expectedRequestsPerSecond.',
    }),
  },
  [],
  { description: 'Exactly one of arn, create.' },
);
const roleChoice = obj(
  { arn: { ...str, description: 'An existing role CloudFront can assume.' }, create: obj({ name: str }, ['name'], { description: 'A new role with the trust and permission policies CloudFront needs (and kms:GenerateDataKey for an encrypted stream).' }) },
  [],
  { description: 'Exactly one of arn, create.' },
);
export const createLogConfigBody = obj(
  { name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, samplingRate: { ...int, minimum: 1, maximum: 100 }, fields: { ...strings, minItems: 1 }, stream: streamChoice, role: roleChoice },
  ['name', 'samplingRate', 'fields', 'stream', 'role'],
);
export const updateLogConfigBody = obj(
  { samplingRate: { ...int, minimum: 1, maximum: 100 }, fields: { ...strings, minItems: 1 }, streamArn: str, roleArn: str },
  [],
  { description: 'Members left out keep their value (the whole config is then sent to CloudFront).' },
);
export const logConfigChangeResponse = obj(
  { dryRun: bool, diff, warnings, config: { ...realtimeLogConfigSchema, type: ['object', 'null'] }, estimate: { ...estimateSchemaOf(), type: ['object', 'null'] } },
  ['dryRun', 'diff', 'warnings', 'config'],
);
export const attachmentBody = obj({ distributionId: str, pathPattern: { ...str, description: '`*` for the default behavior.' } }, ['distributionId', 'pathPattern']);
export const attachmentResponse = obj({ dryRun: bool, diff, warnings, distribution: { ...distributionSchema, type: ['object', 'null'] } }, ['dryRun', 'diff', 'warnings', 'distribution']);

const fieldInfo = obj({
  name: str,
  position: int,
  typicalBytes: { ...int, description: 'Typical size of the value in a record, in bytes (with its tab).' },
  maxBytes: { ...int, description: 'Largest size CloudFront writes (headers and cookies are capped at 800 bytes).' },
});
export const fieldCatalogueResponse = obj({
  groups: { type: 'array', items: obj({ id: str, label: str, fields: { type: 'array', items: fieldInfo } }) },
  pricePerMillionLinesUsd: { type: ['number', 'null'] },
});

export const estimateBody = obj(
  { requestsPerSecond: { type: 'number', minimum: 0 }, samplingRate: { ...int, minimum: 1, maximum: 100 }, fields: { ...strings, minItems: 1 } },
  ['requestsPerSecond', 'samplingRate', 'fields'],
);
export const estimateSchema = estimateSchemaOf();

// Change markers and the audit log

export const changesQuery = obj(
  { from: str, to: str, distribution: str, limit: { ...int, minimum: 1, maximum: 1000 } },
  [],
  { additionalProperties: false },
);
export const changeMarkerSchema = obj({
  at: time,
  action: str,
  resourceType: enumOf(['distribution', 'realtime-log-config', 'invalidation']),
  resourceId: str,
  distributionId: str,
  summary: str,
  actor: str,
});
export const changesResponse = obj({ markers: { type: 'array', items: changeMarkerSchema } });
export const auditEntrySchema = obj({
  id: str,
  at: time,
  actor: str,
  actorRole: str,
  action: str,
  resourceType: str,
  resourceId: str,
  provider: str,
  outcome: enumOf(['applied', 'failed']),
  error: str,
  before: anyValue,
  after: anyValue,
  diff,
});
export const auditResponse = obj({ entries: { type: 'array', items: auditEntrySchema } });
