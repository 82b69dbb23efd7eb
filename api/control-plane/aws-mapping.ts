/**
 * The control plane's model ↔ CloudFront's DistributionConfig (the SDK's types, reference §4.5).
 *
 * An UpdateDistribution replaces the whole config, so members edgewatch does not model (standard
 * logging, continuous deployment, field-level encryption, gRPC, VPC origin details…) are carried over
 * from the config read with the ETag: `toAwsConfig` overlays the model on that base, matching origins
 * by Id and behaviors by PathPattern, and never drops what it does not know.
 */
import type {
  CacheBehavior as AwsCacheBehavior,
  CustomErrorResponse as AwsCustomErrorResponse,
  DistributionConfig as AwsDistributionConfig,
  Method,
  Origin as AwsOrigin,
  OriginGroup as AwsOriginGroup,
} from '@aws-sdk/client-cloudfront';
import type {
  CacheBehavior,
  CustomErrorResponse,
  DistributionConfig,
  ForwardedValues,
  FunctionEventType,
  HttpMethod,
  Origin,
  OriginGroup,
} from '../../processor/control-plane/model.js';
import { HTTP_METHODS } from '../../processor/control-plane/model.js';

const list = <T>(items: readonly T[]): { Quantity: number; Items: T[] } => ({ Quantity: items.length, Items: [...items] });
const items = <T>(wrapped: { Items?: T[] | undefined } | undefined): T[] => wrapped?.Items ?? [];
/** CloudFront lists methods in any order; the model keeps HTTP_METHODS order. */
const methodOrder = (methods: readonly string[]): HttpMethod[] => HTTP_METHODS.filter((m) => methods.includes(m));

const MEDIAPACKAGE = /\.(mediapackage|mediapackagev2)\.[a-z0-9-]+\.amazonaws\.com$/;

function toAwsOrigin(origin: Origin, base: AwsOrigin | undefined): AwsOrigin {
  const common: AwsOrigin = {
    ...base,
    Id: origin.id,
    DomainName: origin.domainName,
    OriginPath: origin.originPath,
    CustomHeaders: list(origin.customHeaders.map((h) => ({ HeaderName: h.name, HeaderValue: h.value }))),
    ConnectionAttempts: origin.connectionAttempts,
    ConnectionTimeout: origin.connectionTimeoutS,
    OriginShield: origin.originShieldRegion === null ? { Enabled: false } : { Enabled: true, OriginShieldRegion: origin.originShieldRegion },
    OriginAccessControlId: origin.originAccessControlId ?? '',
  };
  if (origin.kind === 's3') {
    const { CustomOriginConfig: _custom, ...rest } = common;
    // With origin access control the legacy identity is sent empty (§4.5.2).
    return { ...rest, S3OriginConfig: { ...base?.S3OriginConfig, OriginAccessIdentity: '', OriginReadTimeout: origin.readTimeoutS } };
  }
  const { S3OriginConfig: _s3, ...rest } = common;
  return {
    ...rest,
    CustomOriginConfig: {
      ...base?.CustomOriginConfig,
      HTTPPort: origin.httpPort,
      HTTPSPort: origin.httpsPort,
      OriginProtocolPolicy: origin.protocolPolicy,
      OriginSslProtocols: list(origin.sslProtocols),
      OriginReadTimeout: origin.readTimeoutS,
      OriginKeepaliveTimeout: origin.keepaliveTimeoutS,
    },
  };
}

