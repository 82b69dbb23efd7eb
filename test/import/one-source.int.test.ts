/**
 * Where one distribution and hour hold both imported standard-log rows and real-time rows, queries
 * count one source — the standard logs, which are complete — never the sum, whether raw rows or the
 * rollups answer; a request that names a source gets that source. Hours without standard logs count
 * their real-time rows.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilters, type Filters } from '../../api/query/filters.js';
import { StatsQueries } from '../../api/stats/stats-queries.js';
import { StatsService } from '../../api/stats/stats-service.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { insertRequestRows, type RequestRowSpec } from '../support/request-rows.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dataDir = tempDataDir('one-source');
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const at = (ms: number): string => new Date(T0 + ms).toISOString().replace('T', ' ').replace('Z', '');
let ch: ClickHouse;
let queries: StatsQueries;

const range = (fromMs: number, toMs: number, extra: Record<string, string> = {}): Filters =>
  parseFilters({ from: String(T0 + fromMs), to: String(T0 + toMs), distribution: 'E2BOTH', ...extra }, (x) => x);

const rows = (n: number, hour: number, source: string, samplingRate: number): RequestRowSpec[] =>
  Array.from({ length: n }, (_, i) => ({ timestamp: at(hour * HOUR + 1000 + i * 7_000), distribution_id: 'E2BOTH', source, sampling_rate: samplingRate, sc_bytes: 100 }));

// A whole UTC day three days back, which a multi-day range reads from the day rollup rows.
const D0 = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
const dayRows = (n: number, hour: number, source: string, samplingRate: number): RequestRowSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    timestamp: new Date(D0 + hour * HOUR + 1000 + i * 7_000).toISOString().replace('T', ' ').replace('Z', ''),
    distribution_id: 'E2DAYS',
    source,
    sampling_rate: samplingRate,
    sc_bytes: 100,
  }));

beforeAll(async () => {
  ch = await migrated(dataDir, 'edgewatch');
  queries = new StatsQueries(new StatsService({ clickhouse: ch }));
  // The same traffic in the middle of a day: 05:00 has standard logs and real-time rows, 07:00 real-time rows only.
  await insertRequestRows(ch, [...dayRows(40, 5, 'standard', 100), ...dayRows(4, 5, 'realtime', 10), ...dayRows(5, 7, 'realtime', 10)]);
  // Hour 0: 40 standard-log rows (complete) and 4 real-time rows at 10 % (≈ 40 requests): both describe the same traffic.
  // Hour 1: real-time rows only, 5 at 10 % (= 50 requests).
  await insertRequestRows(ch, [...rows(40, 0, 'standard', 100), ...rows(4, 0, 'realtime', 10), ...rows(5, 1, 'realtime', 10)]);
});

afterAll(async () => {
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('one source per distribution and hour', () => {
  it('counts standard logs where they exist and real-time rows elsewhere, from rollups and from raw rows alike', async () => {
    for (const mode of ['auto', 'raw'] as const) {
      const whole = await queries.summary(range(0, 2 * HOUR), mode);
      expect(whole.plan).toBe(mode === 'auto' ? 'rollup' : 'raw');
      expect(whole.requests, mode).toBeCloseTo(40 + 50, 9);
      expect(whole.sampled.requests, mode).toBe(40 + 5);
      // A range that starts and ends inside minutes: raw rows, minute and hour rollups together.
      const partial = await queries.summary(range(500, HOUR + 30 * 60_000 + 500), mode);
      expect(partial.sampled.requests, mode).toBe(40 + 5);
    }
  });

  it('gives the named source when the request names one', async () => {
    for (const mode of ['auto', 'raw'] as const) {
      const realtime = await queries.summary(range(0, 2 * HOUR, { source: 'realtime' }), mode);
      expect(realtime.requests, mode).toBeCloseTo(40 + 50, 9);
      expect(realtime.sampled.requests, mode).toBe(9);
      const standard = await queries.summary(range(0, 2 * HOUR, { source: 'standard' }), mode);
      expect(standard.sampled.requests, mode).toBe(40);
      const both = await queries.summary(range(0, 2 * HOUR, { source: 'realtime,standard' }), mode);
      expect(both.sampled.requests, mode).toBe(49);
    }
    // A named source is answered from the rollups, which now hold it.
    expect((await queries.summary(range(0, 2 * HOUR, { source: 'standard' }), 'auto')).plan).toBe('rollup');
  });

  it('counts one source in an hour inside a whole day, which a day rollup row would sum with the standard logs', async () => {
    const days = (extra: Record<string, string> = {}): Filters =>
      parseFilters({ from: String(D0 - DAY), to: String(D0 + 2 * DAY), distribution: 'E2DAYS', ...extra }, (x) => x);
    for (const mode of ['auto', 'raw'] as const) {
      const whole = await queries.summary(days(), mode);
      expect(whole.requests, mode).toBeCloseTo(40 + 50, 9);
      expect(whole.sampled.requests, mode).toBe(40 + 5);
      // A breakdown by a dim-rollup dimension reads the same rows.
      const byCache = await queries.top(days(), mode, 'cacheBehavior', 'requests', 10);
      expect(byCache.rows.reduce((n, r) => n + r.sampledRequests, 0), mode).toBe(40 + 5);
    }
    // Without standard hours in a range, whole days come from the day rows.
    const realtime = await queries.summary(days({ source: 'realtime' }), 'auto');
    expect(realtime.tables).toContain('requests_1d_dim');
    expect(realtime.sampled.requests).toBe(9);
  });

  it('costs one statement where no standard logs are in the range, and asks again where they are', async () => {
    const statements = async (run: () => Promise<unknown>): Promise<number> => {
      const before = ch.queueStats().completed;
      await run();
      return ch.queueStats().completed - before;
    };
    let realtimeOnly: Awaited<ReturnType<StatsQueries['summary']>> | undefined;
    expect(await statements(async () => (realtimeOnly = await queries.summary(range(HOUR, 2 * HOUR), 'auto')))).toBe(1);
    expect(realtimeOnly?.requests).toBeCloseTo(50, 9);
    // The statement finds standard hours: the request again, built for them.
    expect(await statements(() => queries.summary(range(0, 2 * HOUR), 'auto'))).toBe(2);
    // The same for a statement with several rows, each carrying the probe.
    let top: Awaited<ReturnType<StatsQueries['top']>> | undefined;
    expect(await statements(async () => (top = await queries.top(range(0, HOUR), 'auto', 'country', 'requests', 10)))).toBe(2);
    expect(top?.rows.reduce((n, r) => n + r.sampledRequests, 0)).toBe(40);
    // No row to say: the lookup decides, and nothing runs again where it finds none.
    expect(await statements(async () => (top = await queries.top(range(3 * HOUR, 4 * HOUR), 'auto', 'country', 'requests', 10)))).toBe(2);
    expect(top?.rows).toEqual([]);
    // Standard-log rows only in the range: the real-time statement has no row, the lookup finds them.
    await insertRequestRows(ch, rows(6, 4, 'standard', 100));
    expect(await statements(async () => (top = await queries.top(range(4 * HOUR, 5 * HOUR), 'auto', 'country', 'requests', 10)))).toBe(3);
    expect(top?.rows.reduce((n, r) => n + r.sampledRequests, 0)).toBe(6);
  });
});
