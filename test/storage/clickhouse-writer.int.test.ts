import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { F, FIELDS } from '../../processor/fields/catalogue.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { DataError, StorageWriteError, WriterStoppedError } from '../../processor/storage/errors.js';
import { DERIVED_COLUMNS, type RequestRow, type StoredDeadLetter } from '../../processor/storage/row-encoder.js';
import type { EnrichedRecord } from '../../processor/types.js';
import { hitRecord, makeRecord } from './records.js';
import { embedded, migrated, scalar, tempDataDir } from './storage-env.js';

const dataDir = tempDataDir('writer');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

// Minute 30 of the previous hour: inside every TTL (expired rows are dropped on insert) and
// leaving room for later minutes in the same hour.
const MINUTE_MS = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 60_000;
const bucketText = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const rowsOf = (records: readonly EnrichedRecord[], shardId = 'shardId-000000000001'): RequestRow[] =>
  records.map((enriched, i) => ({ enriched, shardId, sequenceNumber: String(1000 + i) }));

function deadLetter(line: number, input: string): StoredDeadLetter {
  return { line, reason: 'not an HTTP status: 2x0', field: 'sc-status', input, source: 'kinesis', stream: 'logs', shardId: 'shardId-000000000001', sequenceNumber: '77', receivedAtMs: MINUTE_MS };
}

const TRICKY = [
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'back\\slash',
  '\\N',
  '\\',
  '',
  'nul\0byte',
  'ünïcödé 日本語 😀',
  '\t\n\\N\\t',
];

describe('ClickHouseWriter round trip', () => {
  it('stores every column of enriched records exactly, tricky text included', async () => {
    const ch = await migrated(dataDir, 'w_roundtrip');
    const records = TRICKY.map((text, i) =>
      hitRecord(
        MINUTE_MS + i,
        {
          x_edge_request_id: `req-${i}`,
          cs_user_agent: text,
          cs_cookie: `${text}=${text}`,
          cs_headers: `Host:${text}`,
          cs_uri_query: text,
          cs_method: text, // LowCardinality(Nullable(String))
          cs_referer: null,
          sc_range_end: i === 0 ? Number.MAX_SAFE_INTEGER : null,
          origin_fbl: 0.125,
          cmcd_playback_rate: i === 1 ? -1.5 : null,
        },
        { uri_path: text, uri_query: i % 2 === 0 ? null : text, browser: text, pop_lat: i === 2 ? null : 37.5, pop_lon: i === 2 ? null : -122.25, geo_blocked: i === 3 ? 1 : 0 },
      ),
    );
    const writer = new ClickHouseWriter(ch);
    await writer.write({ token: 'roundtrip', rows: rowsOf(records, 'shard\twith tab'), deadLetters: [] });

    const stored = await ch.query<Record<string, unknown>>(
      `SELECT *, toUnixTimestamp64Milli(timestamp) AS timestamp_ms FROM ${ch.database}.requests ORDER BY x_edge_request_id
       SETTINGS output_format_json_quote_64bit_integers = 0`,
    );
    expect(stored).toHaveLength(records.length);
    stored.forEach((row, i) => {
      const rec = records[i];
      if (!rec) throw new Error('missing record');
      expect(row.timestamp_ms).toBe(rec.record.timestampMs);
      for (const field of FIELDS) {
        if (field.column === 'timestamp') continue;
        const value = rec.record.values[F[field.column as keyof typeof F]] ?? null;
        // Empty text is stored as NULL, as the parser reads an empty field (reference §1.2).
        expect(row[field.column], `${field.column} of row ${i}`).toEqual(value === '' ? null : value);
      }
      for (const column of DERIVED_COLUMNS) expect(row[column], `${column} of row ${i}`).toEqual(rec.derived[column]);
      expect(row.shard_id).toBe('shard\twith tab');
      expect(row.sequence_number).toBe(String(1000 + i));
    });
    await ch.close();
  });
});

