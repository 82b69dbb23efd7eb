/**
 * The control plane's model of CloudFront distributions and real-time log configs: CloudFront's
 * `DistributionConfig` and `RealtimeLogConfig` (reference §4) without the XML `{Quantity, Items}`
 * wrappers, in camelCase. Both providers (local, AWS) speak it; the API returns it as JSON.
 *
 * It lives in processor/ because the edge simulator (ingest/) reads the local provider's state.
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const VIEWER_PROTOCOL_POLICIES = ['allow-all', 'redirect-to-https', 'https-only'] as const;
export type ViewerProtocolPolicy = (typeof VIEWER_PROTOCOL_POLICIES)[number];

export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

export const HTTP_VERSIONS = ['http1.1', 'http2', 'http3', 'http2and3'] as const;
export type HttpVersion = (typeof HTTP_VERSIONS)[number];

export const ORIGIN_KINDS = ['s3', 'mediapackage', 'custom'] as const;
/** `s3`: an S3 bucket (REST endpoint) read through origin access control; `mediapackage`: a MediaPackage endpoint; `custom`: any HTTP server. */
export type OriginKind = (typeof ORIGIN_KINDS)[number];

export const ORIGIN_PROTOCOL_POLICIES = ['http-only', 'match-viewer', 'https-only'] as const;
export type OriginProtocolPolicy = (typeof ORIGIN_PROTOCOL_POLICIES)[number];

export const ORIGIN_SSL_PROTOCOLS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'] as const;
export type OriginSslProtocol = (typeof ORIGIN_SSL_PROTOCOLS)[number];

export const GEO_RESTRICTION_TYPES = ['none', 'allow', 'block'] as const;
/** `allow` is CloudFront's `whitelist`, `block` its `blacklist`. */
export type GeoRestrictionType = (typeof GEO_RESTRICTION_TYPES)[number];

export const LAMBDA_EVENT_TYPES = ['viewer-request', 'viewer-response', 'origin-request', 'origin-response'] as const;
export type LambdaEventType = (typeof LAMBDA_EVENT_TYPES)[number];
export const FUNCTION_EVENT_TYPES = ['viewer-request', 'viewer-response'] as const;
export type FunctionEventType = (typeof FUNCTION_EVENT_TYPES)[number];

export const COOKIE_FORWARDING = ['none', 'whitelist', 'all'] as const;
export type CookieForwarding = (typeof COOKIE_FORWARDING)[number];

export const CERTIFICATE_SOURCES = ['cloudfront', 'acm', 'iam'] as const;
export type CertificateSource = (typeof CERTIFICATE_SOURCES)[number];
export const SSL_SUPPORT_METHODS = ['sni-only', 'vip', 'static-ip'] as const;
export type SslSupportMethod = (typeof SSL_SUPPORT_METHODS)[number];
export const MINIMUM_PROTOCOL_VERSIONS = [
  'SSLv3', 'TLSv1', 'TLSv1_2016', 'TLSv1.1_2016', 'TLSv1.2_2018', 'TLSv1.2_2019', 'TLSv1.2_2021', 'TLSv1.2_2025', 'TLSv1.3_2025',
] as const;
export type MinimumProtocolVersion = (typeof MINIMUM_PROTOCOL_VERSIONS)[number];

/** Status codes a custom error response may name (§4.5.5). */
export const CUSTOM_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504] as const;
/** Status codes that may trigger origin-group failover (§4.5.2). */
export const FAILOVER_STATUS_CODES = [400, 403, 404, 416, 500, 502, 503, 504] as const;

