/**
 * What the edge does with a request: serve from cache, revalidate, go to Origin Shield or the
 * origin, redirect, refuse, or fail — with the three result-type fields CloudFront would log
 * (reference §3.1–§3.4) and the response the viewer gets.
 */
import type { RequestPlan } from './request-plan.js';
import type { Rng } from './random.js';

/** How far upstream the request went; drives the origin latency fields. */
export type UpstreamPath =
  | 'none' // answered at the edge (hit, redirect, refusal, edge error)
  | 'fetch' // full fetch from the origin
  | 'revalidate' // conditional request to the origin (RefreshHit)
  | 'shield' // served by the Origin Shield cache
  | 'connect-failed' // no first byte from the origin
  | 'timed-out' // origin read timeout
  | 'broken'; // origin answered, then failed

export interface EdgeOutcome {
  /** 3-digit status as logged (`000` when the viewer went away before a response). */
  readonly status: string;
  readonly resultType: string;
  readonly responseResultType: string;
  readonly detailedType: string;
  readonly upstream: UpstreamPath;
  /** Response body bytes the viewer received. */
  readonly bodyBytes: number;
  /** Content-Length header of the response; null when absent. */
  readonly contentLength: number | null;
  readonly contentType: string | null;
  /** The response is the partial content the plan asked for. */
  readonly ranged: boolean;
  /** Extra edge-side time in ms (edge function run time, waiting for a hung-up viewer…). */
  readonly edgeDelayMs: number;
}

/** Why a request is refused before any cache lookup. */
export type ForcedOutcome = 'geo-blocked' | 'redirect-to-https';

/** Rates of the rare outcomes, per request (or per origin fetch for origin errors). */
export const OUTCOME_RATES = {
  limitExceeded: 0.0002,
  capacityExceeded: 0.0002,
  clientHungUp: 0.0008,
  clientGoneBeforeResponse: 0.0006,
  invalidHeader: 0.0001,
  lambdaError: 0.015,
  functionError: 0.0004,
  /** Per origin fetch. */
  originError: 0.008,
  /** Viewer aborts a large download (bytes > 1 MB). */
  abortLarge: 0.02,
  notFound: 0.004,
  /** Share of edge misses that Origin Shield serves. */
  shieldHit: 0.65,
} as const;

const ORIGIN_ERRORS: ReadonlyArray<readonly [detail: string, status: string, upstream: UpstreamPath, weight: number]> = [
  ['OriginConnectError', '502', 'connect-failed', 30],
  ['OriginCommError', '504', 'timed-out', 25],
  ['OriginDnsError', '502', 'connect-failed', 5],
  ['OriginInvalidResponseError', '502', 'broken', 10],
  ['OriginReadError', '502', 'broken', 10],
  ['Error', '500', 'fetch', 15],
  ['Error', '503', 'fetch', 5],
];
const ORIGIN_ERROR_TOTAL = ORIGIN_ERRORS.reduce((s, e) => s + e[3], 0);

/** CloudFront's own error pages are small HTML documents. */
function edgeError(status: string, resultType: string, detailedType: string, bytes: number, contentType = 'text/html'): EdgeOutcome {
  return {
    status, resultType, responseResultType: resultType, detailedType, upstream: 'none', bodyBytes: bytes,
    contentLength: bytes, contentType, ranged: false, edgeDelayMs: 0,
  };
}

function cacheable(plan: RequestPlan): boolean {
  return plan.cache !== null && (plan.method === 'GET' || plan.method === 'HEAD' || plan.method === 'OPTIONS') && plan.websocket === null;
}

