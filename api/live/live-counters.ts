/**
 * Per-second counters of the live view. Counts and bytes are extrapolated by each record's sampling
 * rate (Σ 100/rate) with the sampled figures alongside, exactly as the rollups sum them, so a
 * second here and a second of the stats routes agree.
 */
import type { EntryMeasure } from './live-entry.js';
import type { LivePlaces } from './live-places.js';

/** Measures of one second (extrapolated unless named `sampled…`). */
export interface CounterMeasures {
  sampledRequests: number;
  sampledBytes: number;
  requests: number;
  bytes: number;
  /** Σ w(w−1) and Σ w(w−1)·bytes²: variance of the extrapolated sums (0 at 100 % sampling). */
  requestsVar: number;
  bytesVar: number;
  /** Requests and bytes that hit ratios count: all but WebSocket connections. */
  ratioRequests: number;
  ratioBytes: number;
  hits: number;
  hitBytes: number;
  misses: number;
  cacheableRequests: number;
  cacheableHits: number;
  status4xx: number;
  status5xx: number;
  geoBlocked: number;
}

/** Ratios of one second; null when the denominator is 0. */
export interface CounterRatios {
  readonly cacheHitRatio: number | null;
  readonly edgeHitRatio: number | null;
  readonly byteHitRatio: number | null;
  readonly errorRate4xx: number | null;
  readonly errorRate5xx: number | null;
}

/** What the live view could not show in one second; the same for every subscriber. */
export interface LiveLoss {
  /** Records the live view dropped because it fell behind (its queue or its per-second budget was full). */
  dropped: number;
  /** Records read long after they arrived in the stream (a backlog being caught up): not live. */
  stale: number;
  /** Lines that could not be parsed (they go to dead letters through the normal path). */
  invalid: number;
}

/** One closed second, as a subscriber receives it. */
export interface SecondCounters extends Readonly<CounterMeasures>, CounterRatios, Readonly<LiveLoss>, LivePlaces {
  /** Start of the second (epoch ms) in which edgewatch read the records. */
  readonly t: number;
  /** Matching records not sent to this subscriber because of its `rate`. */
  readonly recordsOverRate: number;
  /** Matching records sent to this subscriber. */
  readonly recordsSent: number;
}

export function emptyMeasures(): CounterMeasures {
  return {
    sampledRequests: 0,
    sampledBytes: 0,
    requests: 0,
    bytes: 0,
    requestsVar: 0,
    bytesVar: 0,
    ratioRequests: 0,
    ratioBytes: 0,
    hits: 0,
    hitBytes: 0,
    misses: 0,
    cacheableRequests: 0,
    cacheableHits: 0,
    status4xx: 0,
    status5xx: 0,
    geoBlocked: 0,
  };
}

export function emptyLoss(): LiveLoss {
  return { dropped: 0, stale: 0, invalid: 0 };
}

export function addMeasure(into: CounterMeasures, m: EntryMeasure): void {
  const w = m.weight;
  const bytes = m.bytes * w;
  into.sampledRequests += 1;
  into.sampledBytes += m.bytes;
  into.requests += w;
  into.bytes += bytes;
  into.requestsVar += w * (w - 1);
  into.bytesVar += w * (w - 1) * m.bytes * m.bytes;
  if (m.inRatios) {
    into.ratioRequests += w;
    into.ratioBytes += bytes;
    if (m.hit) {
      into.hits += w;
      into.hitBytes += bytes;
    }
    if (m.miss) into.misses += w;
    if (m.cacheable) {
      into.cacheableRequests += w;
      if (m.hit) into.cacheableHits += w;
    }
  }
  if (m.status4xx) into.status4xx += w;
  if (m.status5xx) into.status5xx += w;
  if (m.geoBlocked) into.geoBlocked += w;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.min(1, numerator / denominator) : null;
}

export function ratiosOf(m: Readonly<CounterMeasures>): CounterRatios {
  return {
    cacheHitRatio: ratio(m.cacheableHits, m.cacheableRequests),
    edgeHitRatio: ratio(m.hits, m.ratioRequests),
    byteHitRatio: ratio(m.hitBytes, m.ratioBytes),
    errorRate4xx: ratio(m.status4xx, m.requests),
    errorRate5xx: ratio(m.status5xx, m.requests),
  };
}
