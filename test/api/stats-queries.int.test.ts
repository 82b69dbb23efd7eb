import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { parseFilters, type Filters } from '../../api/query/filters.js';
import { StatsQueries } from '../../api/stats/stats-queries.js';
import { StatsService } from '../../api/stats/stats-service.js';
import { insertRequestRows, type RequestRowSpec } from '../support/request-rows.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';

const HOUR = 3_600_000;
const dataDir = tempDataDir('stats-queries');
// Whole hours back from now, so rows are inside every retention window.
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const at = (ms: number): string => new Date(T0 + ms).toISOString().replace('T', ' ').replace('Z', '');

let ch: ClickHouse;
let queries: StatsQueries;

const ids = (x: string): string => x;
const filters = (query: Record<string, string>): Filters => parseFilters(query, ids);
const range = (fromMs: number, toMs: number, extra: Record<string, string> = {}): Filters =>
  filters({ from: String(T0 + fromMs), to: String(T0 + toMs), ...extra });

/** Seven requests whose figures are worked out by hand in the tests below. */
const HAND_ROWS: RequestRowSpec[] = [
  { timestamp: at(1_000), cache_class: 'hit', sc_bytes: 1000, time_to_first_byte: 0.01, country: 'US', pop_code: 'IAD' },
  { timestamp: at(2_000), cache_class: 'miss', sc_bytes: 3000, time_to_first_byte: 0.1, country: 'US', pop_code: 'IAD' },
  { timestamp: at(3_000), cs_method: 'POST', sc_status: 201, cache_class: 'miss', sc_bytes: 500, country: 'DE', pop_code: 'FRA' },
  { timestamp: at(4_000), sc_status: 403, cache_class: 'error', geo_blocked: 1, sc_bytes: 200, country: 'CN', pop_code: 'HKG' },
  { timestamp: at(5_000), sampling_rate: 50, cache_class: 'refresh_hit', sc_bytes: 2000, country: 'FR', pop_code: 'CDG' },
  { timestamp: at(6_000), sc_status: 101, is_websocket: 1, cache_class: 'miss', sc_bytes: 100, country: 'US', pop_code: 'IAD' },
  { timestamp: at(7_000), sampling_rate: 10, sc_status: 503, cache_class: 'origin_shield_hit', sc_bytes: 4000, country: 'US', pop_code: 'IAD' },
];

beforeAll(async () => {
  ch = await migrated(dataDir, 'stats');
  queries = new StatsQueries(new StatsService({ clickhouse: ch }));
  await insertRequestRows(ch, HAND_ROWS);
  // A day-later block for weighted percentiles: 100 fast rows at 100 % and one slow row at 1 %.
  await insertRequestRows(ch, [
    ...Array.from({ length: 100 }, (_, i) => ({ timestamp: at(2 * HOUR + i * 10), distribution_id: 'E2PCTL', time_to_first_byte: 0.01, sc_bytes: 10 })),
    { timestamp: at(2 * HOUR + 5_000), distribution_id: 'E2PCTL', sampling_rate: 1, time_to_first_byte: 1.0, sc_bytes: 10 },
  ]);
  // Spread rows for rollup/raw agreement: every 37 s over 4 h, varied classes.
  const spread: RequestRowSpec[] = [];
  const classes = ['hit', 'miss', 'refresh_hit', 'error', 'origin_shield_hit'];
  for (let i = 0; i < 400; i++) {
    spread.push({
      timestamp: at(HOUR / 2 + i * 37_000 + 123),
      distribution_id: 'E2SPREAD',
      sampling_rate: i % 7 === 0 ? 25 : 100,
      cache_class: classes[i % classes.length]!,
      sc_status: i % 11 === 0 ? 404 : i % 13 === 0 ? 502 : 200,
      sc_bytes: 100 + i,
      time_to_first_byte: (i % 50) / 100,
      time_taken: (i % 70) / 100,
      origin_fbl: i % 3 === 0 ? (i % 40) / 100 : null,
      country: ['US', 'DE', 'JP', 'BR'][i % 4]!,
      pop_code: ['IAD', 'FRA', 'NRT', 'GRU'][i % 4]!,
      is_websocket: i % 29 === 0 ? 1 : 0,
      cs_method: i % 17 === 0 ? 'PUT' : 'GET',
      uri_path: `/p/${i % 9}`,
    });
  }
  await insertRequestRows(ch, spread);
  // Rows every 10 min over the 60 h before T0, so a range holds a whole UTC day (the day rollup).
  const days: RequestRowSpec[] = [];
  for (let i = 0; i < 360; i++) {
    days.push({
      timestamp: at(-60 * HOUR + i * 600_000 + 4_321),
      distribution_id: 'E2DAYS',
      sampling_rate: i % 5 === 0 ? 20 : 100,
      cache_class: classes[i % classes.length]!,
      sc_status: i % 9 === 0 ? 503 : 200,
      sc_bytes: 500 + i,
      time_to_first_byte: (i % 40) / 100,
      time_taken: (i % 60) / 100,
      origin_fbl: i % 2 === 0 ? (i % 30) / 100 : null,
      country: ['US', 'DE', 'JP'][i % 3]!,
      pop_code: ['IAD', 'FRA', 'NRT'][i % 3]!,
    });
  }
  await insertRequestRows(ch, days);
});

