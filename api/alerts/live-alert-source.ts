/**
 * The evaluator's measures in embedded mode: counters kept in the process, fed by the live hub as the
 * Kinesis source reads (about a second after a record reaches the stream), never by polling ClickHouse.
 *
 * Per distribution: one slot of counters per second for the longest window plus baseline
 * (MAX_HISTORY_S), and per 10 seconds the detail an alert's context needs for the last 15 minutes
 * (origin latency histograms, top countries, POPs, paths and ASNs per signal, bounded in size) and
 * geo-blocked requests per country for the whole history. A second is the one in which the hub
 * received the record.
 */
import { F } from '../../processor/fields/catalogue.js';
import type { LiveEntry } from '../live/live-entry.js';
import type { LiveHub, LiveSubscription } from '../live/live-hub.js';
import type { AlertContributors, Contributor } from './alert-model.js';
import {
  addLatency,
  BASELINE_CHUNK_MS,
  emptySpan,
  isEdgeFunctionError,
  latencyQuantile,
  medianRate,
  mergeLatency,
  spanKey,
  type CountryMeasures,
  type DistributionMeasures,
  type LatencyHistogram,
  type SpanMeasures,
  type SpanRequest,
} from './alert-measures.js';
import { MAX_HISTORY_S, RULE_LIMITS } from './alert-rules.js';
import { TOP_CONTRIBUTORS, type AlertSource, type ContributorQuery, type Signal, type SourceSnapshot } from './alert-source.js';

const SECOND_MS = 1_000;
const HISTORY_S = MAX_HISTORY_S + 5;
const DETAIL_BUCKET_S = 10;
const DETAIL_BUCKETS = Math.ceil(RULE_LIMITS.windowS[1] / DETAIL_BUCKET_S) + 2;
const COUNTRY_BUCKETS = Math.ceil(HISTORY_S / DETAIL_BUCKET_S) + 1;
/** Distinct values kept per signal and 10-second bucket; further ones are summed as "(other)". */
const MAX_TALLY_KEYS = 256;
const OTHER = '(other)';

// Counter slots of one second.
const C = {
  sampledRequests: 0,
  requests: 1,
  cacheableRequests: 2,
  cacheableHits: 3,
  sampledCacheable: 4,
  status4xx: 5,
  sampled4xxOther: 6,
  status5xx: 7,
  sampled5xx: 8,
  geoBlocked: 9,
  sampledGeoBlocked: 10,
  edgeFunctionErrors: 11,
  sampledEdgeFunctionErrors: 12,
  sampledOriginLatency: 13,
} as const;
const COUNTERS = 14;

type Dimension = 'c' | 'p' | 'u' | 'a';

interface Tally {
  w: number;
  n: number;
}

interface DetailBucket {
  index: number;
  readonly latency: LatencyHistogram;
  readonly tallies: Map<Signal, Map<string, Tally>>;
}

interface CountryBucket {
  index: number;
  readonly counts: Map<string, Tally>;
}

class DistributionSeries {
  readonly counters = new Float64Array(HISTORY_S * COUNTERS);
  readonly secondOf = new Float64Array(HISTORY_S).fill(-1);
  readonly detail: (DetailBucket | undefined)[] = new Array<DetailBucket | undefined>(DETAIL_BUCKETS);
  readonly countries: (CountryBucket | undefined)[] = new Array<CountryBucket | undefined>(COUNTRY_BUCKETS);

  /** Offset of the counters of `second`, cleared if the slot held an older second. */
  slot(second: number): number {
    const i = second % HISTORY_S;
    if (this.secondOf[i] !== second) {
      this.secondOf[i] = second;
      this.counters.fill(0, i * COUNTERS, (i + 1) * COUNTERS);
    }
    return i * COUNTERS;
  }

  detailBucket(second: number): DetailBucket {
    const index = Math.floor(second / DETAIL_BUCKET_S);
    const i = index % DETAIL_BUCKETS;
    let bucket = this.detail[i];
    if (bucket?.index !== index) {
      bucket = { index, latency: new Map(), tallies: new Map() };
      this.detail[i] = bucket;
    }
    return bucket;
  }

