/**
 * The one-source rule in SQL: where imported standard logs and real-time rows describe the same
 * distribution and hour, a query counts the standard logs (complete), never the sum.
 */
import type { SqlParams, TableKind } from './filter-sql.js';
import type { Filters } from './filters.js';

/**
 * One source per distribution and hour: where imported standard logs (complete) cover an hour of a
 * distribution, that hour's real-time rows are left out, so the two are never summed. Applies unless
 * the request names a source. `standard_hours` (infra/clickhouse/041) lists the covered hours; GLOBAL
 * because on a cluster both tables are Distributed.
 *
 * `standardHoursInRange` is what a lookup just before the statement found (`standardHoursLookup`). When
 * the range holds none, standard rows are simply left out: the rows of an import that lands between the
 * lookup and the statement are not counted yet, rather than summed with the real-time ones, and the
 * statement builds no set per table read.
 */
export function oneSourceCondition(filters: Filters, kind: TableKind, database: string, standardHoursInRange: boolean): string {
  if (filters.source !== undefined) return '1';
  if (!standardHoursInRange) return "source != 'standard'";
  const hour = kind === 'raw' ? "toDateTime(toStartOfHour(timestamp), 'UTC')" : 'toStartOfHour(bucket)';
  return `(source = 'standard' OR (distribution_id, ${hour}) GLOBAL NOT IN (SELECT distribution_id, hour FROM ${database}.standard_hours))`;
}

/**
 * `FROM … WHERE …` of the hours of the filters' range and distributions that imported standard logs
 * cover, its parameters added to `params` under `sh_` names.
 */
function standardHoursInRange(filters: Filters, database: string, params: SqlParams): string {
  params.sh_from = filters.fromMs;
  params.sh_to = filters.toMs;
  const conditions = [
    "hour >= toStartOfHour(fromUnixTimestamp64Milli({sh_from:Int64}, 'UTC'))",
    "hour < fromUnixTimestamp64Milli({sh_to:Int64}, 'UTC')",
  ];
  if (filters.distributions.length > 0) {
    params.sh_distributions = filters.distributions;
    conditions.push('distribution_id IN {sh_distributions:Array(String)}');
  }
  return `FROM ${database}.standard_hours WHERE ${conditions.join(' AND ')}`;
}

/**
 * Whether imported standard logs cover any hour of the filters' range and distributions; undefined
 * when the request names its sources (the rule does not apply). One small statement.
 */
export function standardHoursLookup(filters: Filters, database: string): { sql: string; params: SqlParams } | undefined {
  if (filters.source !== undefined) return undefined;
  const params: SqlParams = {};
  const sql = `SELECT count() AS n ${standardHoursInRange(filters, database, params)}`;
  return { sql, params };
}

/** Name of the probe column (`standardHoursProbe`) in a statement's rows. */
export const STANDARD_HOURS_PROBE = 'p_standard_hours';

/**
 * The lookup as a column of the statement itself (a scalar subquery, evaluated once), so the usual
 * case, no standard logs in the range, costs no statement of its own: a statement built assuming
 * none reports in this column whether that held, and is run again with the lookup's answer if not.
 */
export function standardHoursProbe(filters: Filters, database: string, params: SqlParams): string {
  return `(SELECT count() ${standardHoursInRange(filters, database, params)}) AS ${STANDARD_HOURS_PROBE}`;
}
