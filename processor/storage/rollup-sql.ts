/**
 * The rollup measures, defined once: the rollup tables' columns, the views that fill them (from raw
 * rows and from finer rollups) and the query API's raw-row fallback are all rendered from this list,
 * so a rollup and a query over raw rows cannot disagree on a definition.
 *
 * The definitions (api/query/definitions.ts says them in words). Each raw row weighs
 * w = 100 / sampling_rate: it stands for w requests.
 */

export interface SumMeasure {
  /** Rollup column (the API reads it as `m_<name>`). */
  readonly name: string;
  readonly type: 'UInt64' | 'Float64';
  /** Aggregate over raw rows; `$` is replaced by the raw table's alias prefix ('' or 'src.'). */
  readonly raw: string;
}

export const SUM_MEASURES = [
  // As logged, not extrapolated.
  { name: 'sampled_requests', type: 'UInt64', raw: 'count()' },
  { name: 'sampled_bytes', type: 'UInt64', raw: 'sum(ifNull($sc_bytes, 0))' },
  { name: 'requests', type: 'Float64', raw: 'sum(w)' },
  { name: 'bytes', type: 'Float64', raw: 'sum(sent_bytes * w)' },
  // Unbiased variance estimates of the two sums under independent sampling (0 at 100 %).
  { name: 'requests_var', type: 'Float64', raw: 'sum(w * (w - 1))' },
  { name: 'bytes_var', type: 'Float64', raw: 'sum(w * (w - 1) * sent_bytes * sent_bytes)' },
  // Ratio denominators and numerators leave WebSocket connections out.
  { name: 'ratio_requests', type: 'Float64', raw: 'sumIf(w, in_ratios)' },
  { name: 'ratio_bytes', type: 'Float64', raw: 'sumIf(sent_bytes * w, in_ratios)' },
  { name: 'hits', type: 'Float64', raw: 'sumIf(w, in_ratios AND hit)' },
  { name: 'hit_bytes', type: 'Float64', raw: 'sumIf(sent_bytes * w, in_ratios AND hit)' },
  { name: 'misses', type: 'Float64', raw: "sumIf(w, in_ratios AND $cache_class = 'miss')" },
  { name: 'cacheable_requests', type: 'Float64', raw: 'sumIf(w, in_ratios AND cacheable)' },
  { name: 'cacheable_hits', type: 'Float64', raw: 'sumIf(w, in_ratios AND cacheable AND hit)' },
  { name: 'status_4xx', type: 'Float64', raw: 'sumIf(w, $sc_status BETWEEN 400 AND 499)' },
  { name: 'status_5xx', type: 'Float64', raw: 'sumIf(w, $sc_status BETWEEN 500 AND 599)' },
  { name: 'geo_blocked', type: 'Float64', raw: 'sumIf(w, $geo_blocked = 1)' },
] as const satisfies readonly SumMeasure[];

export type SumName = (typeof SUM_MEASURES)[number]['name'];

/** t-digests of latencies in seconds, weighted ∝ w; WebSocket rows and absent values left out. */
export const DIGEST_MEASURES = [
  { name: 'ttfb_digest', field: 'time_to_first_byte' },
  { name: 'time_taken_digest', field: 'time_taken' },
  { name: 'origin_fbl_digest', field: 'origin_fbl' },
] as const;

export type DigestColumn = (typeof DIGEST_MEASURES)[number]['name'];

const DIGEST_TYPE = 'AggregateFunction(quantileTDigestWeighted, Float64, UInt32)';

const prefixed = (sql: string, prefix: string): string => sql.replaceAll('$', prefix);

/**
 * Per-row values the raw aggregates use, as a WITH list. A hit is cache_class hit / refresh_hit /
 * origin_shield_hit (x-edge-detailed-result-type, else x-edge-result-type); a request is cacheable
 * unless its method is POST or PUT or its cache_class is error / limit_exceeded / capacity_exceeded.
 */
export function rawRowValuesSql(prefix = ''): string {
  return prefixed(
    [
      '100.0 / greatest($sampling_rate, 1) AS w',
      'toUInt32(intDiv(10000, greatest($sampling_rate, 1))) AS digest_weight',
      'toFloat64(ifNull($sc_bytes, 0)) AS sent_bytes',
      '$is_websocket = 0 AS in_ratios',
      "$cache_class IN ('hit', 'refresh_hit', 'origin_shield_hit') AS hit",
      "ifNull($cs_method, '') NOT IN ('POST', 'PUT') AND $cache_class NOT IN ('error', 'limit_exceeded', 'capacity_exceeded') AS cacheable",
    ].join(',\n    '),
    prefix,
  );
}

export function rawSumSql(measure: SumMeasure, prefix = ''): string {
  return prefixed(measure.raw, prefix);
}

export function rawDigestStateSql(field: string, prefix = ''): string {
  return prefixed(`quantileTDigestWeightedStateIf(assumeNotNull($${field}), digest_weight, $${field} IS NOT NULL AND in_ratios)`, prefix);
}

/** Column definitions of every measure (CREATE TABLE). */
export function rollupColumnsSql(): string {
  return [
    ...SUM_MEASURES.map((m) => `${m.name} SimpleAggregateFunction(sum, ${m.type})`),
    ...DIGEST_MEASURES.map((d) => `${d.name} ${DIGEST_TYPE}`),
  ].join(',\n    ');
}

/** SELECT list computing every measure from raw rows aliased `src`. */
export function rollupFromRawSql(): string {
  return [
    ...SUM_MEASURES.map((m) => `${rawSumSql(m, 'src.')} AS ${m.name}`),
    ...DIGEST_MEASURES.map((d) => `${rawDigestStateSql(d.field, 'src.')} AS ${d.name}`),
  ].join(',\n    ');
}

/** SELECT list merging every measure from finer rollup rows aliased `m`. */
export function rollupMergeSql(): string {
  return [
    ...SUM_MEASURES.map((m) => `sum(m.${m.name}) AS ${m.name}`),
    ...DIGEST_MEASURES.map((d) => `quantileTDigestWeightedMergeState(m.${d.name}) AS ${d.name}`),
  ].join(',\n    ');
}

/** Template values the rollup migrations use. */
export function rollupTemplateValues(): Record<string, string> {
  return {
    rollup_columns: rollupColumnsSql(),
    rollup_raw_values: rawRowValuesSql('src.'),
    rollup_from_raw: rollupFromRawSql(),
    rollup_merge: rollupMergeSql(),
  };
}
