import { describe, expect, it } from 'vitest';
import { createEnricher } from '../../processor/enrich/enrich.js';
import type { EnricherOptions } from '../../processor/enrich/enrich.js';
import { F, FIELD_COUNT } from '../../processor/fields/catalogue.js';
import type { FieldColumn } from '../../processor/fields/catalogue.js';
import type { FieldValue, ParsedRecord } from '../../processor/types.js';

const DOMAIN = 'd3gpvymg9z2unc.cloudfront.net';

function record(fields: Partial<Record<FieldColumn, FieldValue>>, uriPath: string | null = '/x', uriQuery: string | null = null): ParsedRecord {
  const values: FieldValue[] = new Array<FieldValue>(FIELD_COUNT).fill(null);
  for (const [column, value] of Object.entries(fields) as [FieldColumn, FieldValue][]) values[F[column]] = value;
  return { values, timestampMs: 0, uriPath, uriQuery, rawLine: null, partial: false };
}

const options: EnricherOptions = {
  samplingRate: 50,
  resolveDistribution: (domain) => (domain === DOMAIN ? 'E2QWRUHAPOMQZL' : ''),
};

describe('createEnricher', () => {
  const enrich = createEnricher(options);

  it('enriches real record 1 of reference §7 (iPhone, RefreshHit, HTTP/2)', () => {
    const derived = enrich(
      record(
        {
          c_ip: '174.204.64.230',
          sc_status: 304,
          cs_protocol: 'https',
          x_edge_location: 'SEA19-C2',
          x_host_header: DOMAIN,
          cs_protocol_version: 'HTTP/2.0',
          cs_user_agent:
            'Mozilla/5.0 (iPhone; CPU iPhone OS 13_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Mobile/15E148 Safari/604.1',
          x_edge_response_result_type: 'RefreshHit',
          x_edge_result_type: 'RefreshHit',
          x_edge_detailed_result_type: 'RefreshHit',
          c_country: 'US',
        },
        '/michaelw/real-time-logs-all_fields/2020/speakers/',
      ),
    );
    expect(derived).toEqual({
      distribution_id: 'E2QWRUHAPOMQZL',
      sampling_rate: 50,
      source: 'realtime',
      uri_path: '/michaelw/real-time-logs-all_fields/2020/speakers/',
      uri_query: null,
      country: 'US',
      country_name: 'United States',
      continent: 'NA',
      country_source: 'log',
      pop_code: 'SEA',
      pop_city: 'Seattle',
      pop_country: 'US',
      pop_lat: 47.449,
      pop_lon: -122.309,
      cache_class: 'refresh_hit',
      geo_blocked: 0,
      status_class: '3xx',
      http_version: '2',
      is_websocket: 0,
      content_class: 'html',
      streaming_format: '',
      device_type: 'mobile',
      browser: 'Mobile Safari',
      os: 'iOS',
      is_bot: 0,
    });
  });

  it('enriches real record 2 of reference §7 (Firefox on Mac, Miss, image/gif)', () => {
    const derived = enrich(
      record(
        {
          c_ip: '127.0.0.1',
          sc_status: 200,
          cs_protocol: 'http',
          x_edge_location: 'EWR52-C4',
          x_host_header: 'test.cloudfront.net',
          cs_protocol_version: 'HTTP/1.1',
          cs_user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:83.0) Gecko/20100101 Firefox/83.0',
          x_edge_result_type: 'Miss',
          x_edge_detailed_result_type: 'Miss',
          sc_content_type: 'image/gif',
          c_country: 'US',
        },
        '/i',
        'stm=1607374321563&e=pp',
      ),
    );
    expect(derived).toMatchObject({
      distribution_id: '',
      uri_path: '/i',
      uri_query: 'stm=1607374321563&e=pp',
      country: 'US',
      country_source: 'log',
      pop_code: 'EWR',
      pop_city: 'Newark',
      cache_class: 'miss',
      status_class: '2xx',
      http_version: '1.1',
      content_class: 'image',
      device_type: 'desktop',
      browser: 'Firefox',
      os: 'Mac OS',
      is_bot: 0,
    });
  });

  it('flags a geo-blocked request', () => {
    const derived = enrich(
      record({ sc_status: 403, x_edge_result_type: 'Error', x_edge_detailed_result_type: 'ClientGeoBlocked', c_country: 'KP' }),
    );
    expect(derived).toMatchObject({ geo_blocked: 1, cache_class: 'error', status_class: '4xx', country: 'KP', continent: 'AS' });
  });

  it('falls back to GeoIP when c-country is not in the log config', () => {
    expect(enrich(record({ c_ip: '8.8.8.8' }))).toMatchObject({ country: 'US', country_name: 'United States', continent: 'NA', country_source: 'geoip' });
    expect(enrich(record({ c_ip: '2001:4860:4860::8888' }))).toMatchObject({ country: 'US', country_source: 'geoip' });
  });

  it('leaves the country empty for garbage or private IPs', () => {
    for (const ip of ['garbage', '10.0.0.1', '', '::1']) {
      expect(enrich(record({ c_ip: ip }))).toMatchObject({ country: '', country_name: '', continent: '', country_source: '' });
    }
  });

  it('sets the WebSocket flag and class', () => {
    const derived = enrich(record({ cs_protocol: 'wss', sc_status: 101, x_edge_result_type: 'Miss' }, '/socket'));
    expect(derived).toMatchObject({ is_websocket: 1, content_class: 'websocket', status_class: '1xx', cache_class: 'miss' });
  });

  it('classifies a viewer that closed early as 000', () => {
    expect(enrich(record({ sc_status: 0, x_edge_result_type: 'Error', x_edge_detailed_result_type: 'ClientCommError' }))).toMatchObject({
      status_class: '000',
      cache_class: 'error',
      geo_blocked: 0,
    });
  });

  it('detects streaming from CMCD fields', () => {
    const derived = enrich(
      record({ sc_content_type: 'video/mp4', cmcd_streaming_format: 'h', cmcd_object_type: 'v', x_edge_detailed_result_type: 'OriginShieldHit' }, '/v/seg_7.m4s'),
    );
    expect(derived).toMatchObject({ content_class: 'video_segment', streaming_format: 'hls', cache_class: 'origin_shield_hit' });
  });

  it('gives empty and unknown values for a record with no fields', () => {
    expect(enrich(record({}, null))).toEqual({
      distribution_id: '',
      sampling_rate: 50,
      source: 'realtime',
      uri_path: null,
      uri_query: null,
      country: '',
      country_name: '',
      continent: '',
      country_source: '',
      pop_code: '',
      pop_city: '',
      pop_country: '',
      pop_lat: null,
      pop_lon: null,
      cache_class: 'other',
      geo_blocked: 0,
      status_class: '',
      http_version: '',
      is_websocket: 0,
      content_class: 'other',
      streaming_format: '',
      device_type: 'empty',
      browser: '',
      os: '',
      is_bot: 0,
    });
  });

  it('passes the host header to the distribution resolver and uses the given source', () => {
    const seen: (string | null)[] = [];
    const custom = createEnricher({
      samplingRate: 100,
      source: 'kafka',
      resolveDistribution: (domain) => {
        seen.push(domain);
        return 'E1';
      },
    });
    expect(custom(record({ x_host_header: 'a.cloudfront.net' }))).toMatchObject({ distribution_id: 'E1', source: 'kafka', sampling_rate: 100 });
    expect(custom(record({}))).toMatchObject({ distribution_id: 'E1' });
    expect(seen).toEqual(['a.cloudfront.net', null]);
  });

  it('rejects a sampling rate outside 1–100', () => {
    for (const samplingRate of [0, 101, 12.5, Number.NaN]) {
      expect(() => createEnricher({ ...options, samplingRate })).toThrow(RangeError);
    }
  });

  it('never throws on hostile field values', () => {
    const hostile = ['', '-', '%', '\u0000', 'x'.repeat(20_000), '(((((((((((', '::::', '999.999.999.999'];
    for (const value of hostile) {
      const fields: Partial<Record<FieldColumn, FieldValue>> = {};
      for (const column of Object.keys(F) as FieldColumn[]) fields[column] = value;
      expect(() => enrich(record(fields, value, value))).not.toThrow();
    }
  });
});
