import { describe, expect, it } from 'vitest';
import { distributionWarnings, iacToolOf } from '../../api/control-plane/change-warnings.js';
import { readDistributionConfig } from '../../api/control-plane/config-input.js';
import { diffValues } from '../../api/control-plane/config-diff.js';
import { estimateLogConfigCost, suggestShards } from '../../api/control-plane/cost-estimate.js';
import { planCapacity } from '../../processor/capacity/capacity-plan.js';
import { validateDistributionConfig } from '../../api/control-plane/distribution-validation.js';
import { FIELD_GROUPS } from '../../api/control-plane/log-field-groups.js';
import { ControlPlaneError } from '../../api/control-plane/provider.js';
import { FIELDS } from '../../processor/fields/catalogue.js';

const origin = { id: 'web', domainName: 'origin.example.com' };

/** The field a refused input is blamed on. */
function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (err) {
    if (err instanceof ControlPlaneError && err.kind === 'invalid') return err.field;
    throw err;
  }
  throw new Error('expected the input to be refused');
}

const check = (config: unknown) => () => validateDistributionConfig(readDistributionConfig(config));

describe('reading a distribution config', () => {
  it('fills CloudFront’s defaults for what is left out', () => {
    const config = readDistributionConfig({ origins: [origin] });
    expect(config.enabled).toBe(true);
    expect(config.defaultCacheBehavior).toMatchObject({ pathPattern: '*', targetOriginId: 'web', viewerProtocolPolicy: 'redirect-to-https', allowedMethods: ['GET', 'HEAD'] });
    expect(config.defaultCacheBehavior.cachePolicyId).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
    expect(config.geoRestriction).toEqual({ type: 'none', countries: [] });
    expect(config.viewerCertificate).toMatchObject({ source: 'cloudfront', minimumProtocolVersion: 'TLSv1' });
    expect(() => validateDistributionConfig(config)).not.toThrow();
  });

  it('names an unknown member and a value of the wrong type', () => {
    expect(fieldOf(() => readDistributionConfig({ origins: [origin], colour: 'red' }))).toBe('config.colour');
    expect(fieldOf(() => readDistributionConfig({ origins: [origin], cacheBehaviors: [{ pathPattern: '/a/*', targetOriginId: 'web', compress: 'yes' }] }))).toBe(
      'config.cacheBehaviors[0].compress',
    );
    expect(fieldOf(() => readDistributionConfig({ origins: [{ ...origin, kind: 'ftp' }] }))).toBe('config.origins[0].kind');
  });
});

