/**
 * The stats additions the dashboard uses: CMCD video statistics, the two-dimension breakdown,
 * several percentiles in one timeseries and top-N series ranked by a measure. Hand-made rows with
 * figures worked out below, against embedded ClickHouse, through the queries and through the routes.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../api/auth/token-store.js';
import { parseFilters, type Filters } from '../../api/query/filters.js';
import { buildApp } from '../../api/server.js';
import { distributionResolver } from '../../api/stats/distribution-resolver.js';
import { StatsQueries, type BreakdownResponse, type TimeseriesResponse } from '../../api/stats/stats-queries.js';
import { statsRoutes } from '../../api/stats/stats-routes.js';
import { StatsService } from '../../api/stats/stats-service.js';
import type { VideoStatsResponse } from '../../api/stats/video-stats.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { insertRequestRows, type RequestRowSpec } from '../support/request-rows.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const VIEWER = 'viewer-token-additions-0123456789';
const dataDir = tempDataDir('stats-additions');
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const at = (ms: number): string => new Date(T0 + ms).toISOString().replace('T', ' ').replace('Z', '');

let ch: ClickHouse;
let queries: StatsQueries;
let app: FastifyInstance;

const range = (fromMs: number, toMs: number, extra: Record<string, string> = {}): Filters =>
  parseFilters({ from: String(T0 + fromMs), to: String(T0 + toMs), ...extra }, (x) => x);

/** Three playback sessions: A (HLS, on demand, one starvation), B (DASH, live, at 50 %), C (HLS, starved); one request without CMCD. */
const CMCD_ROWS: RequestRowSpec[] = [
  { timestamp: at(10 * MINUTE + 1_000), cmcd_session_id: 'A', cmcd_streaming_format: 'h', cmcd_stream_type: 'v', cmcd_object_type: 'm', cmcd_startup: 'true' },
  { timestamp: at(10 * MINUTE + 2_000), cmcd_session_id: 'A', cmcd_streaming_format: 'h', cmcd_stream_type: 'v', cmcd_encoded_bitrate: 1000, cmcd_buffer_length: 4000, cmcd_measured_throughput: 5000 },
  { timestamp: at(10 * MINUTE + 3_000), cmcd_session_id: 'A', cmcd_streaming_format: 'h', cmcd_stream_type: 'v', cmcd_encoded_bitrate: 3000, cmcd_buffer_length: 8000, cmcd_buffer_starvation: 'true', cmcd_startup: 'true' },
  { timestamp: at(10 * MINUTE + 4_000), sampling_rate: 50, cmcd_session_id: 'B', cmcd_streaming_format: 'd', cmcd_stream_type: 'l', cmcd_encoded_bitrate: 6000, cmcd_buffer_length: 2000 },
  { timestamp: at(10 * MINUTE + 5_000), cmcd_session_id: 'B', cmcd_streaming_format: 'd', cmcd_stream_type: 'l', cmcd_encoded_bitrate: 6000, cmcd_buffer_length: 2000, cmcd_buffer_starvation: 'false' },
  { timestamp: at(10 * MINUTE + 6_000) },
  { timestamp: at(10 * MINUTE + 7_000), cmcd_session_id: 'C', cmcd_streaming_format: 'h', cmcd_stream_type: 'v', cmcd_encoded_bitrate: 500, cmcd_buffer_length: 0, cmcd_buffer_starvation: 'true' },
].map((row) => ({ distribution_id: 'E2VIDEO', ...row }));

/** Requests per POP × country cell. POP totals: IAD 13, FRA 10, NRT 6; countries: US 12, DE 10, JP 6, BR 1. */
const CELLS: readonly [string, string, number][] = [
  ['IAD', 'US', 10],
  ['IAD', 'DE', 2],
  ['IAD', 'JP', 1],
  ['FRA', 'US', 1],
  ['FRA', 'DE', 8],
  ['FRA', 'BR', 1],
  ['NRT', 'JP', 5],
  ['NRT', 'US', 1],
];

function breakdownRows(): RequestRowSpec[] {
  const rows: RequestRowSpec[] = [];
  let i = 0;
  for (const [pop, country, n] of CELLS) {
    for (let k = 0; k < n; k++, i++) {
      rows.push({
        // Spread over two hours from T0 + 1 h, off minute boundaries.
        timestamp: at(HOUR + i * 3 * MINUTE + 1_234),
        distribution_id: 'E2BRK',
        pop_code: pop,
        country,
        cache_class: i % 3 === 0 ? 'miss' : 'hit',
        time_to_first_byte: (10 + (i % 7) * 20) / 1000,
        ssl_protocol: i % 4 === 0 ? 'TLSv1.2' : 'TLSv1.3',
        ssl_cipher: i % 4 === 0 ? 'ECDHE-RSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256',
      });
    }
  }
  // Geo-blocked requests from CN: fewer requests than US, but the only geo-blocked ones.
  for (let k = 0; k < 3; k++) {
    rows.push({ timestamp: at(HOUR + k * 5 * MINUTE + 999), distribution_id: 'E2BRK', pop_code: 'HKG', country: 'CN', sc_status: 403, cache_class: 'error', geo_blocked: 1, x_edge_detailed_result_type: 'ClientGeoBlocked' });
  }
  return rows;
}