function fromAwsOrigin(o: AwsOrigin): Origin {
  const custom = o.CustomOriginConfig;
  const domainName = o.DomainName ?? '';
  const kind: Origin['kind'] = o.S3OriginConfig !== undefined ? 's3' : MEDIAPACKAGE.test(domainName) ? 'mediapackage' : 'custom';
  const shield = o.OriginShield;
  return {
    id: o.Id ?? '',
    kind,
    domainName,
    originPath: o.OriginPath ?? '',
    customHeaders: items(o.CustomHeaders).map((h) => ({ name: h.HeaderName ?? '', value: h.HeaderValue ?? '' })),
    connectionAttempts: o.ConnectionAttempts ?? 3,
    connectionTimeoutS: o.ConnectionTimeout ?? 10,
    readTimeoutS: custom?.OriginReadTimeout ?? o.S3OriginConfig?.OriginReadTimeout ?? 30,
    keepaliveTimeoutS: custom?.OriginKeepaliveTimeout ?? 5,
    originShieldRegion: shield?.Enabled === true ? (shield.OriginShieldRegion ?? null) : null,
    originAccessControlId: o.OriginAccessControlId === undefined || o.OriginAccessControlId === '' ? null : o.OriginAccessControlId,
    protocolPolicy: custom?.OriginProtocolPolicy ?? 'https-only',
    httpPort: custom?.HTTPPort ?? 80,
    httpsPort: custom?.HTTPSPort ?? 443,
    sslProtocols: items(custom?.OriginSslProtocols),
  };
}

function toAwsOriginGroup(g: OriginGroup, base: AwsOriginGroup | undefined): AwsOriginGroup {
  return {
    ...base,
    Id: g.id,
    FailoverCriteria: { StatusCodes: list(g.failoverStatusCodes) },
    Members: list([{ OriginId: g.primaryOriginId }, { OriginId: g.secondaryOriginId }]),
  };
}

function fromAwsOriginGroup(g: AwsOriginGroup): OriginGroup {
  const members = items(g.Members);
  return {
    id: g.Id ?? '',
    primaryOriginId: members[0]?.OriginId ?? '',
    secondaryOriginId: members[1]?.OriginId ?? '',
    failoverStatusCodes: items(g.FailoverCriteria?.StatusCodes),
  };
}

type AwsBehaviorCore = Omit<AwsCacheBehavior, 'PathPattern'>;

function toAwsBehavior(b: CacheBehavior, base: AwsBehaviorCore | undefined): AwsBehaviorCore {
  const legacy = b.forwardedValues;
  const { ForwardedValues: _fv, MinTTL: _min, DefaultTTL: _def, MaxTTL: _max, CachePolicyId: _cp, OriginRequestPolicyId: _orp, ResponseHeadersPolicyId: _rhp, RealtimeLogConfigArn: _rtl, ...kept } = base ?? {};
  return {
    ...kept,
    TargetOriginId: b.targetOriginId,
    ViewerProtocolPolicy: b.viewerProtocolPolicy,
    AllowedMethods: { ...list(b.allowedMethods as Method[]), CachedMethods: list(b.cachedMethods as Method[]) },
    Compress: b.compress,
    SmoothStreaming: b.smoothStreaming,
    TrustedKeyGroups: { Enabled: b.trustedKeyGroups.length > 0, ...list(b.trustedKeyGroups) },
    LambdaFunctionAssociations: list(b.lambdaFunctionAssociations.map((a) => ({ EventType: a.eventType, LambdaFunctionARN: a.lambdaFunctionArn, IncludeBody: a.includeBody }))),
    FunctionAssociations: list(b.functionAssociations.map((a) => ({ EventType: a.eventType, FunctionARN: a.functionArn }))),
    ...(b.cachePolicyId === null ? {} : { CachePolicyId: b.cachePolicyId }),
    ...(b.originRequestPolicyId === null ? {} : { OriginRequestPolicyId: b.originRequestPolicyId }),
    ...(b.responseHeadersPolicyId === null ? {} : { ResponseHeadersPolicyId: b.responseHeadersPolicyId }),
    // Detaching a log config is sending the behavior without it (§4.3).
    ...(b.realtimeLogConfigArn === null ? {} : { RealtimeLogConfigArn: b.realtimeLogConfigArn }),
    ...(legacy === null
      ? {}
      : {
          ForwardedValues: {
            QueryString: legacy.queryString,
            Cookies: { Forward: legacy.cookies, ...(legacy.cookies === 'whitelist' ? { WhitelistedNames: list(legacy.cookieNames) } : {}) },
            Headers: list(legacy.headers),
            QueryStringCacheKeys: list(legacy.queryStringCacheKeys),
          },
          MinTTL: b.minTtlS,
          DefaultTTL: b.defaultTtlS,
          MaxTTL: b.maxTtlS,
        }),
  };
}

