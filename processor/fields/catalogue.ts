/**
 * The catalogue of CloudFront real-time log fields, in canonical delivery order.
 *
 * CloudFront writes the selected fields in this order whatever order a log config lists
 * them in, so a record's layout is the *set* of selected fields sorted by `position`.
 * Each field owns one ClickHouse column named after it in snake_case.
 */

/** How a field's text is read. */
export type FieldKind =
  | 'timestamp' // epoch seconds with 3 decimals → epoch ms
  | 'seconds' // decimal seconds (durations)
  | 'status' // 3-digit HTTP status, `000` → 0
  | 'uint' // non-negative integer, bounded by `max`
  | 'decimal' // any finite decimal number
  | 'string'; // percent-decoded text

export interface FieldSpec {
  /** Canonical position (1-based) in the reference's field table. */
  readonly position: number;
  /** Field name as written in `CreateRealtimeLogConfig.Fields`. */
  readonly name: string;
  /** ClickHouse column holding the field's value. */
  readonly column: string;
  readonly kind: FieldKind;
  /** ClickHouse type of the column. */
  readonly clickhouseType: string;
  /** Upper bound for `uint` fields (the column type's range). */
  readonly max?: number;
  /** True when the field is enumerated: unknown values are kept and counted. */
  readonly enumerated?: boolean;
  /** True when AWS has not confirmed the field's position. */
  readonly positionUnconfirmed?: boolean;
}

const U16 = 0xffff;
const U32 = 0xffffffff;
const U64 = Number.MAX_SAFE_INTEGER;

const str = 'Nullable(String)';
const lc = 'LowCardinality(Nullable(String))';
const secs = 'Nullable(Float64)';

type Def = [name: string, kind: FieldKind, clickhouseType: string, extra?: Partial<FieldSpec>];

