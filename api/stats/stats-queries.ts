/**
 * The stats the API serves — summary, timeseries, top lists, geography, period comparison —
 * each planned (rollup or raw), built as one or two parameterized statements and shaped for JSON.
 */
import { countryInfo } from '../../processor/enrich/geo.js';
import { popOfCode } from '../../processor/enrich/pops.js';
import { invalidParameter } from '../errors.js';
import { DIMENSIONS, type Dimension, type DimensionName, type TopDimension } from '../query/dimensions.js';
import { filterDimensions, rollupCanFilter } from '../query/filter-sql.js';
import type { Filters } from '../query/filters.js';
import { chooseInterval, INTERVALS, type IntervalName } from '../query/intervals.js';
import type { DigestName } from '../query/measures.js';
import { planQuery, type Plan, type TableName } from '../query/planner.js';
import { STANDARD_HOURS_PROBE, standardHoursLookup } from '../query/one-source.js';
import { buildStatsQuery, timeBucketKey, type BuiltQuery, type GroupKey, type StatsQuerySpec } from '../query/stats-query.js';
import { percentilesOf, ratio, sumsOf, summaryOf, type Percentiles, type StatsRow, type Summary } from '../query/summary-metrics.js';
import type { StatsService } from './stats-service.js';
import { VideoStatsQueries } from './video-stats.js';

export type PlanMode = 'auto' | 'raw';

export interface PlanInfo {
  readonly plan: 'rollup' | 'raw';
  readonly tables: readonly TableName[];
  readonly from: string;
  readonly to: string;
}

export interface SummaryResponse extends PlanInfo, Summary {}

export const TIMESERIES_METRICS = [
  'requests',
  'bytes',
  'requestsPerSecond',
  'bytesPerSecond',
  'cacheHitRatio',
  'edgeHitRatio',
  'byteHitRatio',
  'errorRate4xx',
  'errorRate5xx',
  'geoBlocked',
  'ttfbMs',
  'timeTakenMs',
  'originLatencyMs',
] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];
export const PERCENTILES = ['p50', 'p95', 'p99'] as const;
export type PercentileName = (typeof PERCENTILES)[number];

const LATENCY_DIGEST: Partial<Record<TimeseriesMetric, DigestName>> = { ttfbMs: 'ttfb', timeTakenMs: 'timeTaken', originLatencyMs: 'originFbl' };

/** What ranks the values of `groupBy` for the top-N series. */
export const TIMESERIES_RANKS = ['requests', 'bytes', 'errors', 'errors5xx', 'misses', 'geoBlocked'] as const;
export type TimeseriesRank = (typeof TIMESERIES_RANKS)[number];

export interface TimeseriesRequest {
  readonly metric: TimeseriesMetric;
  readonly interval?: IntervalName;
  readonly groupBy?: DimensionName;
  /** Series kept when grouping; the rest are summed into "other". */
  readonly top: number;
  /** Ranks the groupBy values (default requests). */
  readonly rankBy?: TimeseriesRank;
  readonly percentile: PercentileName;
  /** Several percentiles of a latency metric, one series each (keys p50, p95, p99); not with groupBy. */
  readonly percentiles?: readonly PercentileName[];
}

export interface TimeseriesResponse extends PlanInfo {
  readonly metric: TimeseriesMetric;
  readonly interval: IntervalName;
  readonly intervalSeconds: number;
  readonly groupBy: DimensionName | null;
  /** How groupBy values were ranked; null without groupBy. */
  readonly rankBy: TimeseriesRank | null;
  /** The percentiles of a latency metric, one series each in this order; null for other metrics. */
  readonly percentiles: readonly PercentileName[] | null;
  readonly series: readonly { readonly key: string; readonly other: boolean; readonly points: readonly { t: string; value: number | null }[] }[];
}

export const TOP_ORDERS = ['requests', 'bytes', 'misses', 'errors'] as const;
export type TopOrder = (typeof TOP_ORDERS)[number];

/** ORDER BY of a ranking over summed measures (`m_*` names), largest first. */
const RANK_SQL: Readonly<Record<TopOrder | TimeseriesRank, string>> = {
  requests: 'm_requests DESC',
  bytes: 'm_bytes DESC',
  misses: 'm_misses DESC',
  errors: '(m_status_4xx + m_status_5xx) DESC',
  errors5xx: 'm_status_5xx DESC',
  geoBlocked: 'm_geo_blocked DESC',
};