export const DEPLOYMENT_STATUSES = ['InProgress', 'Deployed'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export interface CustomHeader {
  readonly name: string;
  readonly value: string;
}

export interface Origin {
  /** Unique within the distribution; behaviors name it in `targetOriginId`. */
  readonly id: string;
  readonly kind: OriginKind;
  readonly domainName: string;
  /** Prefix added to the request path; '' or starting with `/`, no trailing `/`. */
  readonly originPath: string;
  readonly customHeaders: readonly CustomHeader[];
  /** 1–3. */
  readonly connectionAttempts: number;
  /** 1–10 s. */
  readonly connectionTimeoutS: number;
  /** 1–120 s. */
  readonly readTimeoutS: number;
  /** Custom and MediaPackage origins: 1–120 s. */
  readonly keepaliveTimeoutS: number;
  /** Region of Origin Shield (`us-east-2`), null when off. */
  readonly originShieldRegion: string | null;
  /** S3 origins: the origin access control that signs CloudFront's requests; null leaves the bucket to be public. */
  readonly originAccessControlId: string | null;
  /** Custom and MediaPackage origins (MediaPackage: https-only). */
  readonly protocolPolicy: OriginProtocolPolicy;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly sslProtocols: readonly OriginSslProtocol[];
}

export interface OriginGroup {
  readonly id: string;
  /** Exactly two members: primary first. */
  readonly primaryOriginId: string;
  readonly secondaryOriginId: string;
  readonly failoverStatusCodes: readonly number[];
}

/** Legacy cookie/query-string forwarding, used when a behavior has no cache policy. */
export interface ForwardedValues {
  readonly queryString: boolean;
  /** With `queryString`: only these parameters go into the cache key (all are forwarded). */
  readonly queryStringCacheKeys: readonly string[];
  readonly cookies: CookieForwarding;
  /** With `cookies: whitelist`. */
  readonly cookieNames: readonly string[];
  readonly headers: readonly string[];
}

export interface LambdaFunctionAssociation {
  readonly eventType: LambdaEventType;
  /** A published version: `arn:aws:lambda:us-east-1:<account>:function:<name>:<version>`. */
  readonly lambdaFunctionArn: string;
  readonly includeBody: boolean;
}

export interface FunctionAssociation {
  readonly eventType: FunctionEventType;
  /** `arn:aws:cloudfront::<account>:function/<name>`. */
  readonly functionArn: string;
}

export interface CacheBehavior {
  /** `*` for the default behavior; otherwise the pattern, matched in list order (first match wins). */
  readonly pathPattern: string;
  /** An origin's or origin group's id. */
  readonly targetOriginId: string;
  readonly viewerProtocolPolicy: ViewerProtocolPolicy;
  /** One of the three sets: GET,HEAD · GET,HEAD,OPTIONS · all seven. */
  readonly allowedMethods: readonly HttpMethod[];
  /** GET,HEAD or GET,HEAD,OPTIONS. */
  readonly cachedMethods: readonly HttpMethod[];
  readonly compress: boolean;
  readonly smoothStreaming: boolean;
  /** Either a cache policy or `forwardedValues` (with the TTLs below). */
  readonly cachePolicyId: string | null;
  readonly originRequestPolicyId: string | null;
  readonly responseHeadersPolicyId: string | null;
  readonly forwardedValues: ForwardedValues | null;
  /** Legacy TTLs in seconds (with `forwardedValues`). */
  readonly minTtlS: number;
  readonly defaultTtlS: number;
  readonly maxTtlS: number;
  /** Key groups whose keys sign URLs and cookies; empty: no signed requests needed. */
  readonly trustedKeyGroups: readonly string[];
  readonly lambdaFunctionAssociations: readonly LambdaFunctionAssociation[];
  readonly functionAssociations: readonly FunctionAssociation[];
  /** The real-time log config this behavior's requests are logged by; null for none. */
  readonly realtimeLogConfigArn: string | null;
}

export interface CustomErrorResponse {
  readonly errorCode: number;
  /** `/errors/404.html`; with `responseCode`. */
  readonly responsePagePath: string | null;
  /** `200` or an error code, as CloudFront has it: a string. */
  readonly responseCode: string | null;
  /** Seconds CloudFront caches the error (its default is 10). */
  readonly errorCachingMinTtlS: number;
}

export interface GeoRestriction {
  readonly type: GeoRestrictionType;
  /** Uppercase ISO 3166-1 alpha-2 codes; empty when `none`. */
  readonly countries: readonly string[];
}

export interface ViewerCertificate {
  readonly source: CertificateSource;
  /** With `acm`: a certificate in us-east-1. */
  readonly acmCertificateArn: string | null;
  /** With `iam`. */
  readonly iamCertificateId: string | null;
  readonly sslSupportMethod: SslSupportMethod;
  readonly minimumProtocolVersion: MinimumProtocolVersion;
}

export interface DistributionConfig {
  /** At most 128 characters. */
  readonly comment: string;
  readonly enabled: boolean;
  /** Alternate domain names (CNAMEs). */
  readonly aliases: readonly string[];
  readonly defaultRootObject: string;
  readonly origins: readonly Origin[];
  readonly originGroups: readonly OriginGroup[];
  /** Its `pathPattern` is always `*`. */
  readonly defaultCacheBehavior: CacheBehavior;
  /** In precedence order: the first whose pattern matches serves the request. */
  readonly cacheBehaviors: readonly CacheBehavior[];
  readonly customErrorResponses: readonly CustomErrorResponse[];
  readonly geoRestriction: GeoRestriction;
  readonly viewerCertificate: ViewerCertificate;
  readonly priceClass: PriceClass;
  readonly httpVersion: HttpVersion;
  readonly isIpv6Enabled: boolean;
  readonly webAclId: string | null;
}

export interface Distribution {
  /** `E` + 13 uppercase letters and digits. */
  readonly id: string;
  readonly arn: string;
  /** `d…​.cloudfront.net`: what `x-host-header` holds. */
  readonly domainName: string;
  readonly status: DeploymentStatus;
  /** ISO time. */
  readonly lastModifiedTime: string;
  /** Version of the config: send it back as If-Match to change or delete. */
  readonly etag: string;
  readonly callerReference: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly config: DistributionConfig;
}

export interface RealtimeLogConfig {
  readonly name: string;
  readonly arn: string;
  /** Whole number 1–100. */
  readonly samplingRate: number;
  /** Field names in CloudFront's canonical order. */
  readonly fields: readonly string[];
  readonly streamArn: string;
  readonly roleArn: string;
}

export interface Invalidation {
  readonly id: string;
  readonly distributionId: string;
  readonly status: 'InProgress' | 'Completed';
  readonly createTime: string;
  readonly paths: readonly string[];
  readonly callerReference: string;
}

/** The Kinesis stream a log config writes into, as the control plane sees it. */
export interface StreamDescription {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly shardCount: number;
  /** KMS key of a server-side-encrypted stream; null when unencrypted. */
  readonly kmsKeyArn: string | null;
}
