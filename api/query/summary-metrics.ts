/**
 * Summary metrics from one merged stats row, by the definitions of definitions.ts. Ratios are
 * fractions in [0, 1] and null when their denominator is zero; latencies are milliseconds.
 */
import { QUANTILES, SUM_MEASURES, type DigestName, type SumName } from './measures.js';

export type Sums = Readonly<Record<SumName, number>>;

export interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface Interval95 {
  readonly requests: readonly [number, number];
  readonly bytes: readonly [number, number];
}

export interface Summary {
  readonly requests: number;
  readonly bytes: number;
  readonly sampled: { readonly requests: number; readonly bytes: number };
  /** 95 % interval of the extrapolated counts; null when every row was logged at 100 %. */
  readonly interval95: Interval95 | null;
  readonly cacheHitRatio: number | null;
  readonly edgeHitRatio: number | null;
  readonly byteHitRatio: number | null;
  readonly errorRate4xx: number | null;
  readonly errorRate5xx: number | null;
  readonly geoBlocked: number;
  readonly ttfbMs: Percentiles;
  readonly timeTakenMs: Percentiles;
  readonly originLatencyMs: Percentiles;
  readonly requestsPerSecond: number;
}

/** Normal quantile of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

export type StatsRow = Readonly<Record<string, unknown>>;

export function sumsOf(row: StatsRow | undefined): Sums {
  const sums = {} as Record<SumName, number>;
  for (const { name } of SUM_MEASURES) {
    const value = Number(row?.[`m_${name}`] ?? 0);
    sums[name] = Number.isFinite(value) ? value : 0;
  }
  return sums;
}

export function ratio(numerator: number, denominator: number): number | null {
  if (!(denominator > 0)) return null;
  return Math.min(1, Math.max(0, numerator / denominator));
}

/** Seconds quantiles (QUANTILES order) → milliseconds; null where the digest was empty. */
export function percentilesOf(row: StatsRow | undefined, digest: DigestName, hasValues: boolean): Percentiles {
  const values = row?.[`q_${digest}`];
  const at = (i: number): number | null => {
    if (!hasValues || !Array.isArray(values)) return null;
    const v = Number(values[i]);
    return Number.isFinite(v) ? Math.round(v * 1000 * 1000) / 1000 : null;
  };
  return { p50: at(QUANTILES.indexOf(0.5)), p95: at(QUANTILES.indexOf(0.95)), p99: at(QUANTILES.indexOf(0.99)) };
}

function interval(value: number, variance: number, sampled: number): readonly [number, number] {
  const half = Z95 * Math.sqrt(Math.max(0, variance));
  return [Math.max(sampled, value - half), value + half];
}

/** Summary of one row; `rangeMs` turns counts into rates. */
export function summaryOf(row: StatsRow | undefined, rangeMs: number): Summary {
  const s = sumsOf(row);
  const sampledLatency = s.ratio_requests > 0;
  return {
    requests: s.requests,
    bytes: s.bytes,
    sampled: { requests: s.sampled_requests, bytes: s.sampled_bytes },
    interval95:
      s.requests_var > 0 || s.bytes_var > 0
        ? { requests: interval(s.requests, s.requests_var, s.sampled_requests), bytes: interval(s.bytes, s.bytes_var, s.sampled_bytes) }
        : null,
    cacheHitRatio: ratio(s.cacheable_hits, s.cacheable_requests),
    edgeHitRatio: ratio(s.hits, s.ratio_requests),
    byteHitRatio: ratio(s.hit_bytes, s.ratio_bytes),
    errorRate4xx: ratio(s.status_4xx, s.requests),
    errorRate5xx: ratio(s.status_5xx, s.requests),
    geoBlocked: s.geo_blocked,
    ttfbMs: percentilesOf(row, 'ttfb', sampledLatency),
    timeTakenMs: percentilesOf(row, 'timeTaken', sampledLatency),
    originLatencyMs: percentilesOf(row, 'originFbl', sampledLatency),
    requestsPerSecond: rangeMs > 0 ? s.requests / (rangeMs / 1000) : 0,
  };
}
