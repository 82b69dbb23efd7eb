/**
 * The evaluator's measures on a ClickHouse server (EDGEWATCH_CLICKHOUSE_URL), where several processes
 * write and none sees every record: read from the per-minute rollups (`requests_1m_dim`, dimensions
 * `all` and `country`), with the current minute as far as it has been written.
 *
 * Windows are whole minutes here: a window starts at the minute that holds `now − window`, and its
 * rate divides by the time from that minute to now. Baseline rates are medians of its minutes. What the rollups do not keep comes from the raw
 * rows of the window alone (a short, bounded scan): the sampled line counts the minimum counts are
 * compared with, and edge function errors. The contributors of a firing alert are read from the
 * raw rows of its window too. Never used in embedded mode, where every statement would hold up ingest.
 */
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { rawRowValuesSql } from '../../processor/storage/rollup-sql.js';
import type { AlertContributors } from './alert-model.js';
import { EDGE_FUNCTION_ERROR_PATTERN, emptySpan, medianRate, spanKey, type CountryMeasures, type DistributionMeasures, type SpanMeasures, type SpanRequest } from './alert-measures.js';
import { TOP_CONTRIBUTORS, type AlertSource, type ContributorQuery, type Signal, type SourceSnapshot } from './alert-source.js';
import { topOf } from './live-alert-source.js';

const MINUTE_MS = 60_000;

export interface RollupAlertSourceOptions {
  readonly clickhouse: ClickHouse;
  /** Per statement; default 10 s. */
  readonly maxExecutionTimeS?: number;
}

interface RollupRow {
  d: string;
  dim: string;
  v: string;
  /** Minute (unix seconds). */
  b: string | number;
  t_sampled_requests: string | number;
  t_requests: number;
  t_cacheable_requests: number;
  t_cacheable_hits: number;
  t_status_4xx: number;
  t_status_5xx: number;
  t_geo_blocked: number;
}

interface RawRow {
  d: string;
  c: string;
  sampled_cacheable: string | number;
  sampled_4xx_other: string | number;
  sampled_5xx: string | number;
  sampled_geo: string | number;
  sampled_fn: string | number;
  fn_errors: number;
  sampled_origin: string | number;
}

/** Requests each signal is about, over the raw rows (the WITH list of rawRowValuesSql in scope). */
const SIGNAL_SQL: Readonly<Record<Signal, string>> = {
  geoBlocked: 'geo_blocked = 1',
  status5xx: 'sc_status BETWEEN 500 AND 599',
  status4xxOther: 'sc_status BETWEEN 400 AND 499 AND geo_blocked = 0',
  cacheMiss: 'in_ratios AND cacheable AND NOT hit',
  originLatency: 'origin_fbl IS NOT NULL AND in_ratios AND origin_fbl * 1000 >= {minLatencyMs:Float64}',
  edgeFunctionErrors: 'fn_error',
  requests: '1',
};

