/**
 * What the rules read: sums of one distribution (or one of its countries) over a span of time,
 * extrapolated by sampling rate (Σ 100/rate) as the stats routes count, with the sampled lines
 * alongside for the minimum counts. Both evaluation sources (the in-process counters and the
 * ClickHouse rollups) produce these.
 */

export interface SpanMeasures {
  /** Milliseconds of the span for which data was collected (the rate denominator). */
  coveredMs: number;
  sampledRequests: number;
  requests: number;
  /** Requests counted by hit ratios (WebSocket connections left out). */
  cacheableRequests: number;
  cacheableHits: number;
  sampledCacheable: number;
  status4xx: number;
  /** 4xx lines that were not geo-blocked. */
  sampled4xxOther: number;
  status5xx: number;
  sampled5xx: number;
  geoBlocked: number;
  sampledGeoBlocked: number;
  edgeFunctionErrors: number;
  sampledEdgeFunctionErrors: number;
  /** Sampled lines with an origin first-byte latency (WebSocket connections left out). */
  sampledOriginLatency: number;
  /** 95th percentile of origin first-byte latency in ms; null without any. */
  originLatencyP95Ms: number | null;
  /**
   * Baselines only: the median over the span's whole minutes of geo-blocked requests and of all
   * requests per second, so that an earlier burst (or outage) does not move the baseline; null
   * before a whole minute has been collected.
   */
  geoBlockedMedianPerS: number | null;
  requestsMedianPerS: number | null;
}

export function emptySpan(coveredMs = 0): SpanMeasures {
  return {
    coveredMs,
    sampledRequests: 0,
    requests: 0,
    cacheableRequests: 0,
    cacheableHits: 0,
    sampledCacheable: 0,
    status4xx: 0,
    sampled4xxOther: 0,
    status5xx: 0,
    sampled5xx: 0,
    geoBlocked: 0,
    sampledGeoBlocked: 0,
    edgeFunctionErrors: 0,
    sampledEdgeFunctionErrors: 0,
    sampledOriginLatency: 0,
    originLatencyP95Ms: null,
    geoBlockedMedianPerS: null,
    requestsMedianPerS: null,
  };
}

/** The current window and the baseline window before it, for one scope. */
export interface ScopeMeasures {
  readonly window: SpanMeasures;
  readonly baseline: SpanMeasures;
}

/** Geo-blocked sums of one country, for per-country rules. */
export interface CountryMeasures {
  readonly window: { geoBlocked: number; sampledGeoBlocked: number; coveredMs: number };
  readonly baseline: { geoBlocked: number; sampledGeoBlocked: number; coveredMs: number; medianPerS: number | null };
}

/** Baselines are medians over minutes: a burst shorter than half the baseline leaves them alone. */
export const BASELINE_CHUNK_MS = 60_000;

/**
 * The lower median of whole minutes' counts (zeros included), per second; null without any minute.
 * Lower: with two minutes collected, one of them a burst, the baseline is the other one.
 */
export function medianRate(perMinute: readonly number[]): number | null {
  if (perMinute.length === 0) return null;
  const sorted = [...perMinute].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]! / (BASELINE_CHUNK_MS / 1000);
}

/** Everything a distribution's rules with one window and baseline read. */
export interface DistributionMeasures extends ScopeMeasures {
  readonly countries: ReadonlyMap<string, CountryMeasures>;
}

/** Spans to read: one window length and one baseline length. */
export interface SpanRequest {
  readonly windowMs: number;
  readonly baselineMs: number;
}

export function spanKey(span: SpanRequest): string {
  return `${span.windowMs}/${span.baselineMs}`;
}

/** Result types of requests failed by an edge function (reference §3.1; the Function* ones unconfirmed). */
export const EDGE_FUNCTION_ERROR_TYPES: readonly string[] = ['LambdaExecutionError', 'FunctionExecutionError', 'FunctionThrottledError'];
/** New function error types are likely to follow the same names. */
export const EDGE_FUNCTION_ERROR_PATTERN = /^(Lambda|Function)[A-Za-z]*Error$/;

export function isEdgeFunctionError(resultType: string | null): boolean {
  return resultType !== null && EDGE_FUNCTION_ERROR_PATTERN.test(resultType);
}

/**
 * Latency histogram with buckets about 3 % wide (weights by bucket index), so a percentile over any
 * number of seconds is a merge of small maps.
 */
const LATENCY_BASE = Math.log(1.03);
const MIN_LATENCY_MS = 0.1;

export type LatencyHistogram = Map<number, number>;

export function latencyBucket(ms: number): number {
  return Math.max(0, Math.ceil(Math.log(Math.max(ms, MIN_LATENCY_MS) / MIN_LATENCY_MS) / LATENCY_BASE));
}

export function bucketUpperMs(bucket: number): number {
  return MIN_LATENCY_MS * Math.exp(bucket * LATENCY_BASE);
}

export function addLatency(histogram: LatencyHistogram, ms: number, weight: number): void {
  const bucket = latencyBucket(ms);
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + weight);
}

export function mergeLatency(into: LatencyHistogram, from: LatencyHistogram): void {
  for (const [bucket, weight] of from) into.set(bucket, (into.get(bucket) ?? 0) + weight);
}

/** The weighted quantile q (0–1), as the upper edge of its bucket; null when empty. */
export function latencyQuantile(histogram: LatencyHistogram, q: number): number | null {
  let total = 0;
  for (const weight of histogram.values()) total += weight;
  if (total <= 0) return null;
  const target = q * total;
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket) ?? 0;
    if (seen >= target) return Math.round(bucketUpperMs(bucket) * 10) / 10;
  }
  return null;
}