/** Dimensions of a two-dimension breakdown, with their ranked values. */
export interface BreakdownRequest {
  readonly by: readonly [DimensionName, DimensionName];
  /** Values kept per dimension (the busiest by requests): at most top² cells. */
  readonly top: number;
}

export interface BreakdownCell {
  /** Values of the two dimensions, in `by` order. */
  readonly values: readonly [string, string];
  readonly requests: number;
  readonly bytes: number;
  readonly hitRatio: number | null;
  readonly errorRate: number | null;
  readonly ttfbMs: Percentiles;
}

export interface BreakdownResponse extends PlanInfo {
  readonly by: readonly [DimensionName, DimensionName];
  readonly top: number;
  /** The kept values of each dimension, busiest first, with their requests over all values of the other one. */
  readonly values: readonly [readonly { value: string; requests: number }[], readonly { value: string; requests: number }[]];
  readonly cells: readonly BreakdownCell[];
}

export interface TopRow {
  readonly value: string;
  readonly requests: number;
  readonly sampledRequests: number;
  readonly bytes: number;
  readonly hitRatio: number | null;
  readonly errorRate: number | null;
  readonly misses: number;
}

export interface TopResponse extends PlanInfo {
  readonly dimension: TopDimension;
  readonly orderBy: TopOrder;
  /** Distinct values in range (logged records; not extrapolated). */
  readonly distinctValues: number;
  readonly rows: readonly TopRow[];
}

export interface GeoResponse extends PlanInfo {
  readonly countries: readonly {
    country: string;
    name: string;
    continent: string;
    requests: number;
    bytes: number;
    hitRatio: number | null;
    geoBlocked: number;
    ttfbP95Ms: number | null;
  }[];
  readonly pops: readonly {
    pop: string;
    city: string;
    country: string;
    lat: number | null;
    lon: number | null;
    requests: number;
    bytes: number;
    hitRatio: number | null;
    ttfbP95Ms: number | null;
  }[];
}

export const COMPARE_PERIODS = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000, '28d': 28 * 86_400_000 } as const;
export type ComparePeriod = keyof typeof COMPARE_PERIODS;

export interface Delta {
  readonly absolute: number | null;
  /** Change relative to the previous value; null when that was 0 or absent. */
  readonly relative: number | null;
}

export interface CompareResponse {
  readonly previousPeriod: ComparePeriod;
  readonly current: SummaryResponse;
  readonly previous: SummaryResponse;
  readonly delta: Readonly<Record<string, Delta>>;
}

/** The one dim-rollup dimension filters and keys use ('all' for none); undefined when they need more. */
function dimRollupDimension(filters: Filters, keys: readonly GroupKey[]): string | undefined {
  const dims = filterDimensions(filters);
  if (dims === undefined) return undefined;
  for (const key of keys) {
    if (key.alias === 't' || key.dim?.name === '*') continue;
    if (key.dim === undefined) return undefined;
    dims.push(key.dim.name);
  }
  const distinct = new Set(dims);
  return distinct.size === 0 ? 'all' : distinct.size === 1 ? [...distinct][0] : undefined;
}

/** What every statement of one request shares (StatsQueries#oneSource). */
interface RequestScope {
  readonly filters: Filters;
  readonly mode: PlanMode;
  readonly standardHoursInRange: boolean;
  /**
   * Set when statements assume no standard logs in the range and carry the lookup to check it;
   * `unconfirmed` when a statement returned no row to say.
   */
  readonly probe: { unconfirmed: boolean } | null;
}

/** A probing statement found standard logs in the range. */
class StandardHoursFound extends Error {}

const ALL_DIGESTS: readonly DigestName[] = ['ttfb', 'timeTaken', 'originFbl'];
const GEO_LIMIT = 300;

function keyOf(alias: string, dimension: DimensionName): GroupKey {
  const d: Dimension = DIMENSIONS[dimension];
  if (d.dim === undefined) return { alias, rollup: d.rollup, raw: d.raw };
  return { alias, rollup: d.rollup, raw: d.raw, dim: d.dim === 'column' ? { name: '*', expression: d.rollup ?? d.raw } : { name: dimension, expression: 'value' } };
}



export class StatsQueries {
  /** CMCD video playback statistics (raw rows only). */
  readonly video: VideoStatsQueries;

  /** `now` ends every range for rates and buckets: time that has not happened yet holds no traffic. */
  constructor(
    private readonly service: StatsService,
    private readonly now: () => number = Date.now,
  ) {
    this.video = new VideoStatsQueries(service);
  }