const FN_ERROR_SQL =
  "(match(ifNull(x_edge_result_type, ''), {fnPattern:String}) OR match(ifNull(x_edge_detailed_result_type, ''), {fnPattern:String}) OR match(ifNull(x_edge_response_result_type, ''), {fnPattern:String})) AS fn_error";

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** DateTime64 text (UTC) of epoch ms. */
function dt(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function n(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export class RollupAlertSource implements AlertSource {
  readonly mode = 'rollup' as const;
  readonly #ch: ClickHouse;
  readonly #maxExecutionTimeS: number;

  constructor(options: RollupAlertSourceOptions) {
    this.#ch = options.clickhouse;
    this.#maxExecutionTimeS = options.maxExecutionTimeS ?? 10;
  }

  async read(nowMs: number, spans: readonly SpanRequest[], options: { readonly countries: boolean }): Promise<SourceSnapshot> {
    const distributions = new Map<string, Map<string, DistributionMeasures>>();
    for (const span of spans) {
      const measures = await this.#readSpan(nowMs, span, options.countries);
      for (const [distribution, m] of measures) {
        let bySpan = distributions.get(distribution);
        if (bySpan === undefined) {
          bySpan = new Map();
          distributions.set(distribution, bySpan);
        }
        bySpan.set(spanKey(span), m);
      }
    }
    return { distributions, notes: [] };
  }

  async #readSpan(nowMs: number, span: SpanRequest, countries: boolean): Promise<Map<string, DistributionMeasures>> {
    const windowStart = floorMinute(nowMs - span.windowMs);
    const baselineStart = floorMinute(windowStart - span.baselineMs);
    const end = floorMinute(nowMs) + MINUTE_MS;
    const opts = { maxExecutionTimeS: this.#maxExecutionTimeS };
    const db = this.#ch.database;
    // Alerts watch live traffic: imported history (source 'standard') never fires or hides one.
    // Per minute, so that baselines can be medians of minutes. Sums are aliased t_*: an alias with
    // a column's name would replace the column in WHERE.
    const rollups = await this.#ch.query<RollupRow>(
      `SELECT distribution_id AS d, dimension AS dim, value AS v, toUnixTimestamp(bucket) AS b,
              sum(sampled_requests) AS t_sampled_requests, sum(requests) AS t_requests,
              sum(cacheable_requests) AS t_cacheable_requests, sum(cacheable_hits) AS t_cacheable_hits,
              sum(status_4xx) AS t_status_4xx, sum(status_5xx) AS t_status_5xx, sum(geo_blocked) AS t_geo_blocked
       FROM ${db}.requests_1m_dim
       WHERE bucket >= toDateTime({baselineStart:DateTime64(3)}) AND bucket < toDateTime({end:DateTime64(3)}) AND source = 'realtime'
         AND (dimension = 'all' OR (dimension = 'country' AND {countries:UInt8} = 1 AND geo_blocked > 0))
       GROUP BY d, dim, v, b`,
      { baselineStart: dt(baselineStart), end: dt(end), countries: countries ? 1 : 0 },
      opts,
    );
    const latency = await this.#ch.query<{ d: string; p95_s: number | null }>(
      `SELECT distribution_id AS d, quantileTDigestWeightedMerge(0.95)(origin_fbl_digest) AS p95_s
       FROM ${db}.requests_1m_dim
       WHERE dimension = 'all' AND bucket >= toDateTime({windowStart:DateTime64(3)}) AND bucket < toDateTime({end:DateTime64(3)}) AND source = 'realtime'
       GROUP BY d`,
      { windowStart: dt(windowStart), end: dt(end) },
      opts,
    );
    const raw = await this.#ch.query<RawRow>(
      `WITH ${rawRowValuesSql()}, ${FN_ERROR_SQL}
       SELECT distribution_id AS d, country AS c,
              countIf(in_ratios AND cacheable) AS sampled_cacheable,
              countIf(sc_status BETWEEN 400 AND 499 AND geo_blocked = 0) AS sampled_4xx_other,
              countIf(sc_status BETWEEN 500 AND 599) AS sampled_5xx,
              countIf(geo_blocked = 1) AS sampled_geo,
              countIf(fn_error) AS sampled_fn, sumIf(w, fn_error) AS fn_errors,
              countIf(origin_fbl IS NOT NULL AND in_ratios) AS sampled_origin
       FROM ${db}.requests
       WHERE timestamp >= {windowStart:DateTime64(3)} AND timestamp < {end:DateTime64(3)} AND source = 'realtime'
       GROUP BY d, c`,
      { windowStart: dt(windowStart), end: dt(end), fnPattern: EDGE_FUNCTION_ERROR_PATTERN.source },
      opts,
    );

    // The store's history starts at the earliest baseline minute any distribution has.
    let firstMs = Infinity;
    for (const row of rollups) {
      const bucketMs = n(row.b) * 1000;
      if (row.dim === 'all' && bucketMs < windowStart) firstMs = Math.min(firstMs, bucketMs);
    }
    const windowCovered = Math.max(0, nowMs - windowStart);
    const baselineCovered = firstMs === Infinity ? 0 : Math.max(0, windowStart - Math.max(baselineStart, firstMs));
    // Whole minutes of the baseline since the history starts: the medians' minutes (zeros included).
    const minutes = firstMs === Infinity ? 0 : Math.max(0, Math.round((windowStart - Math.max(baselineStart, firstMs)) / MINUTE_MS));
    const minuteOf = (bucketMs: number) => Math.round((windowStart - bucketMs) / MINUTE_MS) - 1;

    interface Scope {
      readonly m: { window: SpanMeasures; baseline: SpanMeasures; countries: Map<string, CountryMeasures> };
      readonly geo: number[];
      readonly requests: number[];
      readonly countryMinutes: Map<string, number[]>;
    }
    const result = new Map<string, Scope>();
    const of = (d: string): Scope => {
      let scope = result.get(d);
      if (scope === undefined) {
        scope = {
          m: { window: emptySpan(windowCovered), baseline: emptySpan(baselineCovered), countries: new Map() },
          geo: new Array<number>(minutes).fill(0),
          requests: new Array<number>(minutes).fill(0),
          countryMinutes: new Map(),
        };
        result.set(d, scope);
      }
      return scope;
    };
    const country = (scope: Scope, c: string): CountryMeasures => {
      let cm = scope.m.countries.get(c);
      if (cm === undefined) {
        cm = {
          window: { geoBlocked: 0, sampledGeoBlocked: 0, coveredMs: windowCovered },
          baseline: { geoBlocked: 0, sampledGeoBlocked: 0, coveredMs: baselineCovered, medianPerS: null },
        };
        scope.m.countries.set(c, cm);
        scope.countryMinutes.set(c, new Array<number>(minutes).fill(0));
      }
      return cm;
    };
    for (const row of rollups) {
      const scope = of(row.d);
      const bucketMs = n(row.b) * 1000;
      const inWindow = bucketMs >= windowStart;
      const minute = inWindow ? -1 : minuteOf(bucketMs);
      if (row.dim === 'country') {
        const cm = country(scope, row.v);
        (inWindow ? cm.window : cm.baseline).geoBlocked += n(row.t_geo_blocked);
        const perMinute = scope.countryMinutes.get(row.v)!;
        if (minute >= 0 && minute < minutes) perMinute[minute]! += n(row.t_geo_blocked);
        continue;
      }
      const s = inWindow ? scope.m.window : scope.m.baseline;
      const sampled = n(row.t_sampled_requests);
      const requests = n(row.t_requests);
      s.sampledRequests += sampled;
      s.requests += requests;
      s.cacheableRequests += n(row.t_cacheable_requests);
      s.cacheableHits += n(row.t_cacheable_hits);
      s.status4xx += n(row.t_status_4xx);
      s.status5xx += n(row.t_status_5xx);
      s.geoBlocked += n(row.t_geo_blocked);
      // Sampled lines of the baseline are not kept per kind: estimated at the row group's sampling rate.
      if (!inWindow && requests > 0) s.sampledCacheable += n(row.t_cacheable_requests) * (sampled / requests);
      if (minute >= 0 && minute < minutes) {
        scope.geo[minute]! += n(row.t_geo_blocked);
        scope.requests[minute]! += requests;
      }
    }
    for (const row of latency) {
      const p95 = row.p95_s === null ? Number.NaN : Number(row.p95_s);
      if (Number.isFinite(p95)) of(row.d).m.window.originLatencyP95Ms = Math.round(p95 * 1_000_000) / 1000;
    }
    for (const row of raw) {
      const scope = of(row.d);
      const w = scope.m.window;
      w.sampledCacheable += n(row.sampled_cacheable);
      w.sampled4xxOther += n(row.sampled_4xx_other);
      w.sampled5xx += n(row.sampled_5xx);
      w.sampledGeoBlocked += n(row.sampled_geo);
      w.sampledEdgeFunctionErrors += n(row.sampled_fn);
      w.edgeFunctionErrors += n(row.fn_errors);
      w.sampledOriginLatency += n(row.sampled_origin);
      if (countries && n(row.sampled_geo) > 0) country(scope, row.c).window.sampledGeoBlocked += n(row.sampled_geo);
    }
    const measures = new Map<string, DistributionMeasures>();
    for (const [d, scope] of result) {
      scope.m.baseline.geoBlockedMedianPerS = medianRate(scope.geo);
      scope.m.baseline.requestsMedianPerS = medianRate(scope.requests);
      for (const [c, cm] of scope.m.countries) cm.baseline.medianPerS = medianRate(scope.countryMinutes.get(c) ?? []);
      measures.set(d, scope.m);
    }
    return measures;
  }

  /** Contributors over whole minutes from the one holding `fromMs`, as windows are measured here. */
  async contributors(query: ContributorQuery): Promise<AlertContributors> {
    const fromMs = floorMinute(query.fromMs);
    const conditions = ["source = 'realtime'", 'distribution_id = {distribution:String}', 'timestamp >= {from:DateTime64(3)}', 'timestamp < {to:DateTime64(3)}', SIGNAL_SQL[query.signal]];
    if (query.country !== undefined) conditions.push('country = {country:String}');
    const rows = await this.#ch.query<{ dim: string; value: string; weight: number }>(
      `SELECT dim, value, sum(w) AS weight FROM (
         WITH ${rawRowValuesSql()}, ${FN_ERROR_SQL}
         SELECT w, arrayJoin([('c', country), ('p', pop_code), ('u', ifNull(uri_path, '')), ('a', if(asn IS NULL, '', concat('AS', toString(asn))))]) AS pair,
                pair.1 AS dim, pair.2 AS value
         FROM ${this.#ch.database}.requests
         WHERE ${conditions.join(' AND ')}
       )
       GROUP BY dim, value
       ORDER BY weight DESC, value
       LIMIT {perDimension:UInt32} BY dim`,
      {
        distribution: query.distribution,
        from: dt(fromMs),
        to: dt(query.toMs),
        country: query.country ?? '',
        minLatencyMs: query.minLatencyMs ?? 0,
        fnPattern: EDGE_FUNCTION_ERROR_PATTERN.source,
        // Room for '' and the top ones after it.
        perDimension: TOP_CONTRIBUTORS + 1,
      },
      { maxExecutionTimeS: this.#maxExecutionTimeS },
    );
    const totals = await this.#ch.query<{ total: number }>(
      `WITH ${rawRowValuesSql()}, ${FN_ERROR_SQL}
       SELECT sum(w) AS total FROM ${this.#ch.database}.requests WHERE ${conditions.join(' AND ')}`,
      { distribution: query.distribution, from: dt(fromMs), to: dt(query.toMs), country: query.country ?? '', minLatencyMs: query.minLatencyMs ?? 0, fnPattern: EDGE_FUNCTION_ERROR_PATTERN.source },
      { maxExecutionTimeS: this.#maxExecutionTimeS },
    );
    const total = n(totals[0]?.total);
    const list = (dim: string) => topOf(rows.filter((r) => r.dim === dim).map((r) => [r.value, n(r.weight)] as const), total);
    return { countries: list('c'), pops: list('p'), paths: list('u'), asns: list('a') };
  }
}