describe('ClickHouseWriter rollups', () => {
  // Ten sampled requests at 10 % sampling: each stands for 10.
  function sampledMinute(): EnrichedRecord[] {
    const at = (i: number): number => MINUTE_MS + i * 1000;
    const sampled = { sampling_rate: 10 } as const;
    return [
      ...[0, 1, 2, 3].map((i) => hitRecord(at(i), { time_to_first_byte: 0.01 * (i + 1) }, sampled)),
      hitRecord(at(4), { x_edge_result_type: 'RefreshHit', x_edge_response_result_type: 'RefreshHit', x_edge_detailed_result_type: 'RefreshHit' }, { ...sampled, cache_class: 'refresh_hit' }),
      hitRecord(at(5), { x_edge_result_type: 'Miss', x_edge_response_result_type: 'Miss', x_edge_detailed_result_type: 'OriginShieldHit' }, { ...sampled, cache_class: 'origin_shield_hit' }),
      ...[6, 7].map((i) =>
        hitRecord(at(i), { x_edge_result_type: 'Miss', x_edge_response_result_type: 'Miss', x_edge_detailed_result_type: 'Miss', time_to_first_byte: 0.5 }, { ...sampled, cache_class: 'miss' }),
      ),
      hitRecord(at(8), { cs_method: 'POST', cs_bytes: 300, x_edge_result_type: 'Miss', x_edge_response_result_type: 'Miss', x_edge_detailed_result_type: 'Miss' }, { ...sampled, cache_class: 'miss' }),
      hitRecord(
        at(9),
        { sc_status: 403, x_edge_result_type: 'Error', x_edge_response_result_type: 'Error', x_edge_detailed_result_type: 'ClientGeoBlocked', time_to_first_byte: null },
        { ...sampled, cache_class: 'error', geo_blocked: 1, status_class: '4xx' },
      ),
      // A WebSocket connection lasting long: counted, but kept out of the latency digests.
      hitRecord(at(10), { time_to_first_byte: 100, time_taken: 600, x_edge_result_type: 'Miss', x_edge_response_result_type: 'Miss', x_edge_detailed_result_type: 'Miss' }, { ...sampled, cache_class: 'miss', is_websocket: 1, content_class: 'websocket' }),
    ];
  }

  const measures = `sum(sampled_requests) AS sampled_requests, sum(requests) AS requests, sum(sampled_bytes) AS sampled_bytes,
    sum(bytes) AS bytes, sum(requests_var) AS requests_var, sum(ratio_requests) AS ratio_requests, sum(hits) AS hits,
    sum(hit_bytes) AS hit_bytes, sum(misses) AS misses, sum(cacheable_requests) AS cacheable_requests,
    sum(cacheable_hits) AS cacheable_hits, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx,
    sum(geo_blocked) AS geo_blocked,
    quantilesTDigestWeightedMerge(0.5, 0.99)(ttfb_digest) AS ttfb, quantileTDigestWeightedMerge(0.99)(time_taken_digest) AS time_taken_p99`;

  it('extrapolate by sampling rate and hold the cache, status and geo measures in every rollup', async () => {
    const ch = await migrated(dataDir, 'w_rollup');
    const writer = new ClickHouseWriter(ch);
    const records = sampledMinute();
    await writer.write({ token: 'rollup', rows: rowsOf(records), deadLetters: [] });

    for (const [table, where] of [
      ['requests_1m', ''],
      ['requests_1h', ''],
      ['requests_1m_dim', " AND dimension = 'all'"],
      ['requests_1h_dim', " AND dimension = 'all'"],
    ] as const) {
      const rows = await ch.query<Record<string, number | number[]>>(
        `SELECT ${measures} FROM ${ch.database}.${table} WHERE distribution_id = {d:String}${where}
         SETTINGS output_format_json_quote_64bit_integers = 0`,
        { d: 'E2QWRUHAPOMQZL' },
      );
      const m = rows[0];
      if (!m) throw new Error(`no rows in ${table}`);
      expect(m.sampled_requests, table).toBe(11);
      expect(m.requests, table).toBeCloseTo(110, 6);
      expect(m.requests_var, table).toBeCloseTo(11 * 10 * 9, 6);
      expect(m.sampled_bytes, table).toBe(11_000);
      expect(m.bytes, table).toBeCloseTo(110_000, 6);
      // Ratios leave the WebSocket out.
      expect(m.ratio_requests, table).toBeCloseTo(100, 6);
      // hit ×4, refresh_hit, origin_shield_hit
      expect(m.hits, table).toBeCloseTo(60, 6);
      expect(m.hit_bytes, table).toBeCloseTo(60_000, 6);
      // two misses and the POST
      expect(m.misses, table).toBeCloseTo(30, 6);
      // everything but the POST, the geo-blocked error and the WebSocket
      expect(m.cacheable_requests, table).toBeCloseTo(80, 6);
      expect(m.cacheable_hits, table).toBeCloseTo(60, 6);
      expect(m.status_4xx, table).toBeCloseTo(10, 6);
      expect(m.status_5xx, table).toBe(0);
      expect(m.geo_blocked, table).toBeCloseTo(10, 6);
      const [p50, p99] = m.ttfb as number[];
      expect(p50).toBeGreaterThanOrEqual(0.002);
      expect(p50).toBeLessThanOrEqual(0.5);
      expect(p99).toBeGreaterThanOrEqual(p50 ?? 0);
      expect(p99).toBeLessThanOrEqual(0.5); // the WebSocket's 100 s is left out
      expect(m.time_taken_p99).toBeLessThanOrEqual(0.005);
    }
    await ch.close();
  });

  it('keys rows by minute, POP, country and classes', async () => {
    const ch = await migrated(dataDir, 'w_rollup_keys');
    const writer = new ClickHouseWriter(ch);
    await writer.write({
      token: 'keys',
      rows: rowsOf([
        hitRecord(MINUTE_MS, {}, { country: 'US' }),
        hitRecord(MINUTE_MS + 61_000, { x_edge_location: 'FRA56-P1' }, { country: 'DE', continent: 'EU', pop_code: 'FRA' }),
        makeRecord(MINUTE_MS + 62_000, { x_edge_location: null, cache_behavior_path_pattern: null }, { pop_code: '' }),
      ]),
      deadLetters: [],
    });
    const rows = await ch.query<{ bucket: string; x_edge_location: string; country: string; n: string }>(
      `SELECT bucket, x_edge_location, country, sum(sampled_requests) AS n FROM ${ch.database}.requests_1m
       GROUP BY bucket, x_edge_location, country ORDER BY bucket, x_edge_location`,
    );
    expect(rows).toEqual([
      { bucket: bucketText(MINUTE_MS), x_edge_location: 'SFO5-C1', country: 'US', n: '1' },
      { bucket: bucketText(MINUTE_MS + 60_000), x_edge_location: '', country: 'US', n: '1' },
      { bucket: bucketText(MINUTE_MS + 60_000), x_edge_location: 'FRA56-P1', country: 'DE', n: '1' },
    ]);
    expect(await scalar(ch, `SELECT count() AS v FROM (SELECT bucket FROM ${ch.database}.requests_1h GROUP BY bucket)`)).toBe(1);
    await ch.close();
  });
});

