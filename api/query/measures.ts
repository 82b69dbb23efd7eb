/**
 * The measures stats queries read: rollup columns, and the same computation over raw `requests`
 * rows for ranges or filters the rollups cannot answer. Both come from processor/storage/rollup-sql.ts,
 * which also renders the rollup views.
 */
import { rawDigestStateSql, rawRowValuesSql, rawSumSql, SUM_MEASURES as ROLLUP_SUMS, type SumName } from '../../processor/storage/rollup-sql.js';

export type { SumName };

export const SUM_MEASURES: readonly { readonly name: SumName; readonly raw: string }[] = ROLLUP_SUMS.map((m) => ({ name: m.name, raw: rawSumSql(m) }));

/** Per-row values the raw measure expressions use (a WITH list of the raw segment). */
export const RAW_ROW_VALUES = rawRowValuesSql();

/** Latency digests: rollup column and raw field (seconds). */
export const DIGESTS = {
  ttfb: { column: 'ttfb_digest', raw: 'time_to_first_byte' },
  timeTaken: { column: 'time_taken_digest', raw: 'time_taken' },
  originFbl: { column: 'origin_fbl_digest', raw: 'origin_fbl' },
} as const;

export type DigestName = keyof typeof DIGESTS;

export function rawDigestState(name: DigestName): string {
  return rawDigestStateSql(DIGESTS[name].raw);
}

/** Quantile levels every latency answer carries. */
export const QUANTILES = [0.5, 0.95, 0.99] as const;

/** The merged value of a digest: an array of QUANTILES in seconds. */
export function mergeDigest(name: DigestName, levels: readonly number[] = QUANTILES): string {
  return `quantilesTDigestWeightedMerge(${levels.join(', ')})(${DIGESTS[name].column})`;
}