describe('CloudFront’s rules, with the member at fault', () => {
  it.each([
    ['no origin', { origins: [] }, 'config.origins'],
    ['26 origins', { origins: Array.from({ length: 26 }, (_, i) => ({ id: `o${i}`, domainName: 'origin.example.com' })) }, 'config.origins'],
    ['two origins with one id', { origins: [origin, origin] }, 'config.origins[1].id'],
    ['an S3 website endpoint as S3 origin', { origins: [{ id: 's3', kind: 's3', domainName: 'b.s3-website-us-east-1.amazonaws.com' }] }, 'config.origins[0].domainName'],
    ['MediaPackage over HTTP', { origins: [{ id: 'mp', kind: 'mediapackage', domainName: 'x.mediapackage.us-east-1.amazonaws.com', protocolPolicy: 'http-only' }] }, 'config.origins[0].protocolPolicy'],
    ['a behavior aimed at no origin', { origins: [origin], defaultCacheBehavior: { targetOriginId: 'nope' } }, 'config.defaultCacheBehavior.targetOriginId'],
    ['five methods', { origins: [origin], defaultCacheBehavior: { allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST'] } }, 'config.defaultCacheBehavior.allowedMethods'],
    ['caching POST', { origins: [origin], defaultCacheBehavior: { allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'], cachedMethods: ['GET', 'POST'] } }, 'config.defaultCacheBehavior.cachedMethods'],
    ['a policy and forwarded values', { origins: [origin], defaultCacheBehavior: { cachePolicyId: 'p', forwardedValues: { queryString: true } } }, 'config.defaultCacheBehavior.cachePolicyId'],
    ['TTLs out of order', { origins: [origin], defaultCacheBehavior: { cachePolicyId: null, forwardedValues: { queryString: false }, minTtlS: 100, defaultTtlS: 10 } }, 'config.defaultCacheBehavior.defaultTtlS'],
    ['a repeated path pattern', { origins: [origin], cacheBehaviors: [{ pathPattern: '/img/*', targetOriginId: 'web' }, { pathPattern: 'img/*', targetOriginId: 'web' }] }, 'config.cacheBehaviors[1].pathPattern'],
    ['a path pattern with a space', { origins: [origin], cacheBehaviors: [{ pathPattern: '/a b/*', targetOriginId: 'web' }] }, 'config.cacheBehaviors[0].pathPattern'],
    ['Lambda@Edge on $LATEST', { origins: [origin], defaultCacheBehavior: { lambdaFunctionAssociations: [{ eventType: 'origin-request', lambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST' }] } }, 'config.defaultCacheBehavior.lambdaFunctionAssociations[0].lambdaFunctionArn'],
    [
      'a CloudFront Function and Lambda@Edge on viewer-request',
      {
        origins: [origin],
        defaultCacheBehavior: {
          lambdaFunctionAssociations: [{ eventType: 'viewer-request', lambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:3' }],
          functionAssociations: [{ eventType: 'viewer-request', functionArn: 'arn:aws:cloudfront::123456789012:function/g' }],
        },
      },
      'config.defaultCacheBehavior.functionAssociations[0].eventType',
    ],
    ['five key groups', { origins: [origin], defaultCacheBehavior: { trustedKeyGroups: ['a', 'b', 'c', 'd', 'e'] } }, 'config.defaultCacheBehavior.trustedKeyGroups'],
    ['a lowercase country', { origins: [origin], geoRestriction: { type: 'block', countries: ['fr'] } }, 'config.geoRestriction.countries[0]'],
    ['an empty block list', { origins: [origin], geoRestriction: { type: 'block', countries: [] } }, 'config.geoRestriction.countries'],
    ['a custom error for 418', { origins: [origin], customErrorResponses: [{ errorCode: 418 }] }, 'config.customErrorResponses[0].errorCode'],
    ['a page without a response code', { origins: [origin], customErrorResponses: [{ errorCode: 404, responsePagePath: '/404.html' }] }, 'config.customErrorResponses[0].responseCode'],
    ['aliases on the CloudFront certificate', { origins: [origin], aliases: ['www.example.com'] }, 'config.viewerCertificate.source'],
    [
      'an ACM certificate outside us-east-1',
      { origins: [origin], aliases: ['www.example.com'], viewerCertificate: { source: 'acm', acmCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } },
      'config.viewerCertificate.acmCertificateArn',
    ],
    ['a comment of 129 characters', { origins: [origin], comment: 'x'.repeat(129) }, 'config.comment'],
    [
      'an origin group behind a behavior allowing POST',
      {
        origins: [origin, { id: 'b', domainName: 'b.example.com' }],
        originGroups: [{ id: 'g', primaryOriginId: 'web', secondaryOriginId: 'b' }],
        defaultCacheBehavior: { targetOriginId: 'g', allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] },
      },
      'config.defaultCacheBehavior.allowedMethods',
    ],
  ])('refuses %s', (_what, config, field) => {
    expect(fieldOf(check(config))).toBe(field);
  });

  it('accepts a full config: S3 with OAC, MediaPackage, origin group, Smooth Streaming, signed URLs, edge functions, errors, geo allow list', () => {
    expect(
      check({
        comment: 'everything',
        aliases: ['www.example.com', '*.media.example.com'],
        origins: [
          { id: 'assets', kind: 's3', domainName: 'assets-bucket.s3.us-east-1.amazonaws.com', originAccessControlId: 'E2QWRUHAPOMQZL' },
          { id: 'live', kind: 'mediapackage', domainName: 'abc123.mediapackage.us-west-2.amazonaws.com', originShieldRegion: 'us-west-2' },
          { id: 'app', domainName: 'app.example.com', protocolPolicy: 'https-only', httpsPort: 8443 },
        ],
        originGroups: [{ id: 'app-failover', primaryOriginId: 'app', secondaryOriginId: 'assets', failoverStatusCodes: [500, 502, 503, 504] }],
        defaultCacheBehavior: { targetOriginId: 'app-failover', allowedMethods: ['GET', 'HEAD', 'OPTIONS'], cachedMethods: ['GET', 'HEAD', 'OPTIONS'] },
        cacheBehaviors: [
          { pathPattern: '/live/*', targetOriginId: 'live', smoothStreaming: true, trustedKeyGroups: ['kg1'] },
          {
            pathPattern: '/api/*',
            targetOriginId: 'app',
            viewerProtocolPolicy: 'https-only',
            allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
            cachePolicyId: null,
            forwardedValues: { queryString: true, queryStringCacheKeys: ['page'], cookies: 'whitelist', cookieNames: ['session'], headers: ['Authorization'] },
            minTtlS: 0,
            defaultTtlS: 0,
            maxTtlS: 60,
            lambdaFunctionAssociations: [{ eventType: 'origin-request', lambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:auth:7', includeBody: true }],
            functionAssociations: [{ eventType: 'viewer-request', functionArn: 'arn:aws:cloudfront::123456789012:function/rewrite' }],
          },
        ],
        customErrorResponses: [{ errorCode: 404, responsePagePath: '/errors/404.html', responseCode: '404', errorCachingMinTtlS: 60 }],
        geoRestriction: { type: 'allow', countries: ['US', 'CA', 'DE'] },
        viewerCertificate: { source: 'acm', acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123', minimumProtocolVersion: 'TLSv1.2_2021' },
        priceClass: 'PriceClass_100',
      }),
    ).not.toThrow();
  });
});

describe('diff, warnings and estimates', () => {
  it('lists the changed members by path', () => {
    const before = readDistributionConfig({ origins: [origin] });
    const after = { ...before, geoRestriction: { type: 'block' as const, countries: ['US'] }, defaultCacheBehavior: { ...before.defaultCacheBehavior, compress: false } };
    expect(diffValues(before, after)).toEqual([
      { path: 'defaultCacheBehavior.compress', before: true, after: false },
      { path: 'geoRestriction.type', before: 'none', after: 'block' },
      { path: 'geoRestriction.countries', before: [], after: ['US'] },
    ]);
  });

  it('warns about infrastructure-as-code tags and a public S3 origin', () => {
    expect(iacToolOf({ 'aws:cloudformation:stack-name': 'web' })).toBe('CloudFormation');
    expect(iacToolOf({ 'managed-by': 'terraform' })).toBe('terraform');
    expect(iacToolOf({ team: 'web' })).toBeNull();
    const config = readDistributionConfig({ origins: [{ id: 's3', kind: 's3', domainName: 'b.s3.us-east-1.amazonaws.com' }] });
    const codes = distributionWarnings({ tags: { 'managed-by': 'terraform' }, status: 'Deployed' }, config).map((w) => w.code);
    expect(codes).toEqual(['managed-by-iac', 'public-s3-origin']);
  });

  it('estimates lines, shards and monthly cost with the capacity planner', () => {
    const all = FIELDS.map((f) => f.name);
    const input = { requestsPerSecond: 10_000, samplingRate: 10, fields: all };
    const estimate = estimateLogConfigCost(input);
    const plan = planCapacity(input);
    expect(estimate.linesPerSecond).toBe(1_000);
    expect(estimate.linesPerMonth).toBe(1_000 * 730 * 3600);
    expect(estimate.suggestedShards).toBe(plan.figures.find((f) => f.key === 'kinesisShards')?.value);
    expect(estimate.bytesPerRecord).toBe(plan.figures.find((f) => f.key === 'averageRecordBytes')?.value);
    expect(estimate.suggestedShards).toBe(suggestShards(input));
    expect(estimate.suggestedShards).toBeGreaterThanOrEqual(2);
    expect(estimate.monthlyUsd.logLines).toBeCloseTo(26.28, 2);
    expect(estimate.monthlyUsd.total).toBeCloseTo(Math.round(plan.costs.knownUsdPerMonth * 100) / 100, 2);
    expect(estimate.assumptions.join('\n')).toMatch(/read \d{4}-\d{2}-\d{2}/);
    expect(suggestShards({ ...input, requestsPerSecond: 0 })).toBe(1);
  });

  it('groups every catalogue field exactly once', () => {
    const grouped = FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.name));
    expect(grouped.sort()).toEqual(FIELDS.map((f) => f.name).sort());
    expect(FIELD_GROUPS.find((g) => g.id === 'request')?.fields.find((f) => f.name === 'cs-headers')?.maxBytes).toBe(801);
  });
});