afterAll(async () => {
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('summary definitions (hand-computed)', () => {
  it('extrapolates by sampling rate and computes every ratio as defined', async () => {
    const s = await queries.summary(range(0, 60_000, { distribution: 'E2TESTDIST0001' }), 'auto');
    expect(s.plan).toBe('rollup');
    expect(s.requests).toBeCloseTo(17, 9); // 1+1+1+1+2+1+10
    expect(s.sampled).toEqual({ requests: 7, bytes: 10_800 });
    expect(s.bytes).toBeCloseTo(48_800, 6); // 1000+3000+500+200+2·2000+100+10·4000
    expect(s.cacheHitRatio).toBeCloseTo(13 / 14, 12); // hits 1+2+10 over cacheable GETs 1+1+2+10
    expect(s.edgeHitRatio).toBeCloseTo(13 / 16, 12); // WebSocket row left out
    expect(s.byteHitRatio).toBeCloseTo(45_000 / 48_700, 12);
    expect(s.errorRate4xx).toBeCloseTo(1 / 17, 12);
    expect(s.errorRate5xx).toBeCloseTo(10 / 17, 12);
    expect(s.geoBlocked).toBe(1);
    expect(s.requestsPerSecond).toBeCloseTo(17 / 60, 12);
    // Var = Σ w(w−1) = 2·1 + 10·9 = 92; lower end clamps to the logged count.
    const half = 1.959963984540054 * Math.sqrt(92);
    expect(s.interval95?.requests[0]).toBe(7);
    expect(s.interval95?.requests[1]).toBeCloseTo(17 + half, 9);
    const bytesHalf = 1.959963984540054 * Math.sqrt(2 * 2000 ** 2 + 90 * 4000 ** 2);
    expect(s.interval95?.bytes[1]).toBeCloseTo(48_800 + bytesHalf, 6);
  });

  it('has no interval at 100 % sampling and null ratios without data', async () => {
    const full = await queries.summary(range(0, 60_000, { distribution: 'E2TESTDIST0001', country: 'DE' }), 'auto');
    expect(full.requests).toBe(1);
    expect(full.interval95).toBeNull();
    const empty = await queries.summary(range(0, 60_000, { distribution: 'E2NOTHING' }), 'auto');
    expect(empty.requests).toBe(0);
    expect(empty.cacheHitRatio).toBeNull();
    expect(empty.ttfbMs).toEqual({ p50: null, p95: null, p99: null });
  });

  it('weights percentiles by 100 / sampling rate', async () => {
    const s = await queries.summary(range(2 * HOUR, 2 * HOUR + 60_000, { distribution: 'E2PCTL' }), 'auto');
    // 100 rows at 10 ms (w=1) and one row at 1000 ms standing for 100 requests: half the weight is slow.
    expect(s.requests).toBe(200);
    expect(s.ttfbMs.p95).toBeCloseTo(1000, 0);
    expect(s.ttfbMs.p99).toBeCloseTo(1000, 0);
    expect(s.ttfbMs.p50).toBeLessThan(1000);
  });
});

describe('rollup and raw plans agree', () => {
  // Ends off minute and hour boundaries, so every kind of segment is used.
  const from = HOUR / 2 + 17_000;
  const to = 4 * HOUR + 31_500;
  const close = (a: number | null, b: number | null): void => {
    if (a === null || b === null) return expect(a).toBe(b);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  };

  it.each([
    ['the dim rollups (no dimension)', {}, ['requests', 'requests_1m_dim', 'requests_1h_dim']],
    ['the dim rollups (one dimension)', { country: 'US,DE' }, ['requests', 'requests_1m_dim', 'requests_1h_dim']],
    ['the full rollups (two dimensions)', { country: 'US,DE', cacheStatus: 'hit,miss,error' }, ['requests', 'requests_1m', 'requests_1h']],
  ])('summary from %s', async (_name, extra: Record<string, string>, tables) => {
    const f = range(from, to, { distribution: 'E2SPREAD', ...extra });
    const rollup = await queries.summary(f, 'auto');
    const raw = await queries.summary(f, 'raw');
    expect(rollup.plan).toBe('rollup');
    expect([...rollup.tables].sort()).toEqual([...tables].sort());
    expect(raw.plan).toBe('raw');
    expect(raw.tables).toEqual(['requests']);
    expect(raw.sampled.requests).toBeGreaterThan(Object.keys(extra).length > 0 ? 50 : 300);
    for (const key of ['requests', 'bytes', 'cacheHitRatio', 'edgeHitRatio', 'byteHitRatio', 'errorRate4xx', 'errorRate5xx', 'geoBlocked'] as const) {
      close(rollup[key], raw[key]);
    }
    expect(rollup.sampled).toEqual(raw.sampled);
    close(rollup.interval95?.requests[1] ?? null, raw.interval95?.requests[1] ?? null);
    // t-digests merged in another order agree within the digest's accuracy.
    for (const key of ['ttfbMs', 'timeTakenMs', 'originLatencyMs'] as const) {
      for (const p of ['p50', 'p95', 'p99'] as const) {
        expect(Math.abs((rollup[key][p] ?? 0) - (raw[key][p] ?? 0))).toBeLessThanOrEqual(40);
      }
    }
  });

  it.each([
    ['no dimension', {}],
    ['one dimension', { country: 'US' }],
  ])('summary over days from the day rollup (%s)', async (_name, extra: Record<string, string>) => {
    const f = range(-60 * HOUR + 17_000, 31_500, { distribution: 'E2DAYS', ...extra });
    const rollup = await queries.summary(f, 'auto');
    const raw = await queries.summary(f, 'raw');
    expect(rollup.tables).toContain('requests_1d_dim');
    expect(rollup.sampled).toEqual(raw.sampled);
    expect(raw.sampled.requests).toBeGreaterThan(100);
    for (const key of ['requests', 'bytes', 'cacheHitRatio', 'edgeHitRatio', 'byteHitRatio', 'errorRate4xx', 'errorRate5xx', 'geoBlocked'] as const) {
      close(rollup[key], raw[key]);
    }
    for (const key of ['ttfbMs', 'timeTakenMs', 'originLatencyMs'] as const) {
      for (const p of ['p50', 'p95', 'p99'] as const) {
        expect(Math.abs((rollup[key][p] ?? 0) - (raw[key][p] ?? 0))).toBeLessThanOrEqual(40);
      }
    }
    const daily = await queries.timeseries(f, 'auto', { metric: 'requests', interval: '1d', top: 5, percentile: 'p95' });
    const dailyRaw = await queries.timeseries(f, 'raw', { metric: 'requests', interval: '1d', top: 5, percentile: 'p95' });
    expect(daily.tables).toContain('requests_1d_dim');
    daily.series[0]!.points.forEach((p, i) => close(p.value, dailyRaw.series[0]!.points[i]!.value));
  });

  it('timeseries, top and geo', async () => {
    const f = range(from, to, { distribution: 'E2SPREAD' });
    const ts = await queries.timeseries(f, 'auto', { metric: 'requests', interval: '1h', top: 5, percentile: 'p95' });
    const tsRaw = await queries.timeseries(f, 'raw', { metric: 'requests', interval: '1h', top: 5, percentile: 'p95' });
    expect(ts.plan).toBe('rollup');
    expect(ts.series[0]!.points.map((p) => p.t)).toEqual(tsRaw.series[0]!.points.map((p) => p.t));
    ts.series[0]!.points.forEach((p, i) => close(p.value, tsRaw.series[0]!.points[i]!.value));
    const total = ts.series[0]!.points.reduce((sum, p) => sum + (p.value ?? 0), 0);
    close(total, (await queries.summary(f, 'raw')).requests);

    const grouped = await queries.timeseries(f, 'auto', { metric: 'cacheHitRatio', interval: '15m', groupBy: 'country', top: 2, percentile: 'p95' });
    const groupedRaw = await queries.timeseries(f, 'raw', { metric: 'cacheHitRatio', interval: '15m', groupBy: 'country', top: 2, percentile: 'p95' });
    expect(grouped.series.map((s) => s.key)).toEqual(groupedRaw.series.map((s) => s.key));
    expect(grouped.series.at(-1)).toMatchObject({ key: 'other', other: true });
    grouped.series.forEach((s, i) => s.points.forEach((p, j) => close(p.value, groupedRaw.series[i]!.points[j]!.value)));

    const top = await queries.top(f, 'auto', 'country', 'requests', 10);
    const topRaw = await queries.top(f, 'raw', 'country', 'requests', 10);
    expect(top.plan).toBe('rollup');
    expect(top.rows.map((r) => r.value)).toEqual(topRaw.rows.map((r) => r.value));
    top.rows.forEach((r, i) => close(r.hitRatio, topRaw.rows[i]!.hitRatio));
    expect(top.distinctValues).toBe(4);

    const geo = await queries.geo(f, 'auto');
    const geoRaw = await queries.geo(f, 'raw');
    expect(geo.countries.map((c) => c.country)).toEqual(geoRaw.countries.map((c) => c.country));
    geo.countries.forEach((c, i) => close(c.requests, geoRaw.countries[i]!.requests));
    const iad = geo.pops.find((p) => p.pop === 'IAD');
    expect(iad?.city).not.toBe('');
    expect(typeof iad?.lat).toBe('number');
    expect(typeof iad?.lon).toBe('number');
  });

  it('raw-only filters and dimensions go to raw rows', async () => {
    const f = range(from, to, { distribution: 'E2SPREAD', method: 'PUT' });
    const s = await queries.summary(f, 'auto');
    expect(s.plan).toBe('raw');
    expect(s.sampled.requests).toBeGreaterThan(0);
    const uris = await queries.top(range(from, to, { distribution: 'E2SPREAD' }), 'auto', 'missedUris', 'requests', 3);
    expect(uris.plan).toBe('raw');
    expect(uris.orderBy).toBe('misses');
    expect(uris.rows.length).toBe(3);
    expect(uris.rows[0]!.misses).toBeGreaterThanOrEqual(uris.rows[1]!.misses);
  });
});

describe('compare', () => {
  it('counts rates and buckets up to now when a range reaches past it', async () => {
    // The clock stands 30 s into the hand rows' minute; the range runs an hour past it.
    const at30s = new StatsQueries(new StatsService({ clickhouse: ch }), () => T0 + 30_000);
    const s = await at30s.summary(range(0, HOUR, { distribution: 'E2TESTDIST0001' }), 'auto');
    expect(s.requests).toBeCloseTo(17, 9);
    expect(s.requestsPerSecond).toBeCloseTo(17 / 30, 12);
    const series = await at30s.timeseries(range(0, HOUR, { distribution: 'E2TESTDIST0001' }), 'auto', { metric: 'requestsPerSecond', interval: '1m', top: 5, percentile: 'p95' });
    // One bucket (the minute now is in), whose rate counts its 30 elapsed seconds; none after it.
    const points = series.series[0]!.points;
    expect(points.map((p) => p.t)).toEqual([new Date(T0).toISOString()]);
    expect(points[0]!.value).toBeCloseTo(17 / 30, 12);
    // Compared for the 30 s that passed: the earlier period is as long, so the hour does not overlap it.
    const compared = await at30s.compare(range(0, HOUR, { distribution: 'E2TESTDIST0001' }), 'auto', '1h');
    expect(compared.current.requestsPerSecond).toBeCloseTo(17 / 30, 12);
    expect(compared.previous.to).toBe(new Date(T0 + 30_000 - HOUR).toISOString());
  });

  it('compares with an earlier period and refuses overlapping ones', async () => {
    const c = await queries.compare(range(2 * HOUR, 2 * HOUR + 60_000, { distribution: 'E2PCTL' }), 'auto', '1h');
    expect(c.current.requests).toBe(200);
    expect(c.previous.requests).toBe(0);
    expect(c.delta.requests).toEqual({ absolute: 200, relative: null });
    await expect(queries.compare(range(0, 2 * HOUR), 'auto', '1h')).rejects.toMatchObject({ statusCode: 400, parameter: 'previous' });
  });
});
