/**
 * CloudFront's rules for a DistributionConfig (reference §4.5), checked before anything is sent, with
 * messages that name the member at fault. The AWS provider still lets CloudFront have the last word
 * (its InvalidArgument answers are passed on); the local provider relies on these checks alone.
 */
import type { CacheBehavior, DistributionConfig, HttpMethod, Origin } from '../../processor/control-plane/model.js';
import { CUSTOM_ERROR_CODES, FAILOVER_STATUS_CODES } from '../../processor/control-plane/model.js';
import { ControlPlaneError } from './provider.js';

export const LIMITS = {
  origins: 25,
  originGroups: 10,
  /** The current quota page's value (25 in 2023 docs). */
  cacheBehaviors: 75,
  aliases: 100,
  keyGroupsPerBehavior: 4,
  comment: 128,
  pathPattern: 255,
} as const;

const METHOD_SETS: readonly (readonly HttpMethod[])[] = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
  ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
];
const CACHED_SETS: readonly (readonly HttpMethod[])[] = [METHOD_SETS[0]!, METHOD_SETS[1]!];

const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ALIAS = /^(\*\.)?(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const PATH_PATTERN = /^[A-Za-z0-9_\-.*$/~"'@:+&?]+$/;
const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const S3_REST_DOMAIN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/;
const MEDIAPACKAGE_DOMAIN = /\.(mediapackage|mediapackagev2)\.[a-z0-9-]+\.amazonaws\.com$/;
const LAMBDA_VERSION_ARN = /^arn:aws:lambda:us-east-1:\d{12}:function:[A-Za-z0-9_-]{1,64}:(\d+)$/;
const FUNCTION_ARN = /^arn:aws:cloudfront::\d{12}:function\/[A-Za-z0-9_-]{1,64}$/;
const ACM_ARN = /^arn:aws:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;
const LOG_CONFIG_ARN = /^arn:aws:cloudfront::\d{12}:realtime-log-config\/[A-Za-z0-9_-]{1,64}$/;

function fail(field: string, message: string): never {
  throw new ControlPlaneError('invalid', message, field);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m) => b.includes(m));
}

function range(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) fail(field, `must be a whole number from ${min} to ${max}, got ${value}`);
}

function checkOrigin(origin: Origin, path: string): void {
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(origin.id)) fail(`${path}.id`, 'must be 1–128 letters, digits, `_`, `-`, `.` or `:`');
  if (!HOSTNAME.test(origin.domainName)) fail(`${path}.domainName`, `"${origin.domainName.slice(0, 80)}" is not a domain name`);
  if (origin.originPath !== '' && (!origin.originPath.startsWith('/') || origin.originPath.endsWith('/'))) {
    fail(`${path}.originPath`, 'must start with / and not end with /');
  }
  range(`${path}.connectionAttempts`, origin.connectionAttempts, 1, 3);
  range(`${path}.connectionTimeoutS`, origin.connectionTimeoutS, 1, 10);
  range(`${path}.readTimeoutS`, origin.readTimeoutS, 1, 120);
  range(`${path}.keepaliveTimeoutS`, origin.keepaliveTimeoutS, 1, 120);
  if (origin.originShieldRegion !== null && !REGION.test(origin.originShieldRegion)) fail(`${path}.originShieldRegion`, 'must be an AWS region such as us-east-2');
  origin.customHeaders.forEach((h, i) => {
    if (!/^[A-Za-z0-9-]{1,256}$/.test(h.name)) fail(`${path}.customHeaders[${i}].name`, 'must be a header name');
  });
  if (origin.kind === 's3') {
    if (origin.domainName.includes('s3-website')) fail(`${path}.domainName`, 'an S3 website endpoint is a custom origin (kind: custom); origin access control needs the bucket’s REST endpoint');
    if (!S3_REST_DOMAIN.test(origin.domainName)) fail(`${path}.domainName`, 'an S3 origin is the bucket’s REST endpoint: <bucket>.s3.<region>.amazonaws.com');
    return;
  }
  if (origin.originAccessControlId !== null) fail(`${path}.originAccessControlId`, 'origin access control applies to S3 origins only');
  for (const [key, port] of [['httpPort', origin.httpPort], ['httpsPort', origin.httpsPort]] as const) {
    if (port !== 80 && port !== 443 && (port < 1024 || port > 65535)) fail(`${path}.${key}`, 'must be 80, 443 or 1024–65535');
  }
  if (origin.sslProtocols.length === 0) fail(`${path}.sslProtocols`, 'needs at least one protocol');
  if (origin.kind === 'mediapackage') {
    if (!MEDIAPACKAGE_DOMAIN.test(origin.domainName)) fail(`${path}.domainName`, 'a MediaPackage origin is an endpoint domain such as <id>.mediapackage.<region>.amazonaws.com');
    if (origin.protocolPolicy !== 'https-only') fail(`${path}.protocolPolicy`, 'MediaPackage endpoints are reached over HTTPS: https-only');
  }
}

