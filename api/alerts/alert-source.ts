/**
 * Where the evaluator reads its measures: in embedded mode the in-process counters fed by the live
 * hub (live-alert-source.ts), on a ClickHouse server the rollups (rollup-alert-source.ts). Both
 * answer the same two questions.
 */
import type { AlertContributors } from './alert-model.js';
import type { DistributionMeasures, SpanRequest } from './alert-measures.js';

/** Which requests an alert is about (whose countries, POPs, paths and ASNs are its contributors). */
export const SIGNALS = ['geoBlocked', 'status5xx', 'status4xxOther', 'cacheMiss', 'originLatency', 'edgeFunctionErrors', 'requests'] as const;
export type Signal = (typeof SIGNALS)[number];

export interface SourceSnapshot {
  /** Per distribution ID ('' for records of unknown domains), per span key (spanKey()). */
  readonly distributions: ReadonlyMap<string, ReadonlyMap<string, DistributionMeasures>>;
  /** Things that make the numbers less certain (records the live view dropped, …). */
  readonly notes: readonly string[];
}

export interface ContributorQuery {
  readonly distribution: string;
  readonly signal: Signal;
  readonly fromMs: number;
  readonly toMs: number;
  /** Only requests from this viewer country. */
  readonly country?: string;
  /** originLatency: only requests whose origin latency is at least about this. */
  readonly minLatencyMs?: number;
}

export interface AlertSource {
  readonly mode: 'live' | 'rollup';
  /** Measures of every distribution with data, for each requested window and baseline. */
  read(nowMs: number, spans: readonly SpanRequest[], options: { readonly countries: boolean }): Promise<SourceSnapshot>;
  /** The top countries, POPs, paths and ASNs of the requests an alert is about. */
  contributors(query: ContributorQuery): Promise<AlertContributors>;
}

/** Contributors shown per list. */
export const TOP_CONTRIBUTORS = 5;
