/**
 * Hand-built enriched records for the storage tests.
 */
import { F, FIELD_COUNT } from '../../processor/fields/catalogue.js';
import type { Derived, EnrichedRecord, FieldValue } from '../../processor/types.js';

export const BASE_DERIVED: Derived = {
  distribution_id: 'E2QWRUHAPOMQZL',
  sampling_rate: 100,
  source: 'kinesis',
  uri_path: '/index.html',
  uri_query: null,
  country: 'US',
  country_name: 'United States',
  continent: 'NA',
  country_source: 'log',
  pop_code: 'SFO',
  pop_city: 'San Francisco',
  pop_country: 'US',
  pop_lat: 37.619,
  pop_lon: -122.375,
  cache_class: 'hit',
  geo_blocked: 0,
  status_class: '2xx',
  http_version: '2',
  is_websocket: 0,
  content_class: 'html',
  streaming_format: '',
  device_type: 'desktop',
  browser: 'Chrome',
  os: 'Mac OS',
  is_bot: 0,
};

/** Field values by column name; every other field is null. */
export type FieldValues = Partial<Record<keyof typeof F, FieldValue>>;

export function makeRecord(timestampMs: number, fields: FieldValues, derived: Partial<Derived> = {}): EnrichedRecord {
  const values: FieldValue[] = new Array<FieldValue>(FIELD_COUNT).fill(null);
  values[F.timestamp] = timestampMs / 1000;
  for (const [column, value] of Object.entries(fields)) {
    values[F[column as keyof typeof F]] = value ?? null;
  }
  const stem = typeof fields.cs_uri_stem === 'string' ? fields.cs_uri_stem : null;
  return {
    record: { values, timestampMs, uriPath: stem, uriQuery: null, rawLine: null, partial: false },
    derived: { ...BASE_DERIVED, ...derived },
  };
}

/** A plain cache hit of `/index.html` served from SFO5-C1. */
export function hitRecord(timestampMs: number, extra: FieldValues = {}, derived: Partial<Derived> = {}): EnrichedRecord {
  return makeRecord(
    timestampMs,
    {
      c_ip: '192.0.2.10',
      time_to_first_byte: 0.002,
      sc_status: 200,
      sc_bytes: 1000,
      cs_method: 'GET',
      cs_protocol: 'https',
      cs_uri_stem: '/index.html',
      x_edge_location: 'SFO5-C1',
      x_edge_request_id: `req-${timestampMs}-${Math.random().toString(36).slice(2)}`,
      x_host_header: 'd111111abcdef8.cloudfront.net',
      time_taken: 0.005,
      x_edge_response_result_type: 'Hit',
      x_edge_result_type: 'Hit',
      x_edge_detailed_result_type: 'Hit',
      c_country: 'US',
      ...extra,
    },
    derived,
  );
}
