/**
 * Builds one stats statement: the plan's segments (rollup rows, or raw rows aggregated to the
 * same shape) joined with UNION ALL, then summed and merged per group key. Keys and measures are
 * aliased `k_*` and `m_*` so they never shadow a table column.
 *
 * Packed measures: ClickHouse spends about as long analysing and planning a 30-day summary as reading
 * its rollup rows, and that time grows with the columns and aggregate functions of the statement.
 * So the summed measures travel as one array (`m_packed`) and are summed by one `sumForEach`, which
 * takes 5–10 ms off the summary. Not where raw rows are grouped by a key: an array per group (one
 * per URI) costs more than the planning saves (a top-URIs query took 8 % longer).
 */
import { filterConditions, type SqlParams } from './filter-sql.js';
import type { Filters } from './filters.js';
import { DIGESTS, mergeDigest, rawDigestState, RAW_ROW_VALUES, SUM_MEASURES, type DigestName } from './measures.js';
import { oneSourceCondition, standardHoursProbe } from './one-source.js';
import { DIM_TABLES, type Plan, type Segment } from './planner.js';

export interface GroupKey {
  /** Output column name (`k_` is prepended). */
  readonly alias: string;
  /** Expression over rollup columns; null when the key needs raw rows. */
  readonly rollup: string | null;
  readonly raw: string;
  /**
   * Its reading from the dim rollups, if they hold it: the dimension name ('*' for a column every
   * row has) and the expression over their columns.
   */
  readonly dim?: { readonly name: string; readonly expression: string };
}

export interface StatsQuerySpec {
  readonly database: string;
  readonly plan: Plan;
  readonly filters: Filters;
  /** Whether imported standard logs cover an hour of the range (the one-source lookup's answer). */
  readonly standardHoursInRange: boolean;
  /**
   * Adds the one-source lookup as a column (`standardHoursProbe`): for a statement built on the
   * assumption that no standard logs are in the range, to say whether that held.
   */
  readonly probeStandardHours?: boolean;
  readonly keys: readonly GroupKey[];
  readonly digests: readonly DigestName[];
  /** ORDER BY of the outer query, over `k_*`/`m_*` names. */
  readonly orderBy?: string;
  readonly limit?: number;
  /** Extra parameters the keys use. */
  readonly params?: SqlParams;
  /** Quantile levels of every digest; default QUANTILES. */
  readonly quantiles?: readonly number[];
}

export interface BuiltQuery {
  readonly sql: string;
  readonly params: SqlParams;
}

/** Epoch-seconds bucket of `seconds` width, over rollup rows and over raw rows. */
export function timeBucketKey(seconds: number): GroupKey {
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`bucket width must be whole seconds, got ${seconds}`);
  return {
    alias: 't',
    rollup: `toUnixTimestamp(toStartOfInterval(bucket, INTERVAL ${seconds} SECOND))`,
    raw: `toUnixTimestamp(toStartOfInterval(toDateTime(timestamp, 'UTC'), INTERVAL ${seconds} SECOND))`,
  };
}

const PACKED = 'm_packed';

type SumMeasure = (typeof SUM_MEASURES)[number];

/** Whether the statement's summed measures travel as one array (see the top of this file). */
function packsMeasures(spec: StatsQuerySpec): boolean {
  return spec.keys.length === 0 || spec.plan.segments.every((segment) => segment.table !== 'requests');
}

/** A segment's summed measures: one Float64 array in SUM_MEASURES order, or a column each. */
function segmentMeasures(packed: boolean, expression: (m: SumMeasure) => string): string[] {
  if (!packed) return SUM_MEASURES.map((m) => `toFloat64(${expression(m)}) AS m_${m.name}`);
  return [`[${SUM_MEASURES.map((m) => `toFloat64(${expression(m)})`).join(', ')}] AS ${PACKED}`];
}

/** The outer query's sums, `m_<name>` either way; the elements of one sumForEach are computed once. */
function summedMeasures(packed: boolean): string[] {
  return SUM_MEASURES.map((m, i) => (packed ? `sumForEach(${PACKED})[${i + 1}]` : `sum(m_${m.name})`) + ` AS m_${m.name}`);
}

/** The time range of one segment, its parameters named after its place in the plan. */
function timeCondition(segment: Segment, index: number, params: SqlParams): string {
  const from = `s${index}_from`;
  const to = `s${index}_to`;
  if (segment.table === 'requests') {
    params[from] = segment.fromMs;
    params[to] = segment.toMs;
    return `timestamp >= fromUnixTimestamp64Milli({${from}:Int64}, 'UTC') AND timestamp < fromUnixTimestamp64Milli({${to}:Int64}, 'UTC')`;
  }
  params[from] = Math.floor(segment.fromMs / 1000);
  params[to] = Math.floor(segment.toMs / 1000);
  return `bucket >= toDateTime({${from}:UInt32}, 'UTC') AND bucket < toDateTime({${to}:UInt32}, 'UTC')`;
}