  countryBucket(second: number): CountryBucket {
    const index = Math.floor(second / DETAIL_BUCKET_S);
    const i = index % COUNTRY_BUCKETS;
    let bucket = this.countries[i];
    if (bucket?.index !== index) {
      bucket = { index, counts: new Map() };
      this.countries[i] = bucket;
    }
    return bucket;
  }
}

export interface LiveAlertSourceOptions {
  readonly hub: LiveHub;
  readonly now?: () => number;
}

function tally(map: Map<string, Tally>, key: string, overflowKey: string, w: number): void {
  let t = map.get(key);
  if (t === undefined) {
    if (map.size >= MAX_TALLY_KEYS) {
      t = map.get(overflowKey);
      if (t === undefined) {
        t = { w: 0, n: 0 };
        map.set(overflowKey, t);
      }
    } else {
      t = { w: 0, n: 0 };
      map.set(key, t);
    }
  }
  t.w += w;
  t.n += 1;
}

/** Origin latency band of a tally key: log2 of milliseconds. */
function latencyBand(ms: number): number {
  return Math.max(0, Math.floor(Math.log2(Math.max(ms, 1))));
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export class LiveAlertSource implements AlertSource {
  readonly mode = 'live' as const;
  readonly #hub: LiveHub;
  readonly #now: () => number;
  readonly #series = new Map<string, DistributionSeries>();
  /** Records the live view dropped (it fell behind), per second. */
  readonly #lost = new Float64Array(HISTORY_S);
  readonly #lostSecond = new Float64Array(HISTORY_S).fill(-1);
  #startedAtMs: number | null = null;
  #subscription: LiveSubscription | null = null;

  constructor(options: LiveAlertSourceOptions) {
    this.#hub = options.hub;
    this.#now = options.now ?? Date.now;
  }

  /** Starts counting (the evaluator's history begins now). */
  start(): void {
    if (this.#subscription !== null) return;
    this.#startedAtMs = this.#now();
    this.#subscription = this.#hub.observe({
      onEntries: (entries) => this.add(entries),
      onLoss: (loss) => this.#noteLoss((loss.dropped ?? 0) + (loss.invalid ?? 0)),
    });
  }

  stop(): void {
    this.#subscription?.close();
    this.#subscription = null;
  }

  get startedAtMs(): number | null {
    return this.#startedAtMs;
  }

  /** Counts entries in the current second (the hub calls this; tests too). */
  add(entries: readonly LiveEntry[]): void {
    this.#startedAtMs ??= this.#now();
    const second = Math.floor(this.#now() / SECOND_MS);
    for (const entry of entries) this.#addEntry(entry, second);
  }

  #seriesOf(distribution: string): DistributionSeries {
    let series = this.#series.get(distribution);
    if (series === undefined) {
      series = new DistributionSeries();
      this.#series.set(distribution, series);
    }
    return series;
  }

  #addEntry(entry: LiveEntry, second: number): void {
    const { derived, measure: m, record } = entry;
    const series = this.#seriesOf(derived.distribution_id);
    const c = series.counters;
    const at = series.slot(second);
    const w = m.weight;
    c[at + C.sampledRequests]! += 1;
    c[at + C.requests]! += w;
    const signals: Signal[] = ['requests'];
    if (m.inRatios && m.cacheable) {
      c[at + C.cacheableRequests]! += w;
      c[at + C.sampledCacheable]! += 1;
      if (m.hit) c[at + C.cacheableHits]! += w;
      else signals.push('cacheMiss');
    }
    if (m.status4xx) {
      c[at + C.status4xx]! += w;
      if (!m.geoBlocked) {
        c[at + C.sampled4xxOther]! += 1;
        signals.push('status4xxOther');
      }
    }
    if (m.status5xx) {
      c[at + C.status5xx]! += w;
      c[at + C.sampled5xx]! += 1;
      signals.push('status5xx');
    }
    if (m.geoBlocked) {
      c[at + C.geoBlocked]! += w;
      c[at + C.sampledGeoBlocked]! += 1;
      signals.push('geoBlocked');
      tally(series.countryBucket(second).counts, derived.country, OTHER, w);
    }
    const v = record.values;
    if (
      isEdgeFunctionError(text(v[F.x_edge_result_type])) ||
      isEdgeFunctionError(text(v[F.x_edge_detailed_result_type])) ||
      isEdgeFunctionError(text(v[F.x_edge_response_result_type]))
    ) {
      c[at + C.edgeFunctionErrors]! += w;
      c[at + C.sampledEdgeFunctionErrors]! += 1;
      signals.push('edgeFunctionErrors');
    }
    const detail = series.detailBucket(second);
    const originFbl = v[F.origin_fbl];
    let band = -1;
    if (typeof originFbl === 'number' && m.inRatios) {
      const ms = originFbl * 1000;
      c[at + C.sampledOriginLatency]! += 1;
      addLatency(detail.latency, ms, w);
      band = latencyBand(ms);
      signals.push('originLatency');
    }
    const asnValue = v[F.asn];
    const asn = typeof asnValue === 'number' ? `AS${asnValue}` : '';
    for (const signal of signals) {
      let map = detail.tallies.get(signal);
      if (map === undefined) {
        map = new Map();
        detail.tallies.set(signal, map);
      }
      // Geo-blocked detail is kept per country (per-country alerts name their own POPs, paths, ASNs);
      // origin latency detail per latency band (contributors are the slow requests).
      const scope = signal === 'geoBlocked' ? derived.country : signal === 'originLatency' ? String(band) : '';
      tally(map, `c\0${scope}\0${derived.country}`, `c\0${scope}\0${OTHER}`, w);
      tally(map, `p\0${scope}\0${derived.pop_code}`, `p\0${scope}\0${OTHER}`, w);
      // Every request is in `requests`: its paths and ASNs would only crowd the maps.
      if (signal !== 'requests') {
        tally(map, `u\0${scope}\0${derived.uri_path ?? ''}`, `u\0${scope}\0${OTHER}`, w);
        tally(map, `a\0${scope}\0${asn}`, `a\0${scope}\0${OTHER}`, w);
      }
    }
  }

  #noteLoss(count: number): void {
    if (count <= 0) return;
    const second = Math.floor(this.#now() / SECOND_MS);
    const i = second % HISTORY_S;
    if (this.#lostSecond[i] !== second) {
      this.#lostSecond[i] = second;
      this.#lost[i] = 0;
    }
    this.#lost[i]! += count;
  }

  read(nowMs: number, spans: readonly SpanRequest[], options: { readonly countries: boolean }): Promise<SourceSnapshot> {
    const distributions = new Map<string, Map<string, DistributionMeasures>>();
    for (const [distribution, series] of this.#series) {
      const bySpan = new Map<string, DistributionMeasures>();
      for (const span of spans) bySpan.set(spanKey(span), this.#measure(series, nowMs, span, options.countries));
      distributions.set(distribution, bySpan);
    }
    const notes: string[] = [];
    const longestWindow = Math.max(0, ...spans.map((s) => s.windowMs));
    const lost = this.#lostIn(nowMs - longestWindow, nowMs);
    if (lost > 0) notes.push(`the live view dropped ${lost} records in the last ${Math.round(longestWindow / 1000)} s (it fell behind): counts are low`);
    return Promise.resolve({ distributions, notes });
  }

  #lostIn(fromMs: number, toMs: number): number {
    let total = 0;
    for (let s = Math.floor(fromMs / SECOND_MS) + 1; s <= Math.floor(toMs / SECOND_MS); s++) {
      const i = s % HISTORY_S;
      if (this.#lostSecond[i] === s) total += this.#lost[i] ?? 0;
    }
    return total;
  }

  #measure(series: DistributionSeries, nowMs: number, span: SpanRequest, countries: boolean): DistributionMeasures {
    const started = this.#startedAtMs ?? nowMs;
    const nowSecond = Math.floor(nowMs / SECOND_MS);
    const firstWindowSecond = Math.floor((nowMs - span.windowMs) / SECOND_MS) + 1;
    const baselineSeconds = Math.min(Math.round(span.baselineMs / SECOND_MS), HISTORY_S - Math.round(span.windowMs / SECOND_MS) - 1);
    const firstBaselineSecond = firstWindowSecond - baselineSeconds;
    const window = this.#sum(series, firstWindowSecond, nowSecond, Math.max(0, nowMs - Math.max(firstWindowSecond * SECOND_MS, started)));
    const baseline = this.#sum(
      series,
      firstBaselineSecond,
      firstWindowSecond - 1,
      Math.max(0, firstWindowSecond * SECOND_MS - Math.max(firstBaselineSecond * SECOND_MS, started)),
    );
    window.originLatencyP95Ms = this.#latencyP95(series, firstWindowSecond, nowSecond);
    // Whole minutes of the baseline, counting back from the window, collected entirely.
    const chunkS = BASELINE_CHUNK_MS / SECOND_MS;
    const firstCollected = Math.ceil(started / SECOND_MS);
    const chunks: number[] = [];
    for (let start = firstWindowSecond - chunkS; start >= firstBaselineSecond && start >= firstCollected; start -= chunkS) chunks.push(start);
    const geo: number[] = [];
    const requests: number[] = [];
    for (const start of chunks) {
      const [g, r] = this.#chunkSums(series, start, start + chunkS - 1);
      geo.push(g);
      requests.push(r);
    }
    baseline.geoBlockedMedianPerS = medianRate(geo);
    baseline.requestsMedianPerS = medianRate(requests);
    return {
      window,
      baseline,
      countries: countries ? this.#countries(series, chunks, firstWindowSecond, nowSecond, window.coveredMs, baseline.coveredMs) : new Map(),
    };
  }

  /** Geo-blocked and all requests (extrapolated) of seconds [fromSecond, toSecond]. */
  #chunkSums(series: DistributionSeries, fromSecond: number, toSecond: number): [number, number] {
    let geo = 0;
    let requests = 0;
    for (let s = fromSecond; s <= toSecond; s++) {
      const i = s % HISTORY_S;
      if (series.secondOf[i] !== s) continue;
      geo += series.counters[i * COUNTERS + C.geoBlocked]!;
      requests += series.counters[i * COUNTERS + C.requests]!;
    }
    return [geo, requests];
  }

  #sum(series: DistributionSeries, fromSecond: number, toSecond: number, coveredMs: number): SpanMeasures {
    const totals = new Float64Array(COUNTERS);
    const c = series.counters;
    for (let s = Math.max(fromSecond, toSecond - HISTORY_S + 1); s <= toSecond; s++) {
      const i = s % HISTORY_S;
      if (series.secondOf[i] !== s) continue;
      const at = i * COUNTERS;
      for (let k = 0; k < COUNTERS; k++) totals[k]! += c[at + k]!;
    }
    const span = emptySpan(coveredMs);
    span.sampledRequests = totals[C.sampledRequests]!;
    span.requests = totals[C.requests]!;
    span.cacheableRequests = totals[C.cacheableRequests]!;
    span.cacheableHits = totals[C.cacheableHits]!;
    span.sampledCacheable = totals[C.sampledCacheable]!;
    span.status4xx = totals[C.status4xx]!;
    span.sampled4xxOther = totals[C.sampled4xxOther]!;
    span.status5xx = totals[C.status5xx]!;
    span.sampled5xx = totals[C.sampled5xx]!;
    span.geoBlocked = totals[C.geoBlocked]!;
    span.sampledGeoBlocked = totals[C.sampledGeoBlocked]!;
    span.edgeFunctionErrors = totals[C.edgeFunctionErrors]!;
    span.sampledEdgeFunctionErrors = totals[C.sampledEdgeFunctionErrors]!;
    span.sampledOriginLatency = totals[C.sampledOriginLatency]!;
    return span;
  }

  /** Detail buckets overlapping seconds [fromSecond, toSecond] (whole 10-second buckets). */
  *#detailBuckets(series: DistributionSeries, fromSecond: number, toSecond: number): Generator<DetailBucket> {
    const first = Math.floor(fromSecond / DETAIL_BUCKET_S);
    const last = Math.floor(toSecond / DETAIL_BUCKET_S);
    for (let index = Math.max(first, last - DETAIL_BUCKETS + 1); index <= last; index++) {
      const bucket = series.detail[index % DETAIL_BUCKETS];
      if (bucket?.index === index) yield bucket;
    }
  }

  #latencyP95(series: DistributionSeries, fromSecond: number, toSecond: number): number | null {
    const merged: LatencyHistogram = new Map();
    for (const bucket of this.#detailBuckets(series, fromSecond, toSecond)) mergeLatency(merged, bucket.latency);
    return latencyQuantile(merged, 0.95);
  }

  /** Geo-blocked requests per country: in the window, in the baseline and in each of its whole minutes. */
  #countries(
    series: DistributionSeries,
    chunkStarts: readonly number[],
    firstWindowSecond: number,
    nowSecond: number,
    windowCoveredMs: number,
    baselineCoveredMs: number,
  ): Map<string, CountryMeasures> {
    const chunkS = BASELINE_CHUNK_MS / SECOND_MS;
    const perChunk = new Map<string, number[]>();
    const result = new Map<string, CountryMeasures>();
    const get = (country: string): CountryMeasures => {
      let m = result.get(country);
      if (m === undefined) {
        m = {
          window: { geoBlocked: 0, sampledGeoBlocked: 0, coveredMs: windowCoveredMs },
          baseline: { geoBlocked: 0, sampledGeoBlocked: 0, coveredMs: baselineCoveredMs, medianPerS: null },
        };
        result.set(country, m);
        perChunk.set(country, new Array<number>(chunkStarts.length).fill(0));
      }
      return m;
    };
    // Country counts are kept per 10 seconds: a bucket belongs to the part its first second is in.
    const firstSecond = chunkStarts.at(-1) ?? firstWindowSecond;
    const first = Math.floor(firstSecond / DETAIL_BUCKET_S);
    const last = Math.floor(nowSecond / DETAIL_BUCKET_S);
    for (let index = Math.max(first, last - COUNTRY_BUCKETS + 1); index <= last; index++) {
      const bucket = series.countries[index % COUNTRY_BUCKETS];
      if (bucket?.index !== index) continue;
      const startSecond = index * DETAIL_BUCKET_S;
      const inWindow = startSecond >= firstWindowSecond;
      const chunk = inWindow ? -1 : Math.floor((firstWindowSecond - 1 - startSecond) / chunkS);
      for (const [country, t] of bucket.counts) {
        const m = get(country);
        const part = inWindow ? m.window : m.baseline;
        part.geoBlocked += t.w;
        part.sampledGeoBlocked += t.n;
        const sums = perChunk.get(country)!;
        if (chunk >= 0 && chunk < sums.length) sums[chunk]! += t.w;
      }
    }
    for (const [country, m] of result) m.baseline.medianPerS = medianRate(perChunk.get(country) ?? []);
    return result;
  }

  contributors(query: ContributorQuery): Promise<AlertContributors> {
    const series = this.#series.get(query.distribution);
    const empty: AlertContributors = { countries: [], pops: [], paths: [], asns: [] };
    if (series === undefined) return Promise.resolve(empty);
    const sums = new Map<string, number>();
    const minBand = query.minLatencyMs === undefined ? 0 : latencyBand(query.minLatencyMs);
    for (const bucket of this.#detailBuckets(series, Math.floor(query.fromMs / SECOND_MS), Math.floor((query.toMs - 1) / SECOND_MS))) {
      const map = bucket.tallies.get(query.signal);
      if (map === undefined) continue;
      for (const [key, t] of map) {
        // key: dimension \0 scope \0 value (a value may itself hold \0)
        const scopeEnd = key.indexOf('\0', 2);
        const dim = key[0] as Dimension;
        const scope = key.slice(2, scopeEnd);
        const value = key.slice(scopeEnd + 1);
        if (query.signal === 'geoBlocked' && query.country !== undefined && scope !== query.country) continue;
        if (query.signal === 'originLatency' && Number(scope) < minBand) continue;
        const k = `${dim}\0${value}`;
        sums.set(k, (sums.get(k) ?? 0) + t.w);
      }
    }
    const byDim = (dim: Dimension): Contributor[] => {
      const entries: [string, number][] = [];
      let total = 0;
      for (const [k, w] of sums) {
        if (!k.startsWith(`${dim}\0`)) continue;
        total += w;
        entries.push([k.slice(2), w]);
      }
      return topOf(entries, total);
    };
    return Promise.resolve({ countries: byDim('c'), pops: byDim('p'), paths: byDim('u'), asns: byDim('a') });
  }
}

/** The largest entries (ties by value), with their share of `total`; unknown ('') and "(other)" left out. */
export function topOf(entries: readonly (readonly [string, number])[], total: number): Contributor[] {
  return entries
    .filter(([value, w]) => value !== '' && value !== OTHER && w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_CONTRIBUTORS)
    .map(([value, w]) => ({ value, requests: Math.round(w * 100) / 100, share: total > 0 ? Math.round((w / total) * 10_000) / 10_000 : 0 }));
}