beforeAll(async () => {
  ch = await migrated(dataDir, 'additions');
  queries = new StatsQueries(new StatsService({ clickhouse: ch }));
  await insertRequestRows(ch, [...CMCD_ROWS, ...breakdownRows()]);
  app = buildApp({
    health: () => {
      throw new Error('not used');
    },
    auth: TokenStore.fromTokens([{ name: 'viewer', role: 'viewer', token: VIEWER }]),
    routes: [statsRoutes({ queries, resolveDistribution: distributionResolver(() => '') })],
    logger: false,
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('CMCD video statistics', () => {
  it('counts sessions, rebuffering, startup and bitrates as defined', async () => {
    const v = await queries.video.video(range(0, HOUR, { distribution: 'E2VIDEO' }), {});
    expect(v.plan).toBe('raw');
    expect(v.tables).toEqual(['requests']);
    // Six CMCD records, one of them at 50 %; the record without CMCD is left out.
    expect(v.requests).toBe(7);
    expect(v.sampledRequests).toBe(6);
    expect(v.sessions).toBe(3);
    expect(v.rebufferedSessions).toBe(2);
    expect(v.sessionRebufferRatio).toBeCloseTo(2 / 3, 12);
    // Media requests carry a bitrate: 1 + 1 + 2 + 1 + 1; starved: A's second segment and C's ('false' is not starvation).
    expect(v.mediaRequests).toBe(6);
    expect(v.rebufferRequests).toBe(2);
    expect(v.rebufferRatio).toBeCloseTo(1 / 3, 12);
    expect(v.startupRequests).toBe(2);
    expect(v.meanBitrateKbps).toBeCloseTo((1000 + 3000 + 2 * 6000 + 6000 + 500) / 6, 9);
    // Weighted: 500 ×1, 1000 ×1, 3000 ×1, 6000 ×3.
    expect(v.bitrateKbps).toEqual({ p50: 3000, p95: 6000, p99: 6000 });
    // Buffer lengths: 0 ×1, 2000 ×3, 4000 ×1, 8000 ×1.
    expect(v.bufferLengthMs.p50).toBe(2000);
    expect(v.measuredThroughputKbps.p50).toBe(5000);

    expect(v.formats.map((f) => [f.format, f.requests, f.sessions, f.mediaRequests, f.rebufferRequests])).toEqual([
      ['h', 4, 2, 3, 2],
      ['d', 3, 1, 3, 0],
    ]);
    const hls = v.formats[0]!;
    expect(hls.buckets.filter((b) => b.requests > 0)).toEqual([
      { fromKbps: 400, toKbps: 800, requests: 1 },
      { fromKbps: 800, toKbps: 1500, requests: 1 },
      { fromKbps: 3000, toKbps: 5000, requests: 1 },
    ]);
    expect(hls.buckets.at(-1)).toEqual({ fromKbps: 20_000, toKbps: null, requests: 0 });
    expect(v.formats[1]!.buckets.filter((b) => b.requests > 0)).toEqual([{ fromKbps: 5000, toKbps: 8000, requests: 3 }]);
    expect(v.streamTypes.map((s) => [s.streamType, s.requests, s.sessions])).toEqual([
      ['v', 4, 2],
      ['l', 3, 1],
    ]);

    expect(v.interval).toBe('1m');
    const busy = v.series.filter((p) => p.requests > 0);
    expect(busy).toHaveLength(1);
    expect(busy[0]).toMatchObject({ t: new Date(T0 + 10 * MINUTE).toISOString(), requests: 7, sessions: 3 });
    expect(busy[0]!.rebufferRatio).toBeCloseTo(1 / 3, 12);
    expect(v.series).toHaveLength(60);
  });

  it('applies the filters and answers an empty range with zeros and nulls', async () => {
    const live = await queries.video.video(range(0, HOUR, { distribution: 'E2VIDEO', pathPrefix: '/nothing/' }), {});
    expect(live.requests).toBe(0);
    expect(live.sessions).toBe(0);
    expect(live.rebufferRatio).toBeNull();
    expect(live.meanBitrateKbps).toBeNull();
    expect(live.bitrateKbps).toEqual({ p50: null, p95: null, p99: null });
    expect(live.formats).toEqual([]);
    const other = await queries.video.video(range(0, HOUR, { distribution: 'E2BRK' }), { interval: '5m' });
    expect(other.requests).toBe(0);
    expect(other.series).toHaveLength(12);
  });
});

describe('two-dimension breakdown', () => {
  const window = { from: HOUR, to: 3 * HOUR + 30 * MINUTE };

  it('keeps the busiest values of each dimension and their cells, the same from rollups and raw rows', async () => {
    const f = range(window.from, window.to, { distribution: 'E2BRK' });
    const b = await queries.breakdown(f, 'auto', { by: ['pop', 'country'], top: 2 });
    expect(b.plan).toBe('rollup');
    expect(b.tables).toContain('requests_1m');
    expect(b.values[0]).toEqual([
      { value: 'IAD', requests: 13 },
      { value: 'FRA', requests: 10 },
    ]);
    expect(b.values[1]).toEqual([
      { value: 'US', requests: 12 },
      { value: 'DE', requests: 10 },
    ]);
    expect(b.cells.map((c) => [...c.values, c.requests])).toEqual([
      ['IAD', 'US', 10],
      ['IAD', 'DE', 2],
      ['FRA', 'US', 1],
      ['FRA', 'DE', 8],
    ]);
    const iadUs = b.cells[0]!;
    expect(iadUs.ttfbMs.p95).not.toBeNull();
    expect(iadUs.hitRatio).toBeGreaterThan(0);

    const raw = await queries.breakdown(f, 'raw', { by: ['pop', 'country'], top: 2 });
    expect(raw.plan).toBe('raw');
    expect(raw.cells.map((c) => [...c.values, c.requests, c.hitRatio])).toEqual(b.cells.map((c) => [...c.values, c.requests, c.hitRatio]));

    const all = await queries.breakdown(f, 'auto', { by: ['country', 'pop'], top: 50 });
    expect(all.cells).toHaveLength(CELLS.length + 1);
    expect(all.cells.reduce((sum, c) => sum + c.requests, 0)).toBe(CELLS.reduce((sum, [, , n]) => sum + n, 0) + 3);
  });

  it('breaks down raw-only dimensions (TLS protocol × cipher) from raw rows', async () => {
    const b = await queries.breakdown(range(window.from, window.to, { distribution: 'E2BRK' }), 'auto', { by: ['sslProtocol', 'sslCipher'], top: 5 });
    expect(b.plan).toBe('raw');
    const cell = (protocol: string, cipher: string) => b.cells.find((c) => c.values[0] === protocol && c.values[1] === cipher)?.requests ?? 0;
    // 29 rows with TLS, every fourth on TLSv1.2; the three geo-blocked rows logged none.
    expect(cell('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256')).toBe(8);
    expect(cell('TLSv1.3', 'TLS_AES_128_GCM_SHA256')).toBe(21);
    expect(cell('', '')).toBe(3);
    expect(cell('TLSv1.3', 'ECDHE-RSA-AES128-GCM-SHA256')).toBe(0);
  });

  it('refuses the same dimension twice', async () => {
    await expect(queries.breakdown(range(0, HOUR), 'auto', { by: ['pop', 'pop'], top: 5 })).rejects.toMatchObject({ statusCode: 400, parameter: 'by' });
  });
});

describe('timeseries additions', () => {
  const f = () => range(HOUR, 3 * HOUR + 30 * MINUTE, { distribution: 'E2BRK' });

  it('gives several percentiles of a latency metric in one answer, equal to one call each', async () => {
    const several = await queries.timeseries(f(), 'auto', { metric: 'ttfbMs', interval: '30m', top: 5, percentile: 'p50', percentiles: ['p50', 'p95', 'p99'] });
    expect(several.series.map((s) => s.key)).toEqual(['p50', 'p95', 'p99']);
    expect(several.percentiles).toEqual(['p50', 'p95', 'p99']);
    for (const p of ['p50', 'p95', 'p99'] as const) {
      const one = await queries.timeseries(f(), 'auto', { metric: 'ttfbMs', interval: '30m', top: 5, percentile: p });
      expect(one.percentiles).toEqual([p]);
      expect(several.series.find((s) => s.key === p)!.points).toEqual(one.series[0]!.points);
    }
    expect(several.series[2]!.points.some((pt) => pt.value !== null && pt.value > 0)).toBe(true);
  });

  it('refuses several percentiles with groupBy or for a metric without percentiles', async () => {
    await expect(queries.timeseries(f(), 'auto', { metric: 'requests', top: 5, percentile: 'p50', percentiles: ['p50', 'p99'] })).rejects.toMatchObject({ statusCode: 400, parameter: 'percentile' });
    await expect(queries.timeseries(f(), 'auto', { metric: 'ttfbMs', groupBy: 'pop', top: 5, percentile: 'p50', percentiles: ['p50', 'p99'] })).rejects.toMatchObject({ statusCode: 400, parameter: 'percentile' });
  });

  it('ranks the grouped series by the measure asked for', async () => {
    const byRequests = await queries.timeseries(f(), 'auto', { metric: 'geoBlocked', groupBy: 'country', top: 1, percentile: 'p95' });
    expect(byRequests.rankBy).toBe('requests');
    expect(byRequests.series[0]!.key).toBe('US');
    const byBlocked = await queries.timeseries(f(), 'auto', { metric: 'geoBlocked', groupBy: 'country', top: 1, rankBy: 'geoBlocked', percentile: 'p95' });
    expect(byBlocked.rankBy).toBe('geoBlocked');
    expect(byBlocked.series[0]!.key).toBe('CN');
    expect(byBlocked.series[0]!.points.reduce((sum, p) => sum + (p.value ?? 0), 0)).toBe(3);
    const byErrors = await queries.timeseries(f(), 'auto', { metric: 'requests', groupBy: 'pop', top: 1, rankBy: 'errors', percentile: 'p95' });
    expect(byErrors.series[0]!.key).toBe('HKG');
  });
});

describe('routes', () => {
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });
  const span = `from=${T0}&to=${T0 + 4 * HOUR}`;

  it('serve the additions with their documented shapes', async () => {
    const video = await get(`/api/v1/stats/video?${span}&distribution=E2VIDEO`);
    expect(video.statusCode).toBe(200);
    expect(video.json<VideoStatsResponse>()).toMatchObject({ plan: 'raw', requests: 7, sessions: 3, formats: [{ format: 'h' }, { format: 'd' }] });

    const breakdown = await get(`/api/v1/stats/breakdown?${span}&distribution=E2BRK&by=pop,country&top=2`);
    expect(breakdown.statusCode).toBe(200);
    const body = breakdown.json<BreakdownResponse>();
    expect(body.by).toEqual(['pop', 'country']);
    expect(body.cells).toHaveLength(4);

    const ts = await get(`/api/v1/stats/timeseries?${span}&distribution=E2BRK&metric=ttfbMs&percentile=p50,p95,p99&interval=1h`);
    expect(ts.statusCode).toBe(200);
    expect(ts.json<TimeseriesResponse>().series.map((s) => s.key)).toEqual(['p50', 'p95', 'p99']);

    const ranked = await get(`/api/v1/stats/timeseries?${span}&distribution=E2BRK&metric=geoBlocked&groupBy=country&top=1&rankBy=geoBlocked`);
    expect(ranked.json<TimeseriesResponse>()).toMatchObject({ rankBy: 'geoBlocked', series: [{ key: 'CN' }, { key: 'other', other: true }] });

    const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
    const paths = openapi.json<{ paths: Record<string, unknown> }>().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/stats/video', '/api/v1/stats/breakdown']));
  });

  it('refuse bad input with 400 naming the parameter', async () => {
    for (const [url, parameter] of [
      [`/api/v1/stats/breakdown?${span}&by=pop`, 'by'],
      [`/api/v1/stats/breakdown?${span}&by=pop,nope`, 'by'],
      [`/api/v1/stats/breakdown?${span}&by=pop,pop`, 'by'],
      [`/api/v1/stats/breakdown?${span}&by=pop,country&top=51`, 'top'],
      [`/api/v1/stats/video?${span}&interval=2m`, 'interval'],
      [`/api/v1/stats/video?${span}&cacheStatus=warm`, 'cacheStatus'],
      [`/api/v1/stats/video?from=${T0 - 500 * 24 * HOUR}&to=${T0}`, 'from'],
      [`/api/v1/stats/timeseries?${span}&metric=ttfbMs&percentile=p42`, 'percentile'],
      [`/api/v1/stats/timeseries?${span}&metric=requests&percentile=p50,p99`, 'percentile'],
      [`/api/v1/stats/timeseries?${span}&metric=ttfbMs&groupBy=pop&percentile=p50,p99`, 'percentile'],
      [`/api/v1/stats/timeseries?${span}&groupBy=pop&rankBy=loudest`, 'rankBy'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: unknown }>().error, url).toMatchObject({ code: 'invalid_parameter', parameter });
    }
  });
});
