/**
 * One rule against the measures of one distribution (or country): is its condition met, and with
 * which value, threshold and baseline. Pure.
 *
 * A baseline counts only once it covers MIN_BASELINE_MS of collected data; before that (the first
 * minute after a start) spike rules measure against their floor alone, and rules that need a
 * baseline to compare with (hit ratio drop, traffic drop) stay quiet. Rate baselines are medians of
 * the baseline's minutes, so an earlier burst or outage does not lift or sink them.
 */
import type { CountryMeasures, ScopeMeasures, SpanMeasures } from './alert-measures.js';
import type { AlertRule } from './alert-rules.js';
import type { Signal } from './alert-source.js';

export const MIN_BASELINE_MS = 60_000;

export interface Observation {
  readonly breached: boolean;
  /** The metric over the window; null when there is nothing to measure. */
  readonly value: number | null;
  /** What the value was compared with, in the metric's unit. */
  readonly threshold: number;
  readonly baseline: number | null;
  /** Sampled lines behind the value (what `minSampled` is compared with). */
  readonly sampled: number;
  readonly notes: readonly string[];
}

/** The requests whose countries, POPs, paths and ASNs explain an alert of each kind. */
export const SIGNAL_OF_KIND: Readonly<Record<AlertRule['kind'], Signal>> = {
  geoBlockedSpike: 'geoBlocked',
  errorRate5xx: 'status5xx',
  errorRate4xx: 'status4xxOther',
  cacheHitRatioDrop: 'cacheMiss',
  originLatencyP95: 'originLatency',
  edgeFunctionErrors: 'edgeFunctionErrors',
  trafficDrop: 'requests',
};

export const SIGNAL_DESCRIPTION: Readonly<Record<Signal, string>> = {
  geoBlocked: 'geo-blocked requests in the window',
  status5xx: '5xx responses in the window',
  status4xxOther: '4xx responses (not geo-blocked) in the window',
  cacheMiss: 'cacheable requests that missed the cache in the window',
  originLatency: 'requests whose origin latency was at or above about the threshold in the window',
  edgeFunctionErrors: 'requests failed by an edge function in the window',
  requests: 'requests before the window (where the traffic came from)',
};

/** True for kinds whose alert is about a value going down. */
export function isDropKind(kind: AlertRule['kind']): boolean {
  return kind === 'cacheHitRatioDrop' || kind === 'trafficDrop';
}

function perSecond(count: number, coveredMs: number): number {
  return coveredMs > 0 ? count / (coveredMs / 1000) : 0;
}

function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.min(1, Math.max(0, numerator / denominator)) : null;
}

/** Spike of a count per second against max(baseline rate, floor); the baseline is a median of minutes. */
function spike(
  rule: AlertRule,
  window: { count: number; sampled: number; coveredMs: number },
  baseline: { medianPerS: number | null; coveredMs: number },
): Observation {
  const notes: string[] = [];
  const rate = perSecond(window.count, window.coveredMs);
  const baselineRate = baseline.coveredMs >= MIN_BASELINE_MS ? baseline.medianPerS : null;
  if (baselineRate === null) notes.push('no baseline yet: measured against the floor');
  const reference = Math.max(baselineRate ?? 0, rule.floor);
  const threshold = rule.threshold * reference;
  if (window.sampled < rule.minSampled) notes.push(`below the minimum count (${window.sampled} of ${rule.minSampled} sampled lines)`);
  return {
    breached: window.sampled >= rule.minSampled && rate > 0 && rate >= threshold,
    value: round(rate),
    threshold: round(threshold),
    baseline: baselineRate === null ? null : round(baselineRate),
    sampled: window.sampled,
    notes,
  };
}

function atLeast(rule: AlertRule, value: number | null, sampled: number): Observation {
  const notes = sampled < rule.minSampled ? [`below the minimum count (${sampled} of ${rule.minSampled} sampled lines)`] : [];
  return {
    breached: value !== null && sampled >= rule.minSampled && value >= rule.threshold,
    value: value === null ? null : round(value),
    threshold: rule.threshold,
    baseline: null,
    sampled,
    notes,
  };
}