function checkBehavior(b: CacheBehavior, path: string, targets: ReadonlyMap<string, 'origin' | 'group'>): void {
  if (!targets.has(b.targetOriginId)) fail(`${path}.targetOriginId`, `"${b.targetOriginId.slice(0, 80)}" names no origin or origin group of this distribution`);
  if (!METHOD_SETS.some((set) => sameSet(set, b.allowedMethods))) fail(`${path}.allowedMethods`, 'must be GET,HEAD or GET,HEAD,OPTIONS or all seven methods');
  if (!CACHED_SETS.some((set) => sameSet(set, b.cachedMethods))) fail(`${path}.cachedMethods`, 'must be GET,HEAD or GET,HEAD,OPTIONS');
  if (!b.cachedMethods.every((m) => b.allowedMethods.includes(m))) fail(`${path}.cachedMethods`, 'must be among the allowed methods');
  if (targets.get(b.targetOriginId) === 'group' && b.allowedMethods.length === 7) {
    fail(`${path}.allowedMethods`, 'a behavior that targets an origin group may allow only GET, HEAD and OPTIONS (failover covers only those)');
  }
  if ((b.cachePolicyId === null) === (b.forwardedValues === null)) fail(`${path}.cachePolicyId`, 'a behavior needs either a cache policy or forwardedValues, not both');
  if (b.forwardedValues !== null) {
    const fv = b.forwardedValues;
    if (b.minTtlS < 0 || b.defaultTtlS < b.minTtlS || b.maxTtlS < b.defaultTtlS) fail(`${path}.defaultTtlS`, 'TTLs must satisfy 0 ≤ minTtlS ≤ defaultTtlS ≤ maxTtlS');
    if (fv.headers.includes('*') && b.minTtlS !== 0) fail(`${path}.minTtlS`, 'forwarding every header (*) needs minTtlS 0');
    if (fv.cookies !== 'whitelist' && fv.cookieNames.length > 0) fail(`${path}.forwardedValues.cookieNames`, 'cookie names go with cookies: whitelist');
    if (fv.cookies === 'whitelist' && fv.cookieNames.length === 0) fail(`${path}.forwardedValues.cookieNames`, 'cookies: whitelist needs at least one name');
    if (!fv.queryString && fv.queryStringCacheKeys.length > 0) fail(`${path}.forwardedValues.queryStringCacheKeys`, 'query-string cache keys need queryString: true');
  }
  if (b.trustedKeyGroups.length > LIMITS.keyGroupsPerBehavior) fail(`${path}.trustedKeyGroups`, `at most ${LIMITS.keyGroupsPerBehavior} key groups per behavior`);
  if (new Set(b.trustedKeyGroups).size !== b.trustedKeyGroups.length) fail(`${path}.trustedKeyGroups`, 'lists a key group twice');
  const events = new Set<string>();
  b.lambdaFunctionAssociations.forEach((a, i) => {
    const at = `${path}.lambdaFunctionAssociations[${i}]`;
    if (events.has(a.eventType)) fail(`${at}.eventType`, `${a.eventType} has an edge function already`);
    events.add(a.eventType);
    if (!LAMBDA_VERSION_ARN.test(a.lambdaFunctionArn)) {
      fail(`${at}.lambdaFunctionArn`, 'must name a published version of a function in us-east-1 (…:function:<name>:<version>), not $LATEST or an alias');
    }
  });
  b.functionAssociations.forEach((a, i) => {
    const at = `${path}.functionAssociations[${i}]`;
    if (!FUNCTION_ARN.test(a.functionArn)) fail(`${at}.functionArn`, 'must be arn:aws:cloudfront::<account>:function/<name>');
    if (events.has(a.eventType)) fail(`${at}.eventType`, `${a.eventType} has an edge function already: CloudFront Functions and Lambda@Edge cannot share a viewer event`);
    events.add(a.eventType);
  });
  if (b.functionAssociations.length > 0 && b.lambdaFunctionAssociations.some((a) => a.eventType.startsWith('viewer-'))) {
    fail(`${path}.functionAssociations`, 'CloudFront Functions and Lambda@Edge cannot both be used on viewer events of one behavior');
  }
  if (b.realtimeLogConfigArn !== null && !LOG_CONFIG_ARN.test(b.realtimeLogConfigArn)) {
    fail(`${path}.realtimeLogConfigArn`, 'must be arn:aws:cloudfront::<account>:realtime-log-config/<name>');
  }
}

