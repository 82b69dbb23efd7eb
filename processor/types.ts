/**
 * Record types shared by the parser, enrichment and the ClickHouse writer.
 */

/** A parsed field value: decoded text, a number, or null for `-` / absent / not selected. */
export type FieldValue = string | number | null;

/** One parsed log line. */
export interface ParsedRecord {
  /** Values indexed by catalogue index (`F.<column>`); null where absent or not in the layout. */
  readonly values: FieldValue[];
  /** `timestamp` in epoch milliseconds (exact, no float rounding). */
  readonly timestampMs: number;
  /** Path part of `cs-uri-stem` (decoded), null when the field is absent. */
  readonly uriPath: string | null;
  /** Query part of `cs-uri-stem` without `?` (decoded), null when there is none. */
  readonly uriQuery: string | null;
  /**
   * The line as CloudFront wrote it (without its newline), for records parsed from a line; null
   * for records built otherwise. Storage hands it to ClickHouse, which parses and decodes it.
   */
  readonly rawLine: string | null;
  /**
   * True when only some string fields were decoded into `values` (the ones enrichment reads); the
   * others are null there; their text is in `rawLine`.
   */
  readonly partial: boolean;
}

/** A line that could not be read. It is stored, never dropped. */
export interface DeadLetter {
  /** 1-based line number within its input (payload, file or stdin). */
  readonly line: number;
  readonly reason: string;
  /** The field to blame, when there is one. */
  readonly field: string | null;
  /** The raw line as received. */
  readonly input: string;
}

export type CacheClass =
  | 'hit'
  | 'refresh_hit'
  | 'origin_shield_hit'
  | 'miss'
  | 'error'
  | 'redirect'
  | 'limit_exceeded'
  | 'capacity_exceeded'
  | 'other';

export type ContentClass =
  | 'html'
  | 'script'
  | 'style'
  | 'image'
  | 'font'
  | 'video_segment'
  | 'video_manifest'
  | 'api'
  | 'websocket'
  | 'other';

export type StreamingFormat = 'hls' | 'dash' | 'smooth' | '';

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'smarttv' | 'console' | 'wearable' | 'embedded' | 'bot' | 'unknown' | 'empty';

/** Columns derived by enrichment (names are ClickHouse column names). */
export interface Derived {
  distribution_id: string;
  sampling_rate: number;
  source: string;
  uri_path: string | null;
  uri_query: string | null;
  /** ISO 3166-1 alpha-2 of the viewer; '' when unknown. */
  country: string;
  country_name: string;
  /** Continent code (AF AN AS EU NA OC SA); '' when unknown. */
  continent: string;
  /** Where `country` came from: 'log' (c-country), 'geoip' (c-ip lookup) or ''. */
  country_source: string;
  /** 3-letter prefix of x-edge-location ('' when absent). */
  pop_code: string;
  pop_city: string;
  pop_country: string;
  pop_lat: number | null;
  pop_lon: number | null;
  cache_class: CacheClass;
  geo_blocked: 0 | 1;
  /** '1xx' … '5xx', '000' (viewer closed early), '' when absent. */
  status_class: string;
  /** Normalised HTTP version: '0.9' '1.0' '1.1' '2' '3', or as written when unknown. */
  http_version: string;
  is_websocket: 0 | 1;
  content_class: ContentClass;
  streaming_format: StreamingFormat;
  device_type: DeviceType;
  browser: string;
  os: string;
  is_bot: 0 | 1;
}

export interface EnrichedRecord {
  readonly record: ParsedRecord;
  readonly derived: Derived;
}