export function decideOutcome(rng: Rng, plan: RequestPlan, forced: ForcedOutcome | null): EdgeOutcome {
  if (forced === 'geo-blocked') return edgeError('403', 'Error', 'ClientGeoBlocked', 915);
  if (forced === 'redirect-to-https') return edgeError('301', 'Redirect', 'Redirect', 183);

  const r = rng.next();
  let t = OUTCOME_RATES.limitExceeded;
  if (r < t) return edgeError('503', 'LimitExceeded', 'LimitExceeded', 1012);
  if (r < (t += OUTCOME_RATES.capacityExceeded)) return edgeError('503', 'CapacityExceeded', 'CapacityExceeded', 1012);
  if (r < (t += OUTCOME_RATES.clientHungUp)) {
    // The viewer stopped while still sending the request: no response at all.
    return {
      status: '000', resultType: 'Error', responseResultType: 'Error', detailedType: 'ClientHungUpRequest', upstream: 'none',
      bodyBytes: 0, contentLength: null, contentType: null, ranged: false, edgeDelayMs: rng.uniform(50, 8_000),
    };
  }
  if (r < (t += OUTCOME_RATES.invalidHeader)) return edgeError('400', 'Error', 'InvalidRequestHeader', 915);

  switch (plan.denial) {
    case 'method-not-allowed':
      return edgeError('403', 'Error', 'InvalidRequestMethod', 915);
    case 'waf-block':
      return edgeError('403', 'Error', 'InvalidRequestBlocked', 915);
    case 'signed-url-missing':
    case 'signed-url-expired':
      // Signed-URL refusals come back as a small XML AccessDenied document.
      return edgeError('403', 'Error', 'Error', plan.denial === 'signed-url-missing' ? 146 : 110, 'text/xml');
    case null:
      break;
  }

  if (plan.edgeFunction === 'lambda' && rng.chance(OUTCOME_RATES.lambdaError)) {
    return { ...edgeError('503', 'LambdaExecutionError', 'LambdaExecutionError', 1031), edgeDelayMs: rng.chance(0.3) ? 5_000 : rng.uniform(5, 400) };
  }
  if (plan.edgeFunction === 'cloudfront-function' && rng.chance(OUTCOME_RATES.functionError)) {
    return edgeError('503', 'FunctionExecutionError', 'FunctionExecutionError', 1031);
  }

  if (plan.websocket) {
    return {
      status: '101', resultType: 'Miss', responseResultType: 'Miss', detailedType: 'Miss', upstream: 'fetch',
      bodyBytes: plan.websocket.bytesOut, contentLength: null, contentType: null, ranged: false, edgeDelayMs: 0,
    };
  }

  // Cache lookup.
  let cacheResult: 'Hit' | 'RefreshHit' | 'Miss' = 'Miss';
  if (cacheable(plan) && plan.cache) {
    const c = rng.next();
    cacheResult = c < plan.cache.hit ? 'Hit' : c < plan.cache.hit + plan.cache.refreshHit ? 'RefreshHit' : 'Miss';
  }
  let detailed: string = cacheResult;
  let upstream: UpstreamPath = cacheResult === 'Hit' ? 'none' : cacheResult === 'RefreshHit' ? 'revalidate' : 'fetch';
  let resultType: string = cacheResult;
  if (cacheResult === 'Miss' && plan.originShield && cacheable(plan) && rng.chance(OUTCOME_RATES.shieldHit)) {
    detailed = 'OriginShieldHit';
    upstream = 'shield';
    // The edge missed; Origin Shield had it. Logged as Miss, or as Hit when the regional tier answered.
    resultType = rng.chance(0.3) ? 'Hit' : 'Miss';
  }

  // Not found: from the origin on a miss, or a cached error response.
  const notFoundCandidate = plan.kind === 'html' || plan.kind === 'image' || plan.kind === 'api' || plan.kind === 'other';
  if (notFoundCandidate && plan.method === 'GET' && rng.chance(OUTCOME_RATES.notFound)) {
    const fromOrigin = rng.chance(0.5);
    return {
      status: '404', resultType: 'Error', responseResultType: 'Error', detailedType: 'Error',
      upstream: fromOrigin ? 'fetch' : 'none', bodyBytes: 3_412, contentLength: 3_412, contentType: 'text/html; charset=utf-8', ranged: false, edgeDelayMs: 0,
    };
  }

  if (upstream === 'fetch' && rng.chance(OUTCOME_RATES.originError)) {
    let pick = rng.next() * ORIGIN_ERROR_TOTAL;
    for (const [detail, status, path, weight] of ORIGIN_ERRORS) {
      pick -= weight;
      if (pick >= 0) continue;
      const originPage = detail === 'Error';
      const bytes = originPage ? 1_204 : status === '504' ? 1_033 : 951;
      return {
        status, resultType: 'Error', responseResultType: 'Error', detailedType: detail, upstream: path, bodyBytes: bytes,
        contentLength: bytes, contentType: 'text/html', ranged: false, edgeDelayMs: 0,
      };
    }
  }

  if (rng.chance(OUTCOME_RATES.clientGoneBeforeResponse)) {
    return {
      status: '000', resultType: 'Error', responseResultType: 'Error', detailedType: 'ClientCommError', upstream, bodyBytes: 0,
      contentLength: null, contentType: null, ranged: false, edgeDelayMs: 0,
    };
  }

  // Conditional request for an unchanged object.
  if (plan.conditional && cacheResult !== 'Miss') {
    return {
      status: '304', resultType, responseResultType: resultType, detailedType: detailed, upstream, bodyBytes: 0,
      contentLength: null, contentType: null, ranged: false, edgeDelayMs: 0,
    };
  }

  const ranged = plan.range !== null;
  const fullBody = ranged && plan.range ? plan.range.end - plan.range.start + 1 : plan.objectBytes;
  const bodyBytes = plan.method === 'HEAD' ? 0 : fullBody;
  const contentLength = plan.chunked || plan.status === 204 ? null : fullBody;
  if (bodyBytes > 1_000_000 && rng.chance(OUTCOME_RATES.abortLarge)) {
    // The viewer went away mid-download: started status, response type from the cache, result Error.
    return {
      status: String(plan.status), resultType: 'Error', responseResultType: resultType, detailedType: 'ClientCommError', upstream,
      bodyBytes: Math.floor(bodyBytes * rng.uniform(0.02, 0.9)), contentLength, contentType: plan.contentType, ranged, edgeDelayMs: 0,
    };
  }
  return {
    status: String(plan.status), resultType, responseResultType: resultType, detailedType: detailed, upstream, bodyBytes,
    contentLength, contentType: plan.contentType, ranged, edgeDelayMs: 0,
  };
}