/** Throws ControlPlaneError('invalid', …, field) at the first rule broken. */
export function validateDistributionConfig(config: DistributionConfig): void {
  if (config.comment.length > LIMITS.comment) fail('config.comment', `at most ${LIMITS.comment} characters`);
  if (config.defaultRootObject.startsWith('/')) fail('config.defaultRootObject', 'must not start with / (e.g. index.html)');

  if (config.origins.length === 0) fail('config.origins', 'a distribution needs at least one origin');
  if (config.origins.length > LIMITS.origins) fail('config.origins', `at most ${LIMITS.origins} origins per distribution`);
  const targets = new Map<string, 'origin' | 'group'>();
  config.origins.forEach((origin, i) => {
    checkOrigin(origin, `config.origins[${i}]`);
    if (targets.has(origin.id)) fail(`config.origins[${i}].id`, `"${origin.id}" is used by another origin`);
    targets.set(origin.id, 'origin');
  });
  if (config.originGroups.length > LIMITS.originGroups) fail('config.originGroups', `at most ${LIMITS.originGroups} origin groups per distribution`);
  config.originGroups.forEach((group, i) => {
    const at = `config.originGroups[${i}]`;
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(group.id)) fail(`${at}.id`, 'must be 1–128 letters, digits, `_`, `-`, `.` or `:`');
    if (targets.has(group.id)) fail(`${at}.id`, `"${group.id}" is used by another origin or group`);
    for (const key of ['primaryOriginId', 'secondaryOriginId'] as const) {
      if (targets.get(group[key]) !== 'origin') fail(`${at}.${key}`, `"${group[key].slice(0, 80)}" names no origin of this distribution`);
    }
    if (group.primaryOriginId === group.secondaryOriginId) fail(`${at}.secondaryOriginId`, 'must differ from the primary origin');
    if (group.failoverStatusCodes.length === 0) fail(`${at}.failoverStatusCodes`, 'needs at least one status code');
    group.failoverStatusCodes.forEach((code, j) => {
      if (!(FAILOVER_STATUS_CODES as readonly number[]).includes(code)) fail(`${at}.failoverStatusCodes[${j}]`, `must be one of ${FAILOVER_STATUS_CODES.join(', ')}`);
    });
    targets.set(group.id, 'group');
  });

  checkBehavior(config.defaultCacheBehavior, 'config.defaultCacheBehavior', targets);
  if (config.cacheBehaviors.length > LIMITS.cacheBehaviors) fail('config.cacheBehaviors', `at most ${LIMITS.cacheBehaviors} cache behaviors per distribution`);
  const patterns = new Set<string>();
  config.cacheBehaviors.forEach((b, i) => {
    const at = `config.cacheBehaviors[${i}]`;
    if (b.pathPattern.length === 0 || b.pathPattern.length > LIMITS.pathPattern) fail(`${at}.pathPattern`, `must be 1–${LIMITS.pathPattern} characters`);
    if (!PATH_PATTERN.test(b.pathPattern)) fail(`${at}.pathPattern`, 'may hold only A-Z a-z 0-9 _ - . * $ / ~ " \' @ : + & and ?');
    // A leading / makes no difference to matching, so `/img/*` and `img/*` are the same pattern.
    const key = b.pathPattern.replace(/^\//, '');
    if (patterns.has(key)) fail(`${at}.pathPattern`, `"${b.pathPattern}" is the pattern of an earlier behavior`);
    patterns.add(key);
    checkBehavior(b, at, targets);
  });

  const codes = new Set<number>();
  config.customErrorResponses.forEach((r, i) => {
    const at = `config.customErrorResponses[${i}]`;
    if (!(CUSTOM_ERROR_CODES as readonly number[]).includes(r.errorCode)) fail(`${at}.errorCode`, `must be one of ${CUSTOM_ERROR_CODES.join(', ')}`);
    if (codes.has(r.errorCode)) fail(`${at}.errorCode`, `${r.errorCode} has a custom response already`);
    codes.add(r.errorCode);
    if ((r.responsePagePath === null) !== (r.responseCode === null)) fail(`${at}.responseCode`, 'responsePagePath and responseCode go together');
    if (r.responsePagePath !== null && !r.responsePagePath.startsWith('/')) fail(`${at}.responsePagePath`, 'must start with /');
    if (r.responseCode !== null && r.responseCode !== '200' && !(CUSTOM_ERROR_CODES as readonly number[]).includes(Number(r.responseCode))) {
      fail(`${at}.responseCode`, `must be 200 or one of ${CUSTOM_ERROR_CODES.join(', ')}`);
    }
    if (!Number.isInteger(r.errorCachingMinTtlS) || r.errorCachingMinTtlS < 0) fail(`${at}.errorCachingMinTtlS`, 'must be a whole number of seconds ≥ 0');
  });

  const geo = config.geoRestriction;
  if (geo.type === 'none' && geo.countries.length > 0) fail('config.geoRestriction.countries', 'must be empty when the type is none');
  if (geo.type !== 'none' && geo.countries.length === 0) fail('config.geoRestriction.countries', `an ${geo.type} list needs at least one country`);
  const countries = new Set<string>();
  geo.countries.forEach((c, i) => {
    if (!COUNTRY.test(c)) fail(`config.geoRestriction.countries[${i}]`, `"${c.slice(0, 8)}" is not an uppercase ISO 3166-1 alpha-2 code`);
    if (countries.has(c)) fail(`config.geoRestriction.countries[${i}]`, `${c} is listed twice`);
    countries.add(c);
  });

  if (config.aliases.length > LIMITS.aliases) fail('config.aliases', `at most ${LIMITS.aliases} alternate domain names`);
  const aliases = new Set<string>();
  config.aliases.forEach((a, i) => {
    if (!ALIAS.test(a)) fail(`config.aliases[${i}]`, `"${a.slice(0, 80)}" is not a lowercase domain name (a leading *. is allowed)`);
    if (aliases.has(a)) fail(`config.aliases[${i}]`, `${a} is listed twice`);
    aliases.add(a);
  });

  const cert = config.viewerCertificate;
  if (cert.source === 'cloudfront') {
    if (config.aliases.length > 0) fail('config.viewerCertificate.source', 'alternate domain names need a certificate of their own (acm or iam)');
    if (cert.acmCertificateArn !== null || cert.iamCertificateId !== null) fail('config.viewerCertificate.source', 'the CloudFront certificate takes no ARN or ID');
    if (cert.minimumProtocolVersion !== 'TLSv1') fail('config.viewerCertificate.minimumProtocolVersion', 'with the *.cloudfront.net certificate CloudFront uses TLSv1');
  } else if (cert.source === 'acm') {
    const match = cert.acmCertificateArn === null ? null : ACM_ARN.exec(cert.acmCertificateArn);
    if (match === null) fail('config.viewerCertificate.acmCertificateArn', 'must be an ACM certificate ARN');
    if (match[1] !== 'us-east-1') fail('config.viewerCertificate.acmCertificateArn', 'CloudFront uses certificates from us-east-1 only');
    if (cert.iamCertificateId !== null) fail('config.viewerCertificate.iamCertificateId', 'give either an ACM certificate or an IAM certificate');
  } else if (cert.iamCertificateId === null) {
    fail('config.viewerCertificate.iamCertificateId', 'is required when the source is iam');
  }
  if (cert.source !== 'cloudfront' && cert.sslSupportMethod === 'sni-only' && cert.minimumProtocolVersion === 'SSLv3') {
    fail('config.viewerCertificate.minimumProtocolVersion', 'sni-only needs TLSv1 or later');
  }
  if ((config.httpVersion === 'http3' || config.httpVersion === 'http2and3') && cert.minimumProtocolVersion === 'SSLv3') {
    fail('config.httpVersion', 'HTTP/3 needs TLS');
  }
}