function fromAwsBehavior(b: AwsBehaviorCore, pathPattern: string): CacheBehavior {
  const fv = b.ForwardedValues;
  const forwardedValues: ForwardedValues | null =
    fv === undefined
      ? null
      : {
          queryString: fv.QueryString ?? false,
          queryStringCacheKeys: items(fv.QueryStringCacheKeys),
          cookies: fv.Cookies?.Forward ?? 'none',
          cookieNames: items(fv.Cookies?.WhitelistedNames),
          headers: items(fv.Headers),
        };
  return {
    pathPattern,
    targetOriginId: b.TargetOriginId ?? '',
    viewerProtocolPolicy: b.ViewerProtocolPolicy ?? 'allow-all',
    allowedMethods: methodOrder(items(b.AllowedMethods).length > 0 ? items(b.AllowedMethods) : ['GET', 'HEAD']),
    cachedMethods: methodOrder(items(b.AllowedMethods?.CachedMethods).length > 0 ? items(b.AllowedMethods?.CachedMethods) : ['GET', 'HEAD']),
    compress: b.Compress ?? false,
    smoothStreaming: b.SmoothStreaming ?? false,
    cachePolicyId: b.CachePolicyId ?? null,
    originRequestPolicyId: b.OriginRequestPolicyId ?? null,
    responseHeadersPolicyId: b.ResponseHeadersPolicyId ?? null,
    forwardedValues,
    minTtlS: b.MinTTL ?? 0,
    defaultTtlS: b.DefaultTTL ?? 86_400,
    maxTtlS: b.MaxTTL ?? 31_536_000,
    trustedKeyGroups: b.TrustedKeyGroups?.Enabled === true ? items(b.TrustedKeyGroups) : [],
    lambdaFunctionAssociations: items(b.LambdaFunctionAssociations).map((a) => ({
      eventType: (a.EventType ?? 'viewer-request'),
      lambdaFunctionArn: a.LambdaFunctionARN ?? '',
      includeBody: a.IncludeBody ?? false,
    })),
    functionAssociations: items(b.FunctionAssociations).map((a) => ({ eventType: (a.EventType ?? 'viewer-request') as FunctionEventType, functionArn: a.FunctionARN ?? '' })),
    realtimeLogConfigArn: b.RealtimeLogConfigArn === undefined || b.RealtimeLogConfigArn === '' ? null : b.RealtimeLogConfigArn,
  };
}

function toAwsErrorResponse(r: CustomErrorResponse): AwsCustomErrorResponse {
  return {
    ErrorCode: r.errorCode,
    ResponsePagePath: r.responsePagePath ?? '',
    ResponseCode: r.responseCode ?? '',
    ErrorCachingMinTTL: r.errorCachingMinTtlS,
  };
}

