/**
 * A sampled individual record as the live stream sends it: a flat object of strings, numbers and
 * nulls (absent values). Every text value is attacker-controlled; it travels as JSON and must be
 * rendered as text, never as HTML. The client IP, cookies, query strings and headers are left out.
 */
import { F } from '../../processor/fields/catalogue.js';
import type { FieldValue } from '../../processor/types.js';
import type { LiveEntry } from './live-entry.js';

export interface LiveRecord {
  /** CloudFront's `timestamp`, ISO 8601. */
  readonly timestamp: string;
  readonly timestampMs: number;
  /** Distribution ID; '' when its domain is unknown. */
  readonly distribution: string;
  /** `x-host-header`: the distribution's CloudFront domain. */
  readonly host: string | null;
  /** Edge location (`IAD89-C1`) and its POP. */
  readonly edgeLocation: string | null;
  readonly pop: string;
  readonly popCity: string;
  /** Viewer country (ISO 3166-1 alpha-2); '' when unknown. */
  readonly country: string;
  readonly method: string | null;
  readonly protocol: string | null;
  readonly httpVersion: string;
  readonly status: number | null;
  /** Decoded path of `cs-uri-stem`. */
  readonly path: string | null;
  /** Cache outcome: hit, refresh_hit, origin_shield_hit, miss, error, … */
  readonly cacheStatus: string;
  readonly resultType: string | null;
  readonly detailedResultType: string | null;
  readonly contentType: string | null;
  readonly contentClass: string;
  /** `sc-bytes`. */
  readonly bytes: number | null;
  readonly ttfbMs: number | null;
  readonly timeTakenMs: number | null;
  readonly device: string;
  readonly browser: string;
  readonly os: string;
  /** 1 for bots. */
  readonly bot: number;
  readonly edgeRequestId: string | null;
  readonly userAgent: string | null;
  readonly samplingRate: number;
}

function text(value: FieldValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function number(value: FieldValue | undefined): number | null {
  return typeof value === 'number' ? value : null;
}

function millis(value: FieldValue | undefined): number | null {
  return typeof value === 'number' ? Math.round(value * 1000 * 1000) / 1000 : null;
}

export function toLiveRecord({ record, derived }: LiveEntry): LiveRecord {
  const v = record.values;
  return {
    timestamp: new Date(record.timestampMs).toISOString(),
    timestampMs: record.timestampMs,
    distribution: derived.distribution_id,
    host: text(v[F.x_host_header]),
    edgeLocation: text(v[F.x_edge_location]),
    pop: derived.pop_code,
    popCity: derived.pop_city,
    country: derived.country,
    method: text(v[F.cs_method]),
    protocol: text(v[F.cs_protocol]),
    httpVersion: derived.http_version,
    status: number(v[F.sc_status]),
    path: derived.uri_path,
    cacheStatus: derived.cache_class,
    resultType: text(v[F.x_edge_result_type]),
    detailedResultType: text(v[F.x_edge_detailed_result_type]),
    contentType: text(v[F.sc_content_type]),
    contentClass: derived.content_class,
    bytes: number(v[F.sc_bytes]),
    ttfbMs: millis(v[F.time_to_first_byte]),
    timeTakenMs: millis(v[F.time_taken]),
    device: derived.device_type,
    browser: derived.browser,
    os: derived.os,
    bot: derived.is_bot,
    edgeRequestId: text(v[F.x_edge_request_id]),
    userAgent: text(v[F.cs_user_agent]),
    samplingRate: derived.sampling_rate,
  };
}

const nullableString = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

/** JSON schema of a `record` event's data (documentation: events are not validated on the way out). */
export const liveRecordSchema = {
  type: 'object',
  properties: {
    timestamp: { type: 'string', format: 'date-time' },
    timestampMs: { type: 'integer' },
    distribution: { type: 'string' },
    host: nullableString,
    edgeLocation: nullableString,
    pop: { type: 'string' },
    popCity: { type: 'string' },
    country: { type: 'string' },
    method: nullableString,
    protocol: nullableString,
    httpVersion: { type: 'string' },
    status: { type: ['integer', 'null'] },
    path: nullableString,
    cacheStatus: { type: 'string' },
    resultType: nullableString,
    detailedResultType: nullableString,
    contentType: nullableString,
    contentClass: { type: 'string' },
    bytes: { type: ['integer', 'null'] },
    ttfbMs: nullableNumber,
    timeTakenMs: nullableNumber,
    device: { type: 'string' },
    browser: { type: 'string' },
    os: { type: 'string' },
    bot: { type: 'integer', enum: [0, 1] },
    edgeRequestId: nullableString,
    userAgent: nullableString,
    samplingRate: { type: 'integer' },
  },
} as const;
