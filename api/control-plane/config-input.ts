/**
 * Reads a distribution config from a request body strictly: an unknown member or a value of the
 * wrong JSON type is refused with the member's path (`config.cacheBehaviors[1].compress`); members
 * left out take CloudFront's defaults. The result is checked further by distribution-validation.ts.
 */
import type {
  CacheBehavior,
  CustomErrorResponse,
  DistributionConfig,
  ForwardedValues,
  FunctionAssociation,
  LambdaFunctionAssociation,
  Origin,
  OriginGroup,
} from '../../processor/control-plane/model.js';
import {
  CERTIFICATE_SOURCES,
  COOKIE_FORWARDING,
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
import { ControlPlaneError } from './provider.js';

type Json = Record<string, unknown>;

/** Reads members of one JSON object, naming each by its path. */
export class StrictObject {
  readonly #value: Json;
  readonly #path: string;

  constructor(value: unknown, path: string, known: readonly string[]) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(path, 'must be an object');
    this.#value = value as Json;
    this.#path = path;
    for (const key of Object.keys(this.#value)) {
      if (!known.includes(key)) throw invalid(this.at(key), `is not a known member (expected one of ${known.join(', ')})`);
    }
  }

  at(key: string): string {
    return this.#path === '' ? key : `${this.#path}.${key}`;
  }

  has(key: string): boolean {
    return this.#value[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.#value[key];
  }

  string(key: string, fallback?: string): string {
    const v = this.#value[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string') throw invalid(this.at(key), v === undefined ? 'is required' : 'must be a string');
    return v;
  }

  nullableString(key: string): string | null {
    const v = this.#value[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw invalid(this.at(key), 'must be a string or null');
    return v === '' ? null : v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.#value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw invalid(this.at(key), 'must be true or false');
    return v;
  }

  integer(key: string, fallback?: number): number {
    const v = this.#value[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(this.at(key), v === undefined ? 'is required' : 'must be a whole number');
    return v;
  }

  number(key: string, fallback?: number): number {
    const v = this.#value[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(this.at(key), v === undefined ? 'is required' : 'must be a number');
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback?: T): T {
    const v = this.#value[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalid(this.at(key), `must be one of ${values.join(', ')}`);
    return v as T;
  }

  array<T>(key: string, item: (value: unknown, path: string) => T): T[] {
    const v = this.#value[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw invalid(this.at(key), 'must be an array');
    return v.map((entry, i) => item(entry, `${this.at(key)}[${i}]`));
  }

  strings(key: string): string[] {
    return this.array(key, (v, path) => {
      if (typeof v !== 'string') throw invalid(path, 'must be a string');
      return v;
    });
  }

  oneOfArray<T extends string>(key: string, values: readonly T[], fallback: readonly T[]): T[] {
    if (this.#value[key] === undefined) return [...fallback];
    return this.array(key, (v, path) => {
      if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalid(path, `must be one of ${values.join(', ')}`);
      return v as T;
    });
  }
}

function invalid(path: string, message: string): ControlPlaneError {
  return new ControlPlaneError('invalid', message, path);
}

const ORIGIN_KEYS = [
  'id', 'kind', 'domainName', 'originPath', 'customHeaders', 'connectionAttempts', 'connectionTimeoutS', 'readTimeoutS',
  'keepaliveTimeoutS', 'originShieldRegion', 'originAccessControlId', 'protocolPolicy', 'httpPort', 'httpsPort', 'sslProtocols',
] as const;

function readOrigin(value: unknown, path: string): Origin {
  const o = new StrictObject(value, path, ORIGIN_KEYS);
  const kind = o.oneOf('kind', ORIGIN_KINDS, 'custom');
  return {
    id: o.string('id'),
    kind,
    domainName: o.string('domainName'),
    originPath: o.string('originPath', ''),
    customHeaders: o.array('customHeaders', (h, p) => {
      const header = new StrictObject(h, p, ['name', 'value']);
      return { name: header.string('name'), value: header.string('value') };
    }),
    connectionAttempts: o.integer('connectionAttempts', 3),
    connectionTimeoutS: o.integer('connectionTimeoutS', 10),
    readTimeoutS: o.integer('readTimeoutS', 30),
    keepaliveTimeoutS: o.integer('keepaliveTimeoutS', 5),
    originShieldRegion: o.nullableString('originShieldRegion'),
    originAccessControlId: o.nullableString('originAccessControlId'),
    protocolPolicy: o.oneOf('protocolPolicy', ORIGIN_PROTOCOL_POLICIES, kind === 'custom' ? 'match-viewer' : 'https-only'),
    httpPort: o.integer('httpPort', 80),
    httpsPort: o.integer('httpsPort', 443),
    sslProtocols: o.oneOfArray('sslProtocols', ORIGIN_SSL_PROTOCOLS, ['TLSv1.2']),
  };
}

function readOriginGroup(value: unknown, path: string): OriginGroup {
  const o = new StrictObject(value, path, ['id', 'primaryOriginId', 'secondaryOriginId', 'failoverStatusCodes']);
  const codes = o.has('failoverStatusCodes')
    ? o.array('failoverStatusCodes', (v, p) => {
        if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(p, 'must be a status code');
        return v;
      })
    : [500, 502, 503, 504];
  return { id: o.string('id'), primaryOriginId: o.string('primaryOriginId'), secondaryOriginId: o.string('secondaryOriginId'), failoverStatusCodes: codes };
}

function readForwardedValues(value: unknown, path: string): ForwardedValues | null {
  if (value === undefined || value === null) return null;
  const o = new StrictObject(value, path, ['queryString', 'queryStringCacheKeys', 'cookies', 'cookieNames', 'headers']);
  return {
    queryString: o.boolean('queryString', false),
    queryStringCacheKeys: o.strings('queryStringCacheKeys'),
    cookies: o.oneOf('cookies', COOKIE_FORWARDING, 'none'),
    cookieNames: o.strings('cookieNames'),
    headers: o.strings('headers'),
  };
}

const BEHAVIOR_KEYS = [
  'pathPattern', 'targetOriginId', 'viewerProtocolPolicy', 'allowedMethods', 'cachedMethods', 'compress', 'smoothStreaming',
  'cachePolicyId', 'originRequestPolicyId', 'responseHeadersPolicyId', 'forwardedValues', 'minTtlS', 'defaultTtlS', 'maxTtlS',
  'trustedKeyGroups', 'lambdaFunctionAssociations', 'functionAssociations', 'realtimeLogConfigArn',
] as const;

/** CachingOptimized, the managed cache policy CloudFront's console proposes. */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

function readBehavior(value: unknown, path: string, isDefault: boolean, defaultOrigin: string | undefined): CacheBehavior {
  const o = new StrictObject(value, path, BEHAVIOR_KEYS);
  const forwardedValues = readForwardedValues(o.raw('forwardedValues'), o.at('forwardedValues'));
  const cachePolicyId = o.nullableString('cachePolicyId') ?? (forwardedValues === null ? CACHING_OPTIMIZED_POLICY_ID : null);
  const pathPattern = isDefault ? o.string('pathPattern', '*') : o.string('pathPattern');
  if (isDefault && pathPattern !== '*') throw invalid(o.at('pathPattern'), 'the default behavior’s pattern is always *');
  return {
    pathPattern,
    targetOriginId: defaultOrigin === undefined ? o.string('targetOriginId') : o.string('targetOriginId', defaultOrigin),
    viewerProtocolPolicy: o.oneOf('viewerProtocolPolicy', VIEWER_PROTOCOL_POLICIES, 'redirect-to-https'),
    allowedMethods: o.oneOfArray('allowedMethods', HTTP_METHODS, ['GET', 'HEAD']),
    cachedMethods: o.oneOfArray('cachedMethods', HTTP_METHODS, ['GET', 'HEAD']),
    compress: o.boolean('compress', true),
    smoothStreaming: o.boolean('smoothStreaming', false),
    cachePolicyId,
    originRequestPolicyId: o.nullableString('originRequestPolicyId'),
    responseHeadersPolicyId: o.nullableString('responseHeadersPolicyId'),
    forwardedValues,
    minTtlS: o.integer('minTtlS', 0),
    defaultTtlS: o.integer('defaultTtlS', 86_400),
    maxTtlS: o.integer('maxTtlS', 31_536_000),
    trustedKeyGroups: o.strings('trustedKeyGroups'),
    lambdaFunctionAssociations: o.array('lambdaFunctionAssociations', (v, p): LambdaFunctionAssociation => {
      const a = new StrictObject(v, p, ['eventType', 'lambdaFunctionArn', 'includeBody']);
      return { eventType: a.oneOf('eventType', LAMBDA_EVENT_TYPES), lambdaFunctionArn: a.string('lambdaFunctionArn'), includeBody: a.boolean('includeBody', false) };
    }),
    functionAssociations: o.array('functionAssociations', (v, p): FunctionAssociation => {
      const a = new StrictObject(v, p, ['eventType', 'functionArn']);
      return { eventType: a.oneOf('eventType', FUNCTION_EVENT_TYPES), functionArn: a.string('functionArn') };
    }),
    realtimeLogConfigArn: o.nullableString('realtimeLogConfigArn'),
  };
}

function readErrorResponse(value: unknown, path: string): CustomErrorResponse {
  const o = new StrictObject(value, path, ['errorCode', 'responsePagePath', 'responseCode', 'errorCachingMinTtlS']);
  return {
    errorCode: o.integer('errorCode'),
    responsePagePath: o.nullableString('responsePagePath'),
    responseCode: o.nullableString('responseCode'),
    errorCachingMinTtlS: o.integer('errorCachingMinTtlS', 10),
  };
}

const CONFIG_KEYS = [
  'comment', 'enabled', 'aliases', 'defaultRootObject', 'origins', 'originGroups', 'defaultCacheBehavior', 'cacheBehaviors',
  'customErrorResponses', 'geoRestriction', 'viewerCertificate', 'priceClass', 'httpVersion', 'isIpv6Enabled', 'webAclId',
] as const;

/** The config in a request body (at `path`), with CloudFront's defaults for what is left out. */
export function readDistributionConfig(value: unknown, path = 'config'): DistributionConfig {
  const o = new StrictObject(value, path, CONFIG_KEYS);
  const origins = o.array('origins', readOrigin);
  const geo = o.has('geoRestriction') ? new StrictObject(o.raw('geoRestriction'), o.at('geoRestriction'), ['type', 'countries']) : null;
  const cert = o.has('viewerCertificate')
    ? new StrictObject(o.raw('viewerCertificate'), o.at('viewerCertificate'), ['source', 'acmCertificateArn', 'iamCertificateId', 'sslSupportMethod', 'minimumProtocolVersion'])
    : null;
  const source = cert?.oneOf('source', CERTIFICATE_SOURCES, 'cloudfront') ?? 'cloudfront';
  return {
    comment: o.string('comment', ''),
    enabled: o.boolean('enabled', true),
    aliases: o.strings('aliases'),
    defaultRootObject: o.string('defaultRootObject', ''),
    origins,
    originGroups: o.array('originGroups', readOriginGroup),
    defaultCacheBehavior: readBehavior(o.raw('defaultCacheBehavior') ?? {}, o.at('defaultCacheBehavior'), true, origins[0]?.id ?? ''),
    cacheBehaviors: o.array('cacheBehaviors', (v, p) => readBehavior(v, p, false, undefined)),
    customErrorResponses: o.array('customErrorResponses', readErrorResponse),
    geoRestriction: { type: geo?.oneOf('type', GEO_RESTRICTION_TYPES, 'none') ?? 'none', countries: geo?.strings('countries') ?? [] },
    viewerCertificate: {
      source,
      acmCertificateArn: cert?.nullableString('acmCertificateArn') ?? null,
      iamCertificateId: cert?.nullableString('iamCertificateId') ?? null,
      sslSupportMethod: cert?.oneOf('sslSupportMethod', SSL_SUPPORT_METHODS, 'sni-only') ?? 'sni-only',
      minimumProtocolVersion: cert?.oneOf('minimumProtocolVersion', MINIMUM_PROTOCOL_VERSIONS, source === 'cloudfront' ? 'TLSv1' : 'TLSv1.2_2021') ?? 'TLSv1',
    },
    priceClass: o.oneOf('priceClass', PRICE_CLASSES, 'PriceClass_All'),
    httpVersion: o.oneOf('httpVersion', HTTP_VERSIONS, 'http2'),
    isIpv6Enabled: o.boolean('isIpv6Enabled', true),
    webAclId: o.nullableString('webAclId'),
  };
}