// Positions 1–69 of the reference (§2.2), in order.
const DEFS: readonly Def[] = [
  ['timestamp', 'timestamp', "DateTime64(3, 'UTC')"],
  ['c-ip', 'string', str],
  ['s-ip', 'string', str],
  ['time-to-first-byte', 'seconds', secs],
  ['sc-status', 'status', 'Nullable(UInt16)'],
  ['sc-bytes', 'uint', 'Nullable(UInt64)', { max: U64 }],
  ['cs-method', 'string', lc, { enumerated: true }],
  ['cs-protocol', 'string', lc, { enumerated: true }],
  ['cs-host', 'string', lc],
  ['cs-uri-stem', 'string', str],
  ['cs-bytes', 'uint', 'Nullable(UInt64)', { max: U64 }],
  ['x-edge-location', 'string', lc],
  ['x-edge-request-id', 'string', str],
  ['x-host-header', 'string', lc],
  ['time-taken', 'seconds', secs],
  ['cs-protocol-version', 'string', lc, { enumerated: true }],
  ['c-ip-version', 'string', lc, { enumerated: true }],
  ['cs-user-agent', 'string', str],
  ['cs-referer', 'string', str],
  ['cs-cookie', 'string', str],
  ['cs-uri-query', 'string', str],
  ['x-edge-response-result-type', 'string', lc, { enumerated: true }],
  ['x-forwarded-for', 'string', str],
  ['ssl-protocol', 'string', lc, { enumerated: true }],
  ['ssl-cipher', 'string', lc],
  ['x-edge-result-type', 'string', lc, { enumerated: true }],
  ['fle-encrypted-fields', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['fle-status', 'string', lc, { enumerated: true }],
  ['sc-content-type', 'string', lc],
  ['sc-content-len', 'uint', 'Nullable(UInt64)', { max: U64 }],
  ['sc-range-start', 'uint', 'Nullable(UInt64)', { max: U64 }],
  ['sc-range-end', 'uint', 'Nullable(UInt64)', { max: U64 }],
  ['c-port', 'uint', 'Nullable(UInt16)', { max: U16 }],
  ['x-edge-detailed-result-type', 'string', lc, { enumerated: true }],
  ['c-country', 'string', lc],
  ['cs-accept-encoding', 'string', lc],
  ['cs-accept', 'string', lc],
  ['cache-behavior-path-pattern', 'string', lc],
  ['cs-headers', 'string', str],
  ['cs-header-names', 'string', str],
  ['cs-headers-count', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['primary-distribution-id', 'string', lc],
  ['primary-distribution-dns-name', 'string', lc],
  ['origin-fbl', 'seconds', secs],
  ['origin-lbl', 'seconds', secs],
  ['asn', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-encoded-bitrate', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-buffer-length', 'uint', 'Nullable(UInt32)', { max: U32 }],
  // CMCD booleans: how CloudFront renders them is unconfirmed, so they stay text.
  ['cmcd-buffer-starvation', 'string', lc],
  ['cmcd-content-id', 'string', str],
  ['cmcd-object-duration', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-deadline', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-measured-throughput', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-next-object-request', 'string', str],
  ['cmcd-next-range-request', 'string', str],
  ['cmcd-object-type', 'string', lc, { enumerated: true }],
  ['cmcd-playback-rate', 'decimal', 'Nullable(Float64)'],
  ['cmcd-requested-maximum-throughput', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-streaming-format', 'string', lc, { enumerated: true }],
  ['cmcd-session-id', 'string', str],
  ['cmcd-stream-type', 'string', lc, { enumerated: true }],
  ['cmcd-startup', 'string', lc],
  ['cmcd-top-bitrate', 'uint', 'Nullable(UInt32)', { max: U32 }],
  ['cmcd-version', 'uint', 'Nullable(UInt16)', { max: U16 }],
  ['r-host', 'string', lc],
  ['sr-reason', 'string', lc],
  ['x-edge-mqcs', 'uint', 'Nullable(UInt8)', { max: 255 }],
  ['distribution-tenant-id', 'string', lc, { positionUnconfirmed: true }],
  ['connection-id', 'string', str, { positionUnconfirmed: true }],
];

/** `x-edge-location` → `x_edge_location`. */
export function columnNameOf(fieldName: string): string {
  return fieldName.replace(/-/g, '_');
}

export const FIELDS: readonly FieldSpec[] = Object.freeze(
  DEFS.map(([name, kind, clickhouseType, extra], i) =>
    Object.freeze({ position: i + 1, name, column: columnNameOf(name), kind, clickhouseType, ...extra }),
  ),
);

export const FIELD_COUNT = FIELDS.length;

const BY_NAME = new Map(FIELDS.map((f) => [f.name, f]));

export function fieldByName(name: string): FieldSpec | undefined {
  return BY_NAME.get(name);
}

/**
 * Index (0-based, = position - 1) of each field, by column name, for hot-path access:
 * `record.values[F.sc_status]`.
 */
export const F = Object.freeze(
  Object.fromEntries(FIELDS.map((f) => [f.column, f.position - 1])) as Record<FieldColumn, number>,
);

export type FieldColumn =
  | 'timestamp' | 'c_ip' | 's_ip' | 'time_to_first_byte' | 'sc_status' | 'sc_bytes' | 'cs_method'
  | 'cs_protocol' | 'cs_host' | 'cs_uri_stem' | 'cs_bytes' | 'x_edge_location' | 'x_edge_request_id'
  | 'x_host_header' | 'time_taken' | 'cs_protocol_version' | 'c_ip_version' | 'cs_user_agent'
  | 'cs_referer' | 'cs_cookie' | 'cs_uri_query' | 'x_edge_response_result_type' | 'x_forwarded_for'
  | 'ssl_protocol' | 'ssl_cipher' | 'x_edge_result_type' | 'fle_encrypted_fields' | 'fle_status'
  | 'sc_content_type' | 'sc_content_len' | 'sc_range_start' | 'sc_range_end' | 'c_port'
  | 'x_edge_detailed_result_type' | 'c_country' | 'cs_accept_encoding' | 'cs_accept'
  | 'cache_behavior_path_pattern' | 'cs_headers' | 'cs_header_names' | 'cs_headers_count'
  | 'primary_distribution_id' | 'primary_distribution_dns_name' | 'origin_fbl' | 'origin_lbl' | 'asn'
  | 'cmcd_encoded_bitrate' | 'cmcd_buffer_length' | 'cmcd_buffer_starvation' | 'cmcd_content_id'
  | 'cmcd_object_duration' | 'cmcd_deadline' | 'cmcd_measured_throughput' | 'cmcd_next_object_request'
  | 'cmcd_next_range_request' | 'cmcd_object_type' | 'cmcd_playback_rate'
  | 'cmcd_requested_maximum_throughput' | 'cmcd_streaming_format' | 'cmcd_session_id'
  | 'cmcd_stream_type' | 'cmcd_startup' | 'cmcd_top_bitrate' | 'cmcd_version' | 'r_host' | 'sr_reason'
  | 'x_edge_mqcs' | 'distribution_tenant_id' | 'connection_id';

/** Fields of the default local log config: every field of positions 1–64 (all with confirmed order). */
export const DEFAULT_LOCAL_FIELD_NAMES: readonly string[] = FIELDS.filter((f) => f.position <= 64).map(
  (f) => f.name,
);