/** The segments of one table, with their places in the plan. */
interface TableRead {
  readonly table: Segment['table'];
  readonly segments: readonly { readonly segment: Segment; readonly index: number }[];
}

/**
 * One read per table: a plan's segments of the same table (the minutes before and after the hours,
 * the partial minutes at both ends) are read by one SELECT over both ranges. A read costs a fixed
 * part (query analysis, parts, granules) whatever its range, so fewer reads answer sooner.
 */
function tableReads(segments: readonly Segment[]): TableRead[] {
  const reads = new Map<Segment['table'], { table: Segment['table']; segments: { segment: Segment; index: number }[] }>();
  segments.forEach((segment, index) => {
    const read = reads.get(segment.table) ?? { table: segment.table, segments: [] };
    read.segments.push({ segment, index });
    reads.set(segment.table, read);
  });
  return [...reads.values()];
}

function tableReadSql(spec: StatsQuerySpec, read: TableRead, params: SqlParams): string {
  const table = `${spec.database}.${read.table}`;
  const dim = DIM_TABLES.has(read.table);
  const kind = read.table === 'requests' ? 'raw' : dim ? 'dim' : 'rollup';
  const ranges = read.segments.map(({ segment, index }) => timeCondition(segment, index, params));
  const time = ranges.length === 1 ? ranges[0]! : `(${ranges.map((r) => `(${r})`).join(' OR ')})`;
  let where = `${time} AND ${filterConditions(spec.filters, kind, params)} AND ${oneSourceCondition(spec.filters, kind, spec.database, spec.standardHoursInRange)}`;
  if (dim) {
    params.dim_name = spec.plan.dimension ?? 'all';
    where = `dimension = {dim_name:String} AND ${where}`;
  }
  if (read.table === 'requests') {
    const columns = [
      ...spec.keys.map((k) => `${k.raw} AS k_${k.alias}`),
      ...segmentMeasures(packsMeasures(spec), (m) => m.raw),
      ...spec.digests.map((d) => `${rawDigestState(d)} AS d_${d}`),
    ];
    const groupBy = spec.keys.length === 0 ? '' : `\nGROUP BY ${spec.keys.map((k) => `k_${k.alias}`).join(', ')}`;
    return `WITH ${RAW_ROW_VALUES.trim()}\nSELECT ${columns.join(',\n       ')}\nFROM ${table}\nWHERE ${where}${groupBy}`;
  }
  const columns = [
    ...spec.keys.map((k) => {
      const expression = dim && k.dim !== undefined ? k.dim.expression : k.rollup;
      if (expression === null || (dim && k.dim !== undefined && k.dim.name !== '*' && k.dim.name !== spec.plan.dimension)) {
        throw new Error(`group key ${k.alias} cannot be read from ${read.table}`);
      }
      return `${expression} AS k_${k.alias}`;
    }),
    ...segmentMeasures(packsMeasures(spec), (m) => m.name),
    ...spec.digests.map((d) => `${DIGESTS[d].column} AS d_${d}`),
  ];
  return `SELECT ${columns.join(',\n       ')}\nFROM ${table}\nWHERE ${where}`;
}

export function buildStatsQuery(spec: StatsQuerySpec): BuiltQuery {
  const params: SqlParams = { ...spec.params };
  const segments = tableReads(spec.plan.segments).map((read) => tableReadSql(spec, read, params));
  const outer = [
    ...spec.keys.map((k) => `k_${k.alias}`),
    ...summedMeasures(packsMeasures(spec)),
    ...spec.digests.map((d) => `${mergeDigest(d, spec.quantiles).replace(DIGESTS[d].column, `d_${d}`)} AS q_${d}`),
  ];
  if (spec.probeStandardHours === true && spec.filters.source === undefined) outer.push(standardHoursProbe(spec.filters, spec.database, params));
  const parts = [`SELECT ${outer.join(',\n       ')}`, `FROM (\n${segments.join('\nUNION ALL\n')}\n)`];
  if (spec.keys.length > 0) parts.push(`GROUP BY ${spec.keys.map((k) => `k_${k.alias}`).join(', ')}`);
  if (spec.orderBy !== undefined) parts.push(`ORDER BY ${spec.orderBy}`);
  if (spec.limit !== undefined) {
    if (!Number.isInteger(spec.limit) || spec.limit < 1) throw new RangeError(`limit must be a positive integer, got ${spec.limit}`);
    parts.push(`LIMIT ${spec.limit}`);
  }
  return { sql: parts.join('\n'), params };
}