  /** The range's end for rates and buckets: its `to`, or now when it reaches past now. */
  #elapsedTo(filters: Filters): number {
    return Math.max(filters.fromMs, Math.min(filters.toMs, this.now()));
  }

  /**
   * Runs a request's statements under the one-source rule. Imported standard logs almost never
   * cover an hour of the range, and then the statements need no per-hour source rule and may read
   * day rows. So they are built assuming that, each carrying the lookup as a column; if one finds
   * standard hours, the request runs again built for them. A statement without rows cannot say:
   * then the lookup runs alone after the request, which runs again only if the lookup finds some.
   */
  async #oneSource<T>(filters: Filters, mode: PlanMode, signal: AbortSignal | undefined, body: (scope: RequestScope) => Promise<T>): Promise<T> {
    const lookup = standardHoursLookup(filters, this.service.database);
    if (lookup === undefined) return body({ filters, mode, standardHoursInRange: false, probe: null });
    const probe = { unconfirmed: false };
    try {
      const result = await body({ filters, mode, standardHoursInRange: false, probe });
      if (!probe.unconfirmed) return result;
      const rows = await this.service.run(lookup, signal);
      if (Number(rows[0]?.n ?? 0) === 0) return result;
    } catch (err) {
      if (!(err instanceof StandardHoursFound)) throw err;
    }
    return body({ filters, mode, standardHoursInRange: true, probe: null });
  }

  async #run(scope: RequestScope, query: BuiltQuery, signal: AbortSignal | undefined): Promise<StatsRow[]> {
    const rows = await this.service.run(query, signal);
    if (scope.probe !== null) {
      if (rows.length === 0) scope.probe.unconfirmed = true;
      else if (Number(rows[0]![STANDARD_HOURS_PROBE] ?? 0) > 0) throw new StandardHoursFound();
    }
    return rows;
  }

  #plan(scope: RequestScope, keys: readonly GroupKey[], bucketMs?: number): Plan {
    const { filters, mode } = scope;
    const rollupAllowed = mode === 'auto' && rollupCanFilter(filters) && keys.every((k) => k.rollup !== null);
    const dimension = rollupAllowed ? dimRollupDimension(filters, keys) : undefined;
    return planQuery({ fromMs: filters.fromMs, toMs: filters.toMs, rollupAllowed, bucketMs, dimension, dayRowsAllowed: !scope.standardHoursInRange });
  }

  #build(scope: RequestScope, plan: Plan, spec: Omit<StatsQuerySpec, 'database' | 'plan' | 'filters' | 'standardHoursInRange' | 'probeStandardHours'>): BuiltQuery {
    return buildStatsQuery({
      ...spec,
      database: this.service.database,
      plan,
      filters: scope.filters,
      standardHoursInRange: scope.standardHoursInRange,
      probeStandardHours: scope.probe !== null,
    });
  }

  #info(plan: Plan, filters: Filters): PlanInfo {
    return {
      plan: plan.kind,
      tables: [...new Set(plan.segments.map((s) => s.table))],
      from: new Date(filters.fromMs).toISOString(),
      to: new Date(filters.toMs).toISOString(),
    };
  }

  summary(filters: Filters, mode: PlanMode, signal?: AbortSignal): Promise<SummaryResponse> {
    return this.#oneSource(filters, mode, signal, async (scope) => {
      const plan = this.#plan(scope, []);
      const rows = await this.#run(scope, this.#build(scope, plan, { keys: [], digests: ALL_DIGESTS }), signal);
      return { ...this.#info(plan, filters), ...summaryOf(rows[0], this.#elapsedTo(filters) - filters.fromMs) };
    });
  }

  async timeseries(filters: Filters, mode: PlanMode, request: TimeseriesRequest, signal?: AbortSignal): Promise<TimeseriesResponse> {
    const interval = chooseInterval(filters.toMs - filters.fromMs, request.interval);
    const seconds = INTERVALS[interval];
    const digest = LATENCY_DIGEST[request.metric];
    const percentiles = [...new Set(request.percentiles ?? [request.percentile])];
    if (percentiles.length > 1 && digest === undefined) {
      throw invalidParameter('percentile', `several percentiles apply to latency metrics only (${Object.keys(LATENCY_DIGEST).join(', ')})`);
    }
    if (percentiles.length > 1 && request.groupBy !== undefined) {
      throw invalidParameter('percentile', 'several percentiles cannot be combined with groupBy; ask for one percentile per grouped series');
    }
    const rankBy = request.rankBy ?? 'requests';
    const { plan, rows, topValues } = await this.#oneSource(filters, mode, signal, async (scope) => {
      const keys: GroupKey[] = [timeBucketKey(seconds)];
      let topValues: string[] = [];
      if (request.groupBy !== undefined) {
        const dimension = keyOf('g', request.groupBy);
        const topPlan = this.#plan(scope, [dimension]);
        const top = await this.#run(
          scope,
          this.#build(scope, topPlan, { keys: [dimension], digests: [], orderBy: `${RANK_SQL[rankBy]}, k_g`, limit: request.top }),
          signal,
        );
        topValues = top.map((r) => String(r.k_g));
        // Values outside the top N are summed under '' with in_top = 0: the "other" series.
        const kept = (e: string): string => `if(${e} IN {g_top:Array(String)}, ${e}, '')`;
        const inTop = (e: string): string => `${e} IN {g_top:Array(String)}`;
        const mapKey = (alias: string, f: (e: string) => string): GroupKey => ({
          alias,
          rollup: dimension.rollup === null ? null : f(dimension.rollup),
          raw: f(dimension.raw),
          ...(dimension.dim === undefined ? {} : { dim: { name: dimension.dim.name, expression: f(dimension.dim.expression) } }),
        });
        keys.push(mapKey('g', kept), mapKey('in_top', inTop));
      }
      const plan = this.#plan(scope, keys, seconds * 1000);
      const rows = await this.#run(
        scope,
        this.#build(scope, plan, {
          keys,
          digests: digest === undefined ? [] : [digest],
          params: { g_top: topValues },
        }),
        signal,
      );
      return { plan, rows, topValues };
    });

    const bucketMs = seconds * 1000;
    const firstBucket = Math.floor(filters.fromMs / bucketMs) * bucketMs;
    // No buckets after now: a range that reaches into the future (a dashboard's, rounded out to
    // whole hours so the rollups answer it) has no points there, rather than zeros.
    const endMs = this.#elapsedTo(filters);
    const bucketStarts: number[] = [];
    for (let t = firstBucket; t < endMs; t += bucketMs) bucketStarts.push(t);
    const several = percentiles.length > 1;
    const seriesKeys: { key: string; other: boolean }[] =
      request.groupBy === undefined ? [{ key: 'all', other: false }] : [...topValues.map((key) => ({ key, other: false })), { key: 'other', other: true }];
    const byKey = new Map<string, Map<number, StatsRow>>();
    for (const row of rows) {
      const seriesKey = request.groupBy === undefined ? 'all' : Number(row.k_in_top) === 1 ? `v:${String(row.k_g)}` : 'other';
      let points = byKey.get(seriesKey);
      if (points === undefined) byKey.set(seriesKey, (points = new Map<number, StatsRow>()));
      points.set(Number(row.k_t) * 1000, row);
    }
    const pointsOf = (rowsAt: Map<number, StatsRow> | undefined, percentile: PercentileName) =>
      bucketStarts.map((t) => {
        const bucketRange = Math.min(t + bucketMs, endMs) - Math.max(t, filters.fromMs);
        return { t: new Date(t).toISOString(), value: metricValue(request.metric, percentile, rowsAt?.get(t), bucketRange) };
      });
    const series = several
      ? percentiles.map((p) => ({ key: p, other: false, points: pointsOf(byKey.get('all'), p) }))
      : seriesKeys
          .map(({ key, other }) => ({ key, other, points: pointsOf(byKey.get(request.groupBy === undefined || other ? key : `v:${key}`), percentiles[0] ?? 'p95') }))
          // An empty "other" series says nothing.
          .filter((s) => !s.other || byKey.has('other'));
    return {
      ...this.#info(plan, filters),
      metric: request.metric,
      interval,
      intervalSeconds: seconds,
      groupBy: request.groupBy ?? null,
      rankBy: request.groupBy === undefined ? null : rankBy,
      percentiles: digest === undefined ? null : percentiles,
      series,
    };
  }

  async top(filters: Filters, mode: PlanMode, dimension: TopDimension, orderBy: TopOrder, limit: number, signal?: AbortSignal): Promise<TopResponse> {
    const key = keyOf('v', dimension === 'missedUris' ? 'uri' : dimension);
    const order = dimension === 'missedUris' ? 'misses' : orderBy;
    const orderSql = RANK_SQL[order];
    const { plan, rows } = await this.#oneSource(filters, mode, signal, async (scope) => {
      const plan = this.#plan(scope, [key]);
      const built = this.#build(scope, plan, { keys: [key], digests: [], orderBy: `${orderSql}, k_v`, limit });
      // The distinct count is computed over all groups, before LIMIT.
      const sql = built.sql.replace(/^SELECT /, 'SELECT count() OVER () AS m_distinct, ');
      return { plan, rows: await this.#run(scope, { sql, params: built.params }, signal) };
    });
    return {
      ...this.#info(plan, filters),
      dimension,
      orderBy: order,
      distinctValues: Number(rows[0]?.m_distinct ?? 0),
      rows: rows
        .map((row) => {
          const s = sumsOf(row);
          return {
            value: String(row.k_v),
            requests: s.requests,
            sampledRequests: s.sampled_requests,
            bytes: s.bytes,
            hitRatio: ratio(s.cacheable_hits, s.cacheable_requests),
            errorRate: ratio(s.status_4xx + s.status_5xx, s.requests),
            misses: s.misses,
          };
        })
        .filter((row) => dimension !== 'missedUris' || row.misses > 0),
    };
  }

  /**
   * Two dimensions at once (POP × country): the `top` busiest values of each by requests and every
   * cell of the two lists, in one statement. Cells outside the lists are left out, so at most top².
   */
  async breakdown(filters: Filters, mode: PlanMode, request: BreakdownRequest, signal?: AbortSignal): Promise<BreakdownResponse> {
    const [first, second] = request.by;
    if (first === second) throw invalidParameter('by', 'names the same dimension twice; give two different dimensions');
    const keys = [keyOf('a', first), keyOf('b', second)];
    const { plan, rows } = await this.#oneSource(filters, mode, signal, async (scope) => {
      const plan = this.#plan(scope, keys);
      const inner = this.#build(scope, plan, { keys, digests: ['ttfb'], params: { b_top: request.top } });
      // Each value's requests over all values of the other dimension, then its rank among its dimension's values.
      const sql = [
        'SELECT * FROM (',
        '  SELECT *, dense_rank() OVER (ORDER BY r_a DESC, k_a) AS rank_a, dense_rank() OVER (ORDER BY r_b DESC, k_b) AS rank_b',
        '  FROM (SELECT *, sum(m_requests) OVER (PARTITION BY k_a) AS r_a, sum(m_requests) OVER (PARTITION BY k_b) AS r_b',
        `        FROM (\n${inner.sql}\n))`,
        ')',
        'WHERE rank_a <= {b_top:UInt32} AND rank_b <= {b_top:UInt32}',
        'ORDER BY rank_a, rank_b',
      ].join('\n');
      return { plan, rows: await this.#run(scope, { sql, params: inner.params }, signal) };
    });
    const ranked = (key: 'a' | 'b') => {
      const byValue = new Map<string, { value: string; requests: number; rank: number }>();
      for (const row of rows) {
        const value = String(row[`k_${key}`]);
        if (!byValue.has(value)) byValue.set(value, { value, requests: Number(row[`r_${key}`] ?? 0), rank: Number(row[`rank_${key}`] ?? 0) });
      }
      return [...byValue.values()].sort((x, y) => x.rank - y.rank).map(({ value, requests }) => ({ value, requests }));
    };
    return {
      ...this.#info(plan, filters),
      by: [first, second],
      top: request.top,
      values: [ranked('a'), ranked('b')],
      cells: rows.map((row) => {
        const s = sumsOf(row);
        return {
          values: [String(row.k_a), String(row.k_b)] as const,
          requests: s.requests,
          bytes: s.bytes,
          hitRatio: ratio(s.cacheable_hits, s.cacheable_requests),
          errorRate: ratio(s.status_4xx + s.status_5xx, s.requests),
          ttfbMs: percentilesOf(row, 'ttfb', s.ratio_requests > 0),
        };
      }),
    };
  }

  async geo(filters: Filters, mode: PlanMode, signal?: AbortSignal): Promise<GeoResponse> {
    const countryKey = keyOf('v', 'country');
    const popKey = keyOf('v', 'pop');
    const { countryPlan, countryRows, popRows } = await this.#oneSource(filters, mode, signal, async (scope) => {
      const query = (key: GroupKey, plan: Plan) =>
        this.#run(scope, this.#build(scope, plan, { keys: [key], digests: ['ttfb'], orderBy: 'm_requests DESC, k_v', limit: GEO_LIMIT }), signal);
      const countryPlan = this.#plan(scope, [countryKey]);
      return { countryPlan, countryRows: await query(countryKey, countryPlan), popRows: await query(popKey, this.#plan(scope, [popKey])) };
    });
    const p95 = (row: StatsRow): number | null => percentilesOf(row, 'ttfb', sumsOf(row).ratio_requests > 0).p95;
    return {
      ...this.#info(countryPlan, filters),
      countries: countryRows.map((row) => {
        const s = sumsOf(row);
        const code = String(row.k_v);
        const info = countryInfo(code);
        return {
          country: code,
          name: info?.name ?? '',
          continent: info?.continent ?? '',
          requests: s.requests,
          bytes: s.bytes,
          hitRatio: ratio(s.cacheable_hits, s.cacheable_requests),
          geoBlocked: s.geo_blocked,
          ttfbP95Ms: p95(row),
        };
      }),
      pops: popRows.map((row) => {
        const s = sumsOf(row);
        const code = String(row.k_v);
        const pop = popOfCode(code);
        return {
          pop: code,
          city: pop.city,
          country: pop.country,
          lat: pop.lat,
          lon: pop.lon,
          requests: s.requests,
          bytes: s.bytes,
          hitRatio: ratio(s.cacheable_hits, s.cacheable_requests),
          ttfbP95Ms: p95(row),
        };
      }),
    };
  }

  async compare(filters: Filters, mode: PlanMode, period: ComparePeriod, signal?: AbortSignal): Promise<CompareResponse> {
    const shift = COMPARE_PERIODS[period];
    // A range that reaches past now is compared for the time that has passed: the earlier period
    // is as long, and the two overlap only if that is longer than the shift.
    const endMs = this.#elapsedTo(filters);
    if (endMs - filters.fromMs > shift) {
      throw invalidParameter('previous', `the range is longer than ${period}, so the periods would overlap; choose a longer period or a shorter range`);
    }
    const current = await this.summary(filters, mode, signal);
    const previous = await this.summary({ ...filters, fromMs: filters.fromMs - shift, toMs: endMs - shift }, mode, signal);
    return { previousPeriod: period, current, previous, delta: deltas(current, previous) };
  }
}

