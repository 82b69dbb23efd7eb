/**
 * A complete distribution config with CloudFront's defaults, for the local provider's demo
 * distributions (and tests): one origin, the managed CachingOptimized policy, no restrictions.
 */
import { LOCAL_ACCOUNT_ID, SIMULATOR_PROFILE_TAG, type StoredDistribution } from './local-state.js';
import type { CacheBehavior, DistributionConfig, Origin } from './model.js';

export const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

export function defaultOrigin(id: string, domainName: string, kind: Origin['kind'] = 'custom'): Origin {
  return {
    id,
    kind,
    domainName,
    originPath: '',
    customHeaders: [],
    connectionAttempts: 3,
    connectionTimeoutS: 10,
    readTimeoutS: 30,
    keepaliveTimeoutS: 5,
    originShieldRegion: null,
    originAccessControlId: null,
    protocolPolicy: kind === 'custom' ? 'match-viewer' : 'https-only',
    httpPort: 80,
    httpsPort: 443,
    sslProtocols: ['TLSv1.2'],
  };
}

export function defaultBehavior(targetOriginId: string, pathPattern = '*'): CacheBehavior {
  return {
    pathPattern,
    targetOriginId,
    viewerProtocolPolicy: 'redirect-to-https',
    allowedMethods: ['GET', 'HEAD'],
    cachedMethods: ['GET', 'HEAD'],
    compress: true,
    smoothStreaming: false,
    cachePolicyId: CACHING_OPTIMIZED,
    originRequestPolicyId: null,
    responseHeadersPolicyId: null,
    forwardedValues: null,
    minTtlS: 0,
    defaultTtlS: 86_400,
    maxTtlS: 31_536_000,
    trustedKeyGroups: [],
    lambdaFunctionAssociations: [],
    functionAssociations: [],
    realtimeLogConfigArn: null,
  };
}

export function defaultDistributionConfig(origin: Origin, overrides: Partial<DistributionConfig> = {}): DistributionConfig {
  return {
    comment: '',
    enabled: true,
    aliases: [],
    defaultRootObject: '',
    origins: [origin],
    originGroups: [],
    defaultCacheBehavior: defaultBehavior(origin.id),
    cacheBehaviors: [],
    customErrorResponses: [],
    geoRestriction: { type: 'none', countries: [] },
    viewerCertificate: { source: 'cloudfront', acmCertificateArn: null, iamCertificateId: null, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1' },
    priceClass: 'PriceClass_All',
    httpVersion: 'http2',
    isIpv6Enabled: true,
    webAclId: null,
    ...overrides,
  };
}

export interface SeedDistribution {
  readonly id: string;
  readonly domainName: string;
  readonly aliases: readonly string[];
  readonly comment?: string;
  readonly profile: string;
}

/** A demo distribution as the local control plane stores it (deployed, with an ACM certificate for its aliases). */
export function seededDistribution(seed: SeedDistribution, nowMs: number): StoredDistribution {
  const origin = seed.profile === 'video' ? defaultOrigin('mediapackage', 'a1b2c3d4e5f6a7.mediapackage.us-east-1.amazonaws.com', 'mediapackage') : defaultOrigin('origin', `origin.${seed.aliases[0] ?? 'example.com'}`);
  const config = defaultDistributionConfig(origin, {
    comment: seed.comment ?? '',
    aliases: [...seed.aliases],
    viewerCertificate:
      seed.aliases.length === 0
        ? { source: 'cloudfront', acmCertificateArn: null, iamCertificateId: null, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1' }
        : { source: 'acm', acmCertificateArn: `arn:aws:acm:us-east-1:${LOCAL_ACCOUNT_ID}:certificate/edgewatch-demo`, iamCertificateId: null, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' },
  });
  return {
    id: seed.id,
    arn: `arn:aws:cloudfront::${LOCAL_ACCOUNT_ID}:distribution/${seed.id}`,
    domainName: seed.domainName,
    lastModifiedTime: new Date(nowMs).toISOString(),
    etag: `E${seed.id.slice(1)}`,
    callerReference: `edgewatch-demo-${seed.id}`,
    tags: { [SIMULATOR_PROFILE_TAG]: seed.profile },
    config,
    deployedAtMs: nowMs,
  };
}
