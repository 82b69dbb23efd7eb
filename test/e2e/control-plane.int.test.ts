/**
 * The control plane driving the running pipeline (`npm start` in one process, local provider):
 * a new distribution gets simulated traffic and its geo block list turns that country's requests
 * into stored ClientGeoBlocked 403s that the stats API shows; a log config's field change keeps
 * every record parseable before and after it; changes that would make records misparse are refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';
import { LOCAL_LOG_CONFIG_NAME } from '../../cli/stream-log-config.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';

const ADMIN = 'e2e-admin-token-7Kq2Lw9Xz4Pm';
const VIEWER = 'e2e-viewer-token-3Nd8Rt5Vb1Hs';
const admin = { authorization: `Bearer ${ADMIN}` };
const viewer = { authorization: `Bearer ${VIEWER}` };

let pipeline: RunningPipeline;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (processed ${JSON.stringify(pipeline.processor.counts())})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('control plane end to end (local provider, running pipeline)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-cp-e2e-'));
  const config = loadConfig({
    EDGEWATCH_DATA_DIR: dataDir,
    PORT: '0',
    EDGEWATCH_LOCAL_KINESIS_PORT: '47301',
    EDGEWATCH_SIMULATOR_RATE: '400',
    EDGEWATCH_BATCH_MAX_AGE_MS: '500',
    EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
    EDGEWATCH_LOCAL_DEPLOYMENT_DELAY_MS: '500',
    EDGEWATCH_ADMIN_TOKEN: ADMIN,
    EDGEWATCH_VIEWER_TOKENS: VIEWER,
    EDGEWATCH_ALERTS: 'false',
    EDGEWATCH_LOG_LEVEL: 'warn',
    // Inserts and checks share one embedded engine; leave room on a busy machine.
    EDGEWATCH_QUERY_MAX_EXECUTION_TIME_S: '120',
  });
  const db = config.clickhouse.database;
  const count = async (sql: string, params: Record<string, unknown> = {}): Promise<number> => {
    const rows = await pipeline.clickhouse.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    pipeline = await startPipeline(config, createLogger('warn'));
  });

  afterAll(async () => {
    await pipeline.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with the demo distributions and the stream’s log config in the local account', async () => {
    const list = await pipeline.app.inject({ method: 'GET', url: '/api/v1/distributions', headers: admin });
    expect(list.json<{ provider: string; distributions: unknown[] }>()).toMatchObject({ provider: 'local' });
    expect(list.json<{ distributions: unknown[] }>().distributions).toHaveLength(4);
    const configs = await pipeline.app.inject({ method: 'GET', url: '/api/v1/realtime-log-configs', headers: admin });
    expect(configs.json()).toMatchObject({ configs: [{ name: LOCAL_LOG_CONFIG_NAME, fields: DEFAULT_LOCAL_FIELD_NAMES }] });
    expect((await pipeline.app.inject({ method: 'GET', url: '/api/v1/distributions', headers: viewer })).statusCode).toBe(403);
  });

  it('a new distribution blocking a country gets traffic, stored as ClientGeoBlocked 403s and shown by the stats API', async () => {
    const created = await pipeline.app.inject({
      method: 'POST',
      url: '/api/v1/distributions',
      headers: admin,
      payload: { config: { comment: 'geo test', origins: [{ id: 'web', domainName: 'origin.example.net' }], geoRestriction: { type: 'block', countries: ['US'] } } },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ distribution: { id: string } }>().distribution;
    const blocked = `SELECT count() AS n FROM ${db}.requests WHERE distribution_id = {id:String} AND c_country = 'US'
      AND sc_status = 403 AND x_edge_detailed_result_type = 'ClientGeoBlocked'`;
    await waitFor('geo-blocked requests of the new distribution in ClickHouse', async () => (await count(blocked, { id })) >= 5, 30_000);
    // Every US request of this distribution was refused; others were served.
    expect(await count(`SELECT count() AS n FROM ${db}.requests WHERE distribution_id = {id:String} AND c_country = 'US' AND sc_status != 403`, { id })).toBe(0);
    expect(await count(`SELECT count() AS n FROM ${db}.requests WHERE distribution_id = {id:String} AND c_country != 'US' AND sc_status = 200`, { id })).toBeGreaterThan(0);

    // Queries run beside inserts: the raw rows can be visible a moment before their rollup rows.
    type GeoCountry = { country: string; geoBlocked: number; requests: number };
    let us: GeoCountry | undefined;
    await waitFor('the geo-blocked requests in the stats API', async () => {
      const geo = await pipeline.app.inject({ method: 'GET', url: `/api/v1/stats/geo?distribution=${id}&from=${Date.now() - 600_000}`, headers: viewer });
      expect(geo.statusCode).toBe(200);
      us = geo.json<{ countries: GeoCountry[] }>().countries.find((c) => c.country === 'US');
      return us !== undefined;
    }, 30_000);
    expect(us?.geoBlocked).toBeGreaterThan(0);
    expect(us?.geoBlocked).toBe(us?.requests);

    const markers = await pipeline.app.inject({ method: 'GET', url: `/api/v1/changes?distribution=${id}`, headers: viewer });
    expect(markers.json<{ markers: Array<{ action: string; distributionId: string }> }>().markers).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'create', distributionId: id })]),
    );
  });

  it('a field change of the stream’s log config: records parse before and after, none dead-lettered', async () => {
    const simulator = pipeline.simulator!;
    await waitFor('records of the first layout', () => pipeline.processor.counts().records >= 200);

    // Another config with another field set on the same stream would misparse it: refused.
    const second = await pipeline.app.inject({
      method: 'POST',
      url: '/api/v1/realtime-log-configs',
      headers: admin,
      payload: { name: 'second', samplingRate: 100, fields: ['timestamp', 'sc-status'], stream: { arn: `arn:aws:kinesis:${config.kinesis.region}:000000000000:stream/${config.kinesis.streamName}` }, role: { arn: 'arn:aws:iam::000000000000:role/r' } },
    });
    expect(second.statusCode).toBe(400);
    expect(second.json<{ error: { parameter: string } }>().error.parameter).toBe('stream');

    // The same number of fields, another set: records could not be told apart, refused.
    const swapped = DEFAULT_LOCAL_FIELD_NAMES.filter((f) => f !== 'cs-headers').concat('r-host');
    const sameCount = await pipeline.app.inject({ method: 'PUT', url: `/api/v1/realtime-log-configs/${LOCAL_LOG_CONFIG_NAME}`, headers: admin, payload: { fields: swapped } });
    expect(sameCount.statusCode).toBe(400);

    const fewer = DEFAULT_LOCAL_FIELD_NAMES.filter((f) => f !== 'cs-headers' && f !== 'cs-header-names');
    const changed = await pipeline.app.inject({ method: 'PUT', url: `/api/v1/realtime-log-configs/${LOCAL_LOG_CONFIG_NAME}`, headers: admin, payload: { fields: fewer } });
    expect(changed.statusCode).toBe(200);
    const writtenAtChange = simulator.stats().linesWritten;
    await waitFor('traffic in the new layout', () => simulator.stats().linesWritten >= writtenAtChange + 400);

    await simulator.stop();
    const sent = simulator.stats().linesWritten;
    await waitFor('every line processed', () => {
      const c = pipeline.processor.counts();
      return c.records + c.deadLetters >= sent;
    });
    const reasons = await pipeline.clickhouse.query<{ reason: string }>(`SELECT reason FROM ${db}.dead_letters LIMIT 5`);
    expect(reasons).toEqual([]);
    expect(pipeline.processor.counts().deadLetters).toBe(0);
    expect(await count(`SELECT uniqExact(x_edge_request_id) AS n FROM ${db}.requests`)).toBe(sent);
    // Both layouts are stored: the old one with header names, the new one without.
    expect(await count(`SELECT count() AS n FROM ${db}.requests WHERE cs_header_names IS NOT NULL`)).toBeGreaterThan(100);
    expect(await count(`SELECT count() AS n FROM ${db}.requests WHERE cs_header_names IS NULL`)).toBeGreaterThan(100);
  }, 240_000);
});
