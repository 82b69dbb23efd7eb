/**
 * One record as the live view sees it: parsed and enriched, with the measures it adds to the
 * per-second counters worked out once (the definitions of `/api/v1/definitions`, as the rollups of
 * infra/clickhouse/012_rollups_v2.sql compute them), however many subscribers it matches.
 */
import { F } from '../../processor/fields/catalogue.js';
import type { Derived, EnrichedRecord, ParsedRecord } from '../../processor/types.js';

/** What one record adds to the counters. `weight` = 100 / sampling rate: the requests it stands for. */
export interface EntryMeasure {
  readonly weight: number;
  /** `sc-bytes` as logged (0 when absent). */
  readonly bytes: number;
  /** WebSocket connections count as requests but are left out of hit ratios. */
  readonly inRatios: boolean;
  /** cache_class hit / refresh_hit / origin_shield_hit. */
  readonly hit: boolean;
  readonly miss: boolean;
  /** Method not POST / PUT and cache_class not error / limit_exceeded / capacity_exceeded. */
  readonly cacheable: boolean;
  readonly status4xx: boolean;
  readonly status5xx: boolean;
  /** `x-edge-detailed-result-type` ClientGeoBlocked. */
  readonly geoBlocked: boolean;
}

export interface LiveEntry {
  readonly record: ParsedRecord;
  readonly derived: Derived;
  /** Kind of source the record was read from: 'kinesis', 'kafka', … */
  readonly source: string;
  readonly measure: EntryMeasure;
}

const HIT_CLASSES: ReadonlySet<string> = new Set(['hit', 'refresh_hit', 'origin_shield_hit']);
const UNCACHEABLE_CLASSES: ReadonlySet<string> = new Set(['error', 'limit_exceeded', 'capacity_exceeded']);
const UNCACHEABLE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT']);

/** The status as a number, or null when absent. */
export function statusOf(record: ParsedRecord): number | null {
  const value = record.values[F.sc_status];
  return typeof value === 'number' ? value : null;
}

export function measureOf({ record, derived }: EnrichedRecord): EntryMeasure {
  const sent = record.values[F.sc_bytes];
  const method = record.values[F.cs_method];
  const status = statusOf(record);
  const hit = HIT_CLASSES.has(derived.cache_class);
  return {
    weight: 100 / Math.max(derived.sampling_rate, 1),
    bytes: typeof sent === 'number' ? sent : 0,
    inRatios: derived.is_websocket === 0,
    hit,
    miss: derived.cache_class === 'miss',
    cacheable: !(typeof method === 'string' && UNCACHEABLE_METHODS.has(method)) && !UNCACHEABLE_CLASSES.has(derived.cache_class),
    status4xx: status !== null && status >= 400 && status <= 499,
    status5xx: status !== null && status >= 500 && status <= 599,
    geoBlocked: derived.geo_blocked === 1,
  };
}

export function toLiveEntry(enriched: EnrichedRecord, source: string): LiveEntry {
  return { record: enriched.record, derived: enriched.derived, source, measure: measureOf(enriched) };
}