describe('ClickHouseWriter deduplication', () => {
  it('stores a replayed batch (same token) once, in requests, rollups and dead letters', async () => {
    const ch = await migrated(dataDir, 'w_dedup');
    const writer = new ClickHouseWriter(ch);
    const batch = {
      token: 'range-a',
      rows: rowsOf([hitRecord(MINUTE_MS), hitRecord(MINUTE_MS + 1), hitRecord(MINUTE_MS + 2)]),
      deadLetters: [deadLetter(4, 'garbage line')],
    };
    await writer.write(batch);
    await writer.write(batch);
    const db = ch.database;
    expect(await scalar(ch, `SELECT count() AS v FROM ${db}.requests`)).toBe(3);
    expect(await scalar(ch, `SELECT sum(sampled_requests) AS v FROM ${db}.requests_1m`)).toBe(3);
    expect(await scalar(ch, `SELECT sum(sampled_requests) AS v FROM ${db}.requests_1h`)).toBe(3);
    expect(await scalar(ch, `SELECT count() AS v FROM ${db}.dead_letters`)).toBe(1);

    await writer.write({ ...batch, token: 'range-b' });
    expect(await scalar(ch, `SELECT count() AS v FROM ${db}.requests`)).toBe(6);
    expect(await scalar(ch, `SELECT sum(sampled_requests) AS v FROM ${db}.requests_1m`)).toBe(6);
    expect(await scalar(ch, `SELECT sum(sampled_requests) AS v FROM ${db}.requests_1h`)).toBe(6);
    expect(await scalar(ch, `SELECT count() AS v FROM ${db}.dead_letters`)).toBe(2);
    await ch.close();
  });
});

describe('ClickHouseWriter dead letters', () => {
  it('stores dead letters with their raw input, alone or next to rows', async () => {
    const ch = await migrated(dataDir, 'w_dead');
    const writer = new ClickHouseWriter(ch);
    const input = '1600299221.087\t192.0.2.1\t2x0\n\\N ünï';
    await writer.write({ token: 'dl-only', rows: [], deadLetters: [deadLetter(3, input)] });
    await writer.write({ token: 'mixed', rows: rowsOf([hitRecord(MINUTE_MS)]), deadLetters: [deadLetter(9, 'x')] });
    const stored = await ch.query<Record<string, unknown>>(
      `SELECT toUnixTimestamp64Milli(received_at) AS received_ms, source, stream, shard_id, sequence_number, line, field, reason, input
       FROM ${ch.database}.dead_letters ORDER BY line SETTINGS output_format_json_quote_64bit_integers = 0`,
    );
    expect(stored).toEqual([
      { received_ms: MINUTE_MS, source: 'kinesis', stream: 'logs', shard_id: 'shardId-000000000001', sequence_number: '77', line: 3, field: 'sc-status', reason: 'not an HTTP status: 2x0', input },
      expect.objectContaining({ line: 9, input: 'x' }),
    ]);
    expect(writer.stats()).toMatchObject({ batchesWritten: 2, rowsWritten: 1, deadLettersWritten: 2, insertErrors: 0 });
    await ch.close();
  });
});

