import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../api/auth/token-store.js';
import { buildApp } from '../../api/server.js';
import { distributionResolver } from '../../api/stats/distribution-resolver.js';
import type { Definitions } from '../../api/query/definitions.js';
import { StatsQueries, type GeoResponse, type TimeseriesResponse, type TopResponse } from '../../api/stats/stats-queries.js';
import { statsRoutes } from '../../api/stats/stats-routes.js';
import * as schemas from '../../api/stats/stats-schemas.js';
import { StatsService } from '../../api/stats/stats-service.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { insertRequestRows } from '../support/request-rows.js';
import { migrated, scalar, tempDataDir } from '../storage/storage-env.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const dataDir = tempDataDir('stats-routes');
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;

let ch: ClickHouse;
let app: FastifyInstance;

const ROUTES: Record<string, { readonly properties: Record<string, unknown> }> = {
  '/api/v1/stats/summary': schemas.summaryQuery,
  '/api/v1/stats/timeseries': schemas.timeseriesQuery,
  '/api/v1/stats/top': schemas.topQuery,
  '/api/v1/stats/geo': schemas.geoQuery,
  '/api/v1/stats/compare': schemas.compareQuery,
  '/api/v1/stats/breakdown': schemas.breakdownQuery,
  '/api/v1/stats/video': schemas.videoQuery,
};

const get = (url: string, token: string | null = VIEWER) =>
  app.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  ch = await migrated(dataDir, 'routes');
  await insertRequestRows(
    ch,
    Array.from({ length: 50 }, (_, i) => ({
      timestamp: new Date(T0 + i * 60_000).toISOString().replace('T', ' ').replace('Z', ''),
      cache_class: i % 2 === 0 ? 'hit' : 'miss',
      sc_bytes: 1000,
      time_to_first_byte: 0.02,
      country: 'US',
      pop_code: 'IAD',
      uri_path: `/a/${i % 5}`,
      cs_user_agent: '<script>alert(1)</script>',
    })),
  );
  app = buildApp({
    health: () => {
      throw new Error('not used');
    },
    auth: TokenStore.fromTokens([
      { name: 'viewer', role: 'viewer', token: VIEWER },
      { name: 'admin', role: 'admin', token: ADMIN },
    ]),
    routes: [statsRoutes({ queries: new StatsQueries(new StatsService({ clickhouse: ch })), resolveDistribution: distributionResolver(() => '') })],
    logger: false,
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const range = `from=${T0}&to=${T0 + HOUR}`;

describe('stats routes', () => {
  it('answer a viewer with the documented shape', async () => {
    const summary = await get(`/api/v1/stats/summary?${range}`);
    expect(summary.statusCode).toBe(200);
    expect(summary.json()).toMatchObject({ plan: 'rollup', requests: 50, cacheHitRatio: 0.5, ttfbMs: { p50: 20 } });

    const ts = await get(`/api/v1/stats/timeseries?${range}&metric=requests&interval=5m&groupBy=uri&top=2`);
    expect(ts.statusCode).toBe(200);
    expect(ts.json()).toMatchObject({ plan: 'raw', interval: '5m', groupBy: 'uri' });
    expect(ts.json<TimeseriesResponse>().series).toHaveLength(3);

    const top = await get(`/api/v1/stats/top?${range}&dimension=userAgent`);
    // Log fields are text in JSON, exactly as received.
    expect(top.json<TopResponse>().rows[0]).toMatchObject({ value: '<script>alert(1)</script>', requests: 50 });

    const geo = await get(`/api/v1/stats/geo?${range}`);
    const geoBody = geo.json<GeoResponse>();
    expect(geoBody.countries[0]).toMatchObject({ country: 'US', name: 'United States', requests: 50 });
    expect(geoBody.pops[0]?.pop).toBe('IAD');
    expect(typeof geoBody.pops[0]?.lat).toBe('number');

    const compare = await get(`/api/v1/stats/compare?${range}&previous=1d`);
    expect(compare.json()).toMatchObject({ previousPeriod: '1d', current: { requests: 50 }, previous: { requests: 0 } });

    const definitions = await get('/api/v1/definitions');
    expect(definitions.json<Definitions>().metrics.map((m) => m.name)).toContain('cacheHitRatio');
  });

  it('chooses the interval when none is given, and says which tables answered', async () => {
    const ts = await get(`/api/v1/stats/timeseries?${range}`);
    expect(ts.json()).toMatchObject({ interval: '1m', plan: 'rollup', tables: ['requests_1m_dim'] });
    const raw = await get(`/api/v1/stats/summary?${range}&plan=raw`);
    expect(raw.json()).toMatchObject({ plan: 'raw', tables: ['requests'], requests: 50 });
  });

  it('refuses bad values with 400 naming the parameter', async () => {
    for (const [url, parameter] of [
      [`/api/v1/stats/summary?from=tomorrow`, 'from'],
      [`/api/v1/stats/timeseries?${range}&metric=nope`, 'metric'],
      [`/api/v1/stats/timeseries?from=${T0 - 29 * 24 * HOUR}&to=${T0}&interval=1s`, 'interval'],
      [`/api/v1/stats/top?${range}&limit=100000`, 'limit'],
      [`/api/v1/stats/compare?${range}&previous=1y`, 'previous'],
      [`/api/v1/stats/summary?${range}&cacheStatus=warm`, 'cacheStatus'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: unknown }>().error, url).toMatchObject({ code: 'invalid_parameter', parameter });
    }
  });

  it('needs a token on every stats route', async () => {
    for (const url of [...Object.keys(ROUTES), '/api/v1/definitions']) {
      expect((await get(url, null)).statusCode).toBe(401);
      expect((await get(url, 'wrong-token-0123456789abcdef')).statusCode).toBe(401);
      expect((await get(`${url}?${range}`, ADMIN)).statusCode).toBe(200);
    }
  });

  it('survives an SQL-injection payload in every parameter of every route', async () => {
    const payloads = ["' OR 1=1 --", "US') UNION SELECT name FROM system.tables --", '1; DROP TABLE routes.requests', '{f_country:String}', '\\x27'];
    for (const [route, schema] of Object.entries(ROUTES)) {
      for (const parameter of Object.keys(schema.properties)) {
        for (const payload of payloads) {
          const res = await get(`${route}?${range.replace(new RegExp(`${parameter}=[^&]*&?`), '')}&${parameter}=${encodeURIComponent(payload)}`);
          expect([200, 400], `${route} ${parameter}=${payload} → ${res.statusCode} ${res.body}`).toContain(res.statusCode);
          expect(res.body).not.toMatch(/DB::Exception|Code: \d+\.|\.ts:\d+|FROM routes\./);
        }
      }
    }
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.requests`)).toBe(50);
  });
});