function metricValue(metric: TimeseriesMetric, percentile: PercentileName, row: StatsRow | undefined, rangeMs: number): number | null {
  const s = sumsOf(row);
  switch (metric) {
    case 'requests':
      return s.requests;
    case 'bytes':
      return s.bytes;
    case 'requestsPerSecond':
      return rangeMs > 0 ? s.requests / (rangeMs / 1000) : 0;
    case 'bytesPerSecond':
      return rangeMs > 0 ? s.bytes / (rangeMs / 1000) : 0;
    case 'cacheHitRatio':
      return ratio(s.cacheable_hits, s.cacheable_requests);
    case 'edgeHitRatio':
      return ratio(s.hits, s.ratio_requests);
    case 'byteHitRatio':
      return ratio(s.hit_bytes, s.ratio_bytes);
    case 'errorRate4xx':
      return ratio(s.status_4xx, s.requests);
    case 'errorRate5xx':
      return ratio(s.status_5xx, s.requests);
    case 'geoBlocked':
      return s.geo_blocked;
    case 'ttfbMs':
    case 'timeTakenMs':
    case 'originLatencyMs': {
      const digest = LATENCY_DIGEST[metric];
      return digest === undefined ? null : percentilesOf(row, digest, s.ratio_requests > 0)[percentile];
    }
  }
}

const DELTA_METRICS = ['requests', 'bytes', 'cacheHitRatio', 'edgeHitRatio', 'byteHitRatio', 'errorRate4xx', 'errorRate5xx', 'geoBlocked', 'requestsPerSecond'] as const;
const DELTA_PERCENTILES = ['ttfbMs', 'timeTakenMs', 'originLatencyMs'] as const;

function delta(current: number | null, previous: number | null): Delta {
  if (current === null || previous === null) return { absolute: null, relative: null };
  return { absolute: current - previous, relative: previous === 0 ? null : (current - previous) / previous };
}

function deltas(current: Summary, previous: Summary): Record<string, Delta> {
  const out: Record<string, Delta> = {};
  for (const name of DELTA_METRICS) out[name] = delta(current[name], previous[name]);
  for (const name of DELTA_PERCENTILES) {
    for (const p of PERCENTILES) out[`${name}.${p}`] = delta(current[name][p], previous[name][p]);
  }
  return out;
}
