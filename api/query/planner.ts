/**
 * Which tables answer a time range. Rollup rows cover whole minutes (requests_1m) or hours
 * (requests_1h), so a range is cut into segments: whole hours from requests_1h, the whole minutes
 * around them from requests_1m and the partial minutes at the ends from raw rows. The answer is
 * the same as from raw rows alone; it reads far fewer rows. Queries with at most one rollup
 * dimension read the dim rollups (one row per dimension value and bucket) instead, whose whole UTC
 * days come from requests_1d_dim: over 30 days that is ~30 rows per series instead of 720, and
 * merging their latency digests is what a long-range summary costs.
 */

export type TableName = 'requests' | 'requests_1m' | 'requests_1h' | 'requests_1m_dim' | 'requests_1h_dim' | 'requests_1d_dim';

export const DIM_TABLES: ReadonlySet<TableName> = new Set<TableName>(['requests_1m_dim', 'requests_1h_dim', 'requests_1d_dim']);

export interface Segment {
  readonly table: TableName;
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
}

export interface Plan {
  /** 'rollup' when a rollup table answers any part of the range. */
  readonly kind: 'rollup' | 'raw';
  readonly segments: readonly Segment[];
  /** The dimension dim-rollup segments read ('all' for none), when the plan uses them. */
  readonly dimension?: string;
}

export interface PlanRequest {
  readonly fromMs: number;
  readonly toMs: number;
  /** False when a filter or grouping needs raw columns. */
  readonly rollupAllowed: boolean;
  /** Time-bucket width of a timeseries; buckets finer than a table's rows rule that table out. */
  readonly bucketMs?: number;
  /** Set when the query uses at most this one dimension ('all' for none), which the small dim rollups answer. */
  readonly dimension?: string;
  /**
   * False when a day row could sum two sources: an hour inside the range has imported standard logs,
   * and the one-source rule excludes real-time rows per hour, which a day row cannot. Default true.
   */
  readonly dayRowsAllowed?: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const ceilTo = (ms: number, unit: number): number => Math.ceil(ms / unit) * unit;
const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;

export function planQuery(request: PlanRequest): Plan {
  const { fromMs, toMs } = request;
  const raw: Plan = { kind: 'raw', segments: [{ table: 'requests', fromMs, toMs }] };
  const bucketMs = request.bucketMs;
  if (!request.rollupAllowed || (bucketMs !== undefined && bucketMs % MINUTE_MS !== 0)) return raw;
  const minuteFrom = ceilTo(fromMs, MINUTE_MS);
  const minuteTo = floorTo(toMs, MINUTE_MS);
  if (minuteFrom >= minuteTo) return raw;

  const dim = request.dimension !== undefined;
  const minuteTable: TableName = dim ? 'requests_1m_dim' : 'requests_1m';
  const hourTable: TableName = dim ? 'requests_1h_dim' : 'requests_1h';
  const segments: Segment[] = [];
  const add = (table: TableName, from: number, to: number): void => {
    if (from < to) segments.push({ table, fromMs: from, toMs: to });
  };
  add('requests', fromMs, minuteFrom);
  const hoursAllowed = bucketMs === undefined || bucketMs % HOUR_MS === 0;
  const hourFrom = ceilTo(minuteFrom, HOUR_MS);
  const hourTo = floorTo(minuteTo, HOUR_MS);
  if (hoursAllowed && hourFrom < hourTo) {
    add(minuteTable, minuteFrom, hourFrom);
    // Only the dim rollups have days; a bucket that is not whole days would cut through a day row.
    const daysAllowed = dim && request.dayRowsAllowed !== false && (bucketMs === undefined || bucketMs % DAY_MS === 0);
    const dayFrom = ceilTo(hourFrom, DAY_MS);
    const dayTo = floorTo(hourTo, DAY_MS);
    if (daysAllowed && dayFrom < dayTo) {
      add(hourTable, hourFrom, dayFrom);
      add('requests_1d_dim', dayFrom, dayTo);
      add(hourTable, dayTo, hourTo);
    } else {
      add(hourTable, hourFrom, hourTo);
    }
    add(minuteTable, hourTo, minuteTo);
  } else {
    add(minuteTable, minuteFrom, minuteTo);
  }
  add('requests', minuteTo, toMs);
  return dim ? { kind: 'rollup', segments, dimension: request.dimension } : { kind: 'rollup', segments };
}
