/**
 * Cache outcome of a request from `x-edge-detailed-result-type`, falling back to
 * `x-edge-result-type` (reference §3.1–3.3). The value sets are open: AWS adds types, so
 * unknown values are classified by their shape or as 'other', never rejected.
 */
import type { CacheClass } from '../types.js';

const KNOWN: ReadonlyMap<string, CacheClass> = new Map<string, CacheClass>([
  ['Hit', 'hit'],
  ['RefreshHit', 'refresh_hit'],
  ['OriginShieldHit', 'origin_shield_hit'],
  ['Miss', 'miss'],
  ['MissGeneratedResponse', 'miss'],
  ['Redirect', 'redirect'],
  ['LimitExceeded', 'limit_exceeded'],
  ['CapacityExceeded', 'capacity_exceeded'],
  ['Error', 'error'],
  // Detailed error types (§3.3).
  ['AbortedOrigin', 'error'],
  ['ClientCommError', 'error'],
  ['ClientGeoBlocked', 'error'],
  ['ClientHungUpRequest', 'error'],
  ['InvalidRequest', 'error'],
  ['InvalidRequestBlocked', 'error'],
  ['InvalidRequestCertificate', 'error'],
  ['InvalidRequestHeader', 'error'],
  ['InvalidRequestMethod', 'error'],
  ['OriginCommError', 'error'],
  ['OriginConnectError', 'error'],
  ['OriginContentRangeLengthError', 'error'],
  ['OriginDnsError', 'error'],
  ['OriginError', 'error'],
  ['OriginHeaderTooBigError', 'error'],
  ['OriginInvalidResponseError', 'error'],
  ['OriginReadError', 'error'],
  ['OriginWriteError', 'error'],
  ['OriginZeroSizeObjectError', 'error'],
  ['SlowReaderOriginError', 'error'],
  ['LambdaExecutionError', 'error'],
  // CloudFront Functions types seen in third-party code (§3.1, unconfirmed).
  ['FunctionExecutionError', 'error'],
  ['FunctionThrottledError', 'error'],
]);

/** Classifies one result-type value; null for values that are absent or unrecognised. */
function classifyResultType(value: string | null): CacheClass | null {
  if (value === null || value.length === 0) return null;
  const known = KNOWN.get(value);
  if (known !== undefined) return known;
  // New error types so far all follow these names (`Origin*Error`, `InvalidRequest*`, `Lambda*Error`).
  if (value.endsWith('Error') || value.startsWith('InvalidRequest')) return 'error';
  return null;
}

export function classifyCache(detailedResultType: string | null, resultType: string | null): CacheClass {
  return classifyResultType(detailedResultType) ?? classifyResultType(resultType) ?? 'other';
}

/** True when the geo restriction of the distribution refused the viewer (§3.4). */
export function isGeoBlocked(detailedResultType: string | null): boolean {
  return detailedResultType === 'ClientGeoBlocked';
}
