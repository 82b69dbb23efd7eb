/**
 * Alert evaluation in server mode: the rollups (and the raw rows of the short window) of a ClickHouse
 * server, here the embedded engine behind the HTTP test endpoint, read by RollupAlertSource behind
 * the same evaluator as embedded mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanKey } from '../../api/alerts/alert-measures.js';
import { AlertService } from '../../api/alerts/alert-service.js';
import { AlertStore } from '../../api/alerts/alert-store.js';
import { RollupAlertSource } from '../../api/alerts/rollup-alert-source.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';
import { insertRequestRows, type RequestRowSpec } from '../support/request-rows.js';
import { DEFAULT_RETENTION } from '../storage/storage-env.js';

const FIXTURE_PORT = 46703;
const DIST = 'E2TESTDIST0001';
const MINUTE_MS = 60_000;
// Evaluations happen 40 s into a minute; the burst fills the 30 s before.
const NOW = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS + 40_000;
const SPAN = { windowMs: 30_000, baselineMs: 900_000 };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-alert-server-'));
let fixture: ClickHouseHttpFixture;
let ch: ClickHouse;

const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

beforeAll(async () => {
  fixture = await startClickHouseHttpFixture({ dataDir, port: FIXTURE_PORT });
  ch = createClickHouse({ mode: 'server', url: fixture.url, database: 'alerts_server', maxExecutionTimeS: 30 });
  await runMigrations(ch, DEFAULT_RETENTION);
  const rows: RequestRowSpec[] = [];
  // 15 minutes of baseline: 60 cache hits and one geo-blocked request (from the US) a minute.
  for (let m = 16; m >= 1; m--) {
    const minute = Math.floor(NOW / MINUTE_MS) * MINUTE_MS - m * MINUTE_MS;
    for (let i = 0; i < 60; i++) rows.push({ timestamp: at(minute + i * 1000), distribution_id: DIST, cache_class: 'hit', country: 'US', pop_code: 'IAD' });
    rows.push({ timestamp: at(minute + 30_500), distribution_id: DIST, sc_status: 403, cache_class: 'error', geo_blocked: 1, x_edge_detailed_result_type: 'ClientGeoBlocked', country: 'US', pop_code: 'IAD' });
  }
  // The burst: 90 geo-blocked requests in the 30 s before NOW, two thirds from CN, the rest from RU.
  for (let i = 0; i < 90; i++) {
    rows.push({
      timestamp: at(NOW - 30_000 + i * 300),
      distribution_id: DIST,
      sc_status: 403,
      cache_class: 'error',
      geo_blocked: 1,
      x_edge_detailed_result_type: 'ClientGeoBlocked',
      country: i % 3 === 2 ? 'RU' : 'CN',
      pop_code: 'FRA',
      uri_path: '/wp-login.php',
      asn: 4134,
    } as RequestRowSpec);
  }
  // And in the same window: edge function errors and slow origin fetches.
  for (let i = 0; i < 10; i++) {
    rows.push({ timestamp: at(NOW - 20_000 + i * 1000), distribution_id: DIST, sc_status: 503, cache_class: 'error', x_edge_result_type: 'LambdaExecutionError', x_edge_detailed_result_type: 'LambdaExecutionError', country: 'DE', pop_code: 'FRA' });
    rows.push({ timestamp: at(NOW - 20_000 + i * 1000), distribution_id: DIST, cache_class: 'miss', origin_fbl: 2.5, country: 'DE', pop_code: 'FRA' });
  }
  await insertRequestRows(ch, rows);
}, 120_000);

afterAll(async () => {
  await ch?.close();
  await fixture?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('RollupAlertSource (ClickHouse server)', () => {
  it('reads window and baseline from the rollups, sampled counts and function errors from the window', async () => {
    const source = new RollupAlertSource({ clickhouse: ch });
    const snapshot = await source.read(NOW, [SPAN], { countries: true });
    const m = snapshot.distributions.get(DIST)?.get(spanKey(SPAN));
    expect(m).toBeDefined();
    // The window starts at the minute holding NOW − 30 s: NOW's minute, 40 s covered.
    expect(m!.window.coveredMs).toBe(40_000);
    expect(m!.window.geoBlocked).toBe(90);
    expect(m!.window.sampledGeoBlocked).toBe(90);
    expect(m!.window.sampledEdgeFunctionErrors).toBe(10);
    expect(m!.window.edgeFunctionErrors).toBe(10);
    expect(m!.window.sampled5xx).toBe(10);
    expect(m!.window.sampledOriginLatency).toBe(10);
    expect(m!.window.originLatencyP95Ms).toBeCloseTo(2500, -1);
    expect(m!.baseline.geoBlocked).toBe(15);
    expect(m!.baseline.geoBlockedMedianPerS).toBeCloseTo(1 / 60, 6);
    expect(m!.baseline.requestsMedianPerS).toBeCloseTo(61 / 60, 6);
    expect(m!.countries.get('US')?.baseline.medianPerS).toBeCloseTo(1 / 60, 6);
    expect(m!.baseline.sampledRequests).toBe(15 * 61);
    expect(m!.baseline.coveredMs).toBe(15 * MINUTE_MS);
    expect(m!.countries.get('CN')?.window).toMatchObject({ geoBlocked: 60, sampledGeoBlocked: 60 });
    expect(m!.countries.get('US')?.baseline.geoBlocked).toBe(15);
  });

  it('drives the same evaluator: a burst fires with its context and resolves', async () => {
    const store = new AlertStore(ch);
    const service = new AlertService({ store, source: new RollupAlertSource({ clickhouse: ch }), logger: { info: () => undefined, warn: () => undefined }, now: () => NOW });
    await service.start({ timer: false });
    expect(service.mode).toBe('rollup');
    expect((await service.evaluate(NOW)).map((t) => `${t.alert.kind}:${t.to}`)).toContain('geoBlockedSpike:pending');
    const fired = (await service.evaluate(NOW + 5_000)).filter((t) => t.alert.kind === 'geoBlockedSpike');
    expect(fired.map((t) => t.to)).toEqual(['firing']);
    const alert = fired[0]!.alert;
    expect(alert.distribution).toBe(DIST);
    expect(alert.baseline).toBeCloseTo(1 / 60, 4);
    expect(alert.context).toMatchObject({ source: 'rollup', windowS: 30 });
    expect(alert.context?.top.countries).toEqual([
      { value: 'CN', requests: 60, share: 0.6667 },
      { value: 'RU', requests: 30, share: 0.3333 },
    ]);
    expect(alert.context?.top.pops).toEqual([{ value: 'FRA', requests: 90, share: 1 }]);
    expect(alert.context?.top.paths).toEqual([{ value: '/wp-login.php', requests: 90, share: 1 }]);
    expect(alert.context?.top.asns).toEqual([{ value: 'AS4134', requests: 90, share: 1 }]);

    // No new data: the burst leaves the window, and after the hold time the alert resolves.
    const later = [NOW + 120_000, NOW + 150_000, NOW + 185_000].map((t) => service.evaluate(t));
    const transitions = (await Promise.all(later)).flat().filter((t) => t.alert.kind === 'geoBlockedSpike');
    expect(transitions.map((t) => t.to)).toEqual(['resolved']);
    const stored = await store.getAlert(alert.id);
    expect(stored?.state).toBe('resolved');
    await service.stop();
  });

  it('leaves imported history out: only real-time rows fire or hide an alert', async () => {
    const imported = Array.from({ length: 40 }, (_, i) => ({
      timestamp: at(NOW - 20_000 + i * 100),
      distribution_id: DIST,
      source: 'standard',
      sc_status: 403,
      geo_blocked: 1 as const,
      x_edge_detailed_result_type: 'ClientGeoBlocked',
      country: 'CN',
      pop_code: 'FRA',
    }));
    await insertRequestRows(ch, imported);
    const snapshot = await new RollupAlertSource({ clickhouse: ch }).read(NOW, [SPAN], { countries: true });
    const m = snapshot.distributions.get(DIST)?.get(spanKey(SPAN));
    expect(m!.countries.get('CN')?.window).toMatchObject({ geoBlocked: 60, sampledGeoBlocked: 60 });
    expect(m!.window.geoBlocked).toBe(90);
  });
});