describe('ClickHouseWriter errors', () => {
  it('throws DataError for rows ClickHouse cannot parse, without retrying', async () => {
    const ch = await migrated(dataDir, 'w_data_error');
    const writer = new ClickHouseWriter(ch, { initialBackoffMs: 1 });
    // Log fields reach ClickHouse as validated text; a derived value out of its column's range is
    // what a bug upstream could still produce.
    const corrupt = hitRecord(MINUTE_MS, {}, { sampling_rate: Number.NaN });
    const error = await writer.write({ token: 'corrupt', rows: rowsOf([hitRecord(MINUTE_MS), corrupt]), deadLetters: [] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).token).toBe('corrupt');
    expect((error as DataError).table).toBe(`${ch.database}.requests`);
    expect((error as DataError).clickhouseCode).toEqual(expect.any(Number));
    expect(writer.stats()).toMatchObject({ insertErrors: 1, retries: 0, dataErrors: 1, rowsWritten: 0 });
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.requests`)).toBe(0);
    await ch.close();
  });

  it('retries retriable failures with backoff until the insert succeeds', async () => {
    const ch = await migrated(dataDir, 'w_retry');
    let failures = 2;
    // Fault injection in front of the real engine: the connection resets twice.
    const flaky: ClickHouse = {
      ...ch,
      insertTsvSelect: (...args) => {
        if (failures-- > 0) return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        return ch.insertTsvSelect(...args);
      },
    };
    const warnings: object[] = [];
    const writer = new ClickHouseWriter(flaky, { initialBackoffMs: 1, maxBackoffMs: 5, logger: { warn: (fields) => warnings.push(fields) } });
    await writer.write({ token: 'flaky', rows: rowsOf([hitRecord(MINUTE_MS)]), deadLetters: [] });
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.requests`)).toBe(1);
    expect(writer.stats()).toMatchObject({ insertErrors: 2, retries: 2, rowsWritten: 1 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ component: 'clickhouse-writer', errorClass: 'retriable', token: 'flaky' });
    await ch.close();
  });

  it('gives up on errors that are neither retriable nor data errors after a few attempts', async () => {
    const ch = embedded(dataDir, 'w_missing_tables'); // never migrated: the tables do not exist
    const writer = new ClickHouseWriter(ch, { initialBackoffMs: 1, maxUnknownAttempts: 2 });
    const error = await writer.write({ token: 'nowhere', rows: rowsOf([hitRecord(MINUTE_MS)]), deadLetters: [] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StorageWriteError);
    expect((error as StorageWriteError).attempts).toBe(2);
    expect(writer.stats()).toMatchObject({ insertErrors: 2, retries: 1 });
    await ch.close();
  });

  it('stops retrying on stop() and reports the batch as not stored', async () => {
    const ch = await migrated(dataDir, 'w_stop');
    const refuse = (): Promise<never> => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    const down: ClickHouse = { ...ch, insertTsv: refuse, insertTsvSelect: refuse };
    const writer = new ClickHouseWriter(down, { initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
    const pending = writer.write({ token: 'during-outage', rows: rowsOf([hitRecord(MINUTE_MS)]), deadLetters: [] }).catch((err: unknown) => err);
    while (writer.stats().retries === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await writer.stop();
    expect(await pending).toBeInstanceOf(WriterStoppedError);
    await expect(writer.write({ token: 'after-stop', rows: rowsOf([hitRecord(MINUTE_MS)]), deadLetters: [] })).rejects.toBeInstanceOf(WriterStoppedError);
    await ch.close();
  });

  it('bounds the inserts in flight and measures how long callers waited', async () => {
    const ch = await migrated(dataDir, 'w_inflight');
    const writer = new ClickHouseWriter(ch, { maxInFlight: 1 });
    const batches = [0, 1, 2].map((i) => ({ token: `inflight-${i}`, rows: rowsOf([hitRecord(MINUTE_MS + i)]), deadLetters: [] }));
    const writes = batches.map((b) => writer.write(b));
    expect(writer.stats()).toMatchObject({ inFlight: 1, waiting: 2 });
    await Promise.all(writes);
    expect(writer.stats().waitMsTotal).toBeGreaterThan(0);
    expect(writer.stats().lastInsertAtMs).toEqual(expect.any(Number));
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.requests`)).toBe(3);
    await ch.close();
  });
});