function hitRatioDrop(rule: AlertRule, window: SpanMeasures, baseline: SpanMeasures): Observation {
  const notes: string[] = [];
  const value = ratio(window.cacheableHits, window.cacheableRequests);
  const known = baseline.coveredMs >= MIN_BASELINE_MS && baseline.sampledCacheable >= rule.minSampled;
  const reference = known ? ratio(baseline.cacheableHits, baseline.cacheableRequests) : null;
  if (!known) notes.push('no baseline yet: a drop cannot be measured');
  const threshold = reference === null ? 0 : Math.max(0, reference - rule.threshold);
  return {
    breached: reference !== null && value !== null && window.sampledCacheable >= rule.minSampled && value <= threshold,
    value: value === null ? null : round(value),
    threshold: round(threshold),
    baseline: reference === null ? null : round(reference),
    sampled: window.sampledCacheable,
    notes,
  };
}

function trafficDrop(rule: AlertRule, window: SpanMeasures, baseline: SpanMeasures): Observation {
  const notes: string[] = [];
  const rate = perSecond(window.requests, window.coveredMs);
  const baselineRate = baseline.coveredMs >= MIN_BASELINE_MS ? baseline.requestsMedianPerS : null;
  const known = baselineRate !== null;
  // Lines the baseline predicts for the window: a quiet distribution can go silent without meaning anything.
  const expected = known ? baseline.sampledRequests * (window.coveredMs / baseline.coveredMs) : 0;
  if (!known) notes.push('no baseline yet: a drop cannot be measured');
  else if (expected < rule.minSampled) notes.push(`too quiet to tell a drop (${Math.round(expected)} of ${rule.minSampled} sampled lines expected)`);
  const threshold = (baselineRate ?? 0) * rule.threshold;
  return {
    breached: baselineRate !== null && expected >= rule.minSampled && rate <= threshold,
    value: round(rate),
    threshold: round(threshold),
    baseline: baselineRate === null ? null : round(baselineRate),
    sampled: window.sampledRequests,
    notes,
  };
}

/** The rule's condition on a distribution's measures. */
export function observe(rule: AlertRule, m: ScopeMeasures): Observation {
  const { window, baseline } = m;
  switch (rule.kind) {
    case 'geoBlockedSpike':
      return spike(
        rule,
        { count: window.geoBlocked, sampled: window.sampledGeoBlocked, coveredMs: window.coveredMs },
        { medianPerS: baseline.geoBlockedMedianPerS, coveredMs: baseline.coveredMs },
      );
    case 'errorRate5xx':
      return atLeast(rule, ratio(window.status5xx, window.requests), window.sampled5xx);
    case 'errorRate4xx':
      return atLeast(rule, ratio(Math.max(0, window.status4xx - window.geoBlocked), window.requests), window.sampled4xxOther);
    case 'cacheHitRatioDrop':
      return hitRatioDrop(rule, window, baseline);
    case 'originLatencyP95':
      return atLeast(rule, window.originLatencyP95Ms, window.sampledOriginLatency);
    case 'edgeFunctionErrors':
      return atLeast(rule, perSecond(window.edgeFunctionErrors, window.coveredMs), window.sampledEdgeFunctionErrors);
    case 'trafficDrop':
      return trafficDrop(rule, window, baseline);
  }
}

/** A per-country geo-blocked rule on one country's measures. */
export function observeCountry(rule: AlertRule, m: CountryMeasures): Observation {
  return spike(
    rule,
    { count: m.window.geoBlocked, sampled: m.window.sampledGeoBlocked, coveredMs: m.window.coveredMs },
    { medianPerS: m.baseline.medianPerS, coveredMs: m.baseline.coveredMs },
  );
}
