/**
 * Why a request failed, from its x-edge-detailed-result-type (and status): the origin failed, the
 * edge refused or broke off, an edge function failed, access was denied (signed URLs, blocked
 * resources), the viewer's country is geo-blocked, or the origin answered with an error status.
 */

export type ErrorCause = 'origin' | 'edge' | 'function' | 'access' | 'geo' | 'originResponse';

export const ERROR_CAUSES: readonly ErrorCause[] = ['origin', 'originResponse', 'edge', 'function', 'access', 'geo'];

/** Short names, for tables. */
export const ERROR_CAUSE_NAMES: Readonly<Record<ErrorCause, string>> = {
  origin: 'origin error',
  originResponse: 'origin/cached status',
  edge: 'edge error',
  function: 'function error',
  access: 'access denied',
  geo: 'geo-blocked',
};

export const ERROR_CAUSE_LABELS: Readonly<Record<ErrorCause, string>> = {
  origin: 'Origin errors (connect, DNS, timeout, bad response)',
  originResponse: 'Error status from the origin or cache',
  edge: 'Edge errors (invalid request, client aborts, limits)',
  function: 'Function errors (CloudFront Functions, Lambda@Edge)',
  access: 'Access denied (signed URLs, blocked resources)',
  geo: 'Geo-blocked (ClientGeoBlocked)',
};

const SERVED = new Set(['Hit', 'RefreshHit', 'Miss', 'OriginShieldHit', 'MissGeneratedResponse', 'Redirect']);

/**
 * The cause of a 4xx/5xx request. A plain `Error` with 403 is an access denial: that is how
 * CloudFront logs a refused signed URL or cookie.
 */
export function errorCauseOf(detailedResult: string, status?: number): ErrorCause {
  if (detailedResult === 'ClientGeoBlocked') return 'geo';
  if (/^(Function|Lambda)/.test(detailedResult)) return 'function';
  if (/^Origin|^AbortedOrigin$|^SlowReaderOriginError$/.test(detailedResult)) return 'origin';
  if (detailedResult === 'InvalidRequestBlocked' || (detailedResult === 'Error' && status === 403)) return 'access';
  if (SERVED.has(detailedResult)) return 'originResponse';
  return 'edge';
}

export interface DetailedCount {
  readonly detailedResult: string;
  readonly requests: number;
}

/**
 * Requests per cause from two top lists of detailed result types over 4xx/5xx: all of them, and
 * those with status 403 (to tell access denials from other plain `Error`s).
 */
export function countByCause(all: readonly DetailedCount[], forbidden: readonly DetailedCount[]): Map<ErrorCause, number> {
  const counts = new Map<ErrorCause, number>(ERROR_CAUSES.map((c) => [c, 0]));
  const add = (cause: ErrorCause, n: number): void => void counts.set(cause, (counts.get(cause) ?? 0) + n);
  const forbiddenErrors = forbidden.find((r) => r.detailedResult === 'Error')?.requests ?? 0;
  for (const row of all) {
    if (row.detailedResult === 'Error') {
      const denied = Math.min(row.requests, forbiddenErrors);
      add('access', denied);
      add('edge', row.requests - denied);
    } else add(errorCauseOf(row.detailedResult), row.requests);
  }
  return counts;
}