/** CloudFront's config for the model's, on top of `base` (the config read with the ETag; none when creating). */
export function toAwsConfig(config: DistributionConfig, callerReference: string, base?: AwsDistributionConfig): AwsDistributionConfig {
  const baseOrigins = new Map(items(base?.Origins).map((o) => [o.Id, o]));
  const baseGroups = new Map(items(base?.OriginGroups).map((g) => [g.Id, g]));
  const baseBehaviors = new Map(items(base?.CacheBehaviors).map((b) => [b.PathPattern, b]));
  const cert = config.viewerCertificate;
  return {
    ...base,
    // CallerReference never changes on update (§4.6).
    CallerReference: base?.CallerReference ?? callerReference,
    Comment: config.comment,
    Enabled: config.enabled,
    Aliases: list(config.aliases),
    DefaultRootObject: config.defaultRootObject,
    Origins: list(config.origins.map((o) => toAwsOrigin(o, baseOrigins.get(o.id)))),
    OriginGroups: list(config.originGroups.map((g) => toAwsOriginGroup(g, baseGroups.get(g.id)))),
    DefaultCacheBehavior: toAwsBehavior(config.defaultCacheBehavior, base?.DefaultCacheBehavior),
    CacheBehaviors: list(config.cacheBehaviors.map((b) => ({ PathPattern: b.pathPattern, ...toAwsBehavior(b, baseBehaviors.get(b.pathPattern)) }))),
    CustomErrorResponses: list(config.customErrorResponses.map(toAwsErrorResponse)),
    Restrictions: {
      GeoRestriction: {
        RestrictionType: config.geoRestriction.type === 'allow' ? 'whitelist' : config.geoRestriction.type === 'block' ? 'blacklist' : 'none',
        ...list(config.geoRestriction.countries),
      },
    },
    ViewerCertificate:
      cert.source === 'cloudfront'
        ? { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: cert.minimumProtocolVersion }
        : {
            ...(cert.source === 'acm' ? { ACMCertificateArn: cert.acmCertificateArn ?? '' } : { IAMCertificateId: cert.iamCertificateId ?? '' }),
            SSLSupportMethod: cert.sslSupportMethod,
            MinimumProtocolVersion: cert.minimumProtocolVersion,
          },
    PriceClass: config.priceClass,
    HttpVersion: config.httpVersion,
    IsIPV6Enabled: config.isIpv6Enabled,
    WebACLId: config.webAclId ?? '',
  };
}

export function fromAwsConfig(c: AwsDistributionConfig): DistributionConfig {
  const geo = c.Restrictions?.GeoRestriction;
  const cert = c.ViewerCertificate;
  const source = cert?.ACMCertificateArn ? 'acm' : cert?.IAMCertificateId ? 'iam' : 'cloudfront';
  return {
    comment: c.Comment ?? '',
    enabled: c.Enabled ?? false,
    aliases: items(c.Aliases),
    defaultRootObject: c.DefaultRootObject ?? '',
    origins: items(c.Origins).map(fromAwsOrigin),
    originGroups: items(c.OriginGroups).map(fromAwsOriginGroup),
    defaultCacheBehavior: fromAwsBehavior(c.DefaultCacheBehavior ?? { TargetOriginId: '', ViewerProtocolPolicy: 'allow-all' }, '*'),
    cacheBehaviors: items(c.CacheBehaviors).map((b) => fromAwsBehavior(b, b.PathPattern ?? '')),
    customErrorResponses: items(c.CustomErrorResponses).map((r) => ({
      errorCode: r.ErrorCode ?? 0,
      responsePagePath: r.ResponsePagePath === undefined || r.ResponsePagePath === '' ? null : r.ResponsePagePath,
      responseCode: r.ResponseCode === undefined || r.ResponseCode === '' ? null : r.ResponseCode,
      errorCachingMinTtlS: r.ErrorCachingMinTTL ?? 10,
    })),
    geoRestriction: { type: geo?.RestrictionType === 'whitelist' ? 'allow' : geo?.RestrictionType === 'blacklist' ? 'block' : 'none', countries: items(geo) },
    viewerCertificate: {
      source,
      acmCertificateArn: cert?.ACMCertificateArn ?? null,
      iamCertificateId: cert?.IAMCertificateId ?? null,
      sslSupportMethod: cert?.SSLSupportMethod ?? 'sni-only',
      minimumProtocolVersion: cert?.MinimumProtocolVersion ?? 'TLSv1',
    },
    priceClass: c.PriceClass === 'PriceClass_100' || c.PriceClass === 'PriceClass_200' ? c.PriceClass : 'PriceClass_All',
    httpVersion: c.HttpVersion ?? 'http2',
    isIpv6Enabled: c.IsIPV6Enabled ?? false,
    webAclId: c.WebACLId === undefined || c.WebACLId === '' ? null : c.WebACLId,
  };
}
