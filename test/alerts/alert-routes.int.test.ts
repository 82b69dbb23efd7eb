/**
 * The alert routes over a real alert service (embedded ClickHouse store, in-process counters on a
 * hand-driven clock): the shapes the dashboard reads, rules and webhooks managed by admins with
 * validation naming the field, and webhook secrets never returned.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRoutes } from '../../api/alerts/alert-routes.js';
import { AlertService } from '../../api/alerts/alert-service.js';
import { AlertStore } from '../../api/alerts/alert-store.js';
import type { AlertView } from '../../api/alerts/alert-view.js';
import { distributionResolver } from '../../api/stats/distribution-resolver.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { asAdmin, asViewer, buildTestApp, errorOf } from '../support/api-test-kit.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';
import { TrafficScript, WEB, liveAlertRig, resolveDemoDomain, type LiveAlertRig } from './alert-traffic.js';

const dataDir = tempDataDir('alert-routes');
const quiet = { info: () => undefined, warn: () => undefined };
const SECRET = 'route-test-secret-abcdefghijkl';
let ch: ClickHouse;
let store: AlertStore;
let rig: LiveAlertRig;
let service: AlertService;
let app: FastifyInstance;
let traffic: TrafficScript;

const resolveDistribution = distributionResolver((d) => resolveDemoDomain(d));

async function startService(): Promise<void> {
  service = new AlertService({ store, source: rig.source, logger: quiet, now: rig.clock.now });
  await service.start({ timer: false });
  app = (await buildTestApp({ routes: [alertRoutes({ service, resolveDistribution })] })).app;
}

async function seconds(count: number, make: (now: number) => string[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    rig.feed(make(rig.clock.nowMs));
    rig.clock.advance(1_000);
    if (rig.clock.nowMs % 5_000 === 0) await service.evaluate();
  }
}

beforeAll(async () => {
  ch = await migrated(dataDir, 'alert_routes');
  store = new AlertStore(ch);
  rig = liveAlertRig();
  traffic = new TrafficScript({ startMs: rig.clock.nowMs });
  await startService();
});

afterAll(async () => {
  await app?.close();
  await service?.stop();
  await ch?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface AlertsBody {
  active: AlertView[];
  recent: AlertView[];
  mode: string;
  evaluatedAt: string | null;
  evalIntervalMs: number;
}

const get = (url: string, headers: Readonly<Record<string, string>> = asViewer) => app.inject({ method: 'GET', url, headers });
const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Readonly<Record<string, string>> = asAdmin) =>
  app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });

describe('GET /api/v1/alerts', () => {
  it('lists active alerts with their context, then the resolved ones as recent', async () => {
    const calm = (now: number) => traffic.normal(now, 20);
    await seconds(60, calm);
    let body = (await get('/api/v1/alerts')).json<AlertsBody>();
    expect(body).toMatchObject({ active: [], recent: [], mode: 'live', evalIntervalMs: 5000 });
    expect(body.evaluatedAt).not.toBeNull();

    await seconds(20, (now) => [...calm(now), ...traffic.geoBlocked(now, 10, ['CN'])]);
    const response = await get('/api/v1/alerts');
    expect(response.statusCode).toBe(200);
    body = response.json<AlertsBody>();
    expect(body.active).toHaveLength(1);
    const alert = body.active[0]!;
    expect(alert).toMatchObject({
      kind: 'geoBlockedSpike',
      name: 'Geo-blocked requests spike',
      metric: 'geoBlockedPerSecond',
      unit: 'requests/s',
      severity: 'warning',
      state: 'firing',
      distribution: WEB.id,
      country: '',
      resolvedAt: null,
      endedAt: null,
      // A minute after the start there is no baseline yet: the floor stood in for it.
      baseline: null,
      link: `/#/live?distribution=${WEB.id}&country=CN&detailedResult=ClientGeoBlocked`,
    });
    expect(Date.parse(alert.firedAt!)).toBeGreaterThanOrEqual(Date.parse(alert.startedAt));
    expect(alert.value).toBeGreaterThanOrEqual(alert.threshold);
    expect(alert.context?.top.countries.map((c) => [c.value, c.share])).toEqual([['CN', 1]]);
    expect(alert.message).toMatch(/top countries CN 100 %/);
    expect(alert.context?.notes.join()).toMatch(/no baseline yet/);

    expect((await get(`/api/v1/alerts/${alert.id}`)).json<AlertView>()).toMatchObject({ id: alert.id, state: 'firing' });

    await seconds(120, calm);
    body = (await get(`/api/v1/alerts?from=${new Date(rig.clock.nowMs - 3_600_000).toISOString()}&to=${rig.clock.nowMs + 1000}`)).json<AlertsBody>();
    expect(body.active).toEqual([]);
    expect(body.recent.map((a) => [a.id, a.state])).toEqual([[alert.id, 'resolved']]);
    expect(body.recent[0]!.endedAt).toBe(body.recent[0]!.resolvedAt);
    expect((await get(`/api/v1/alerts?distribution=${VIDEO_DOMAIN}&from=${rig.clock.nowMs - 3_600_000}&to=${rig.clock.nowMs + 1000}`)).json<AlertsBody>().recent).toEqual([]);
    expect((await get(`/api/v1/alerts?state=firing&from=${rig.clock.nowMs - 3_600_000}&to=${rig.clock.nowMs + 1000}`)).json<AlertsBody>().recent).toEqual([]);
  });

  it('refuses bad parameters with 400 naming them, and unknown alerts with 404', async () => {
    const cases: [string, string][] = [
      ['/api/v1/alerts?state=burning', 'state'],
      ['/api/v1/alerts?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z', 'from'],
      ['/api/v1/alerts?to=yesterday', 'to'],
      ['/api/v1/alerts?distribution=nowhere.example.org', 'distribution'],
      ['/api/v1/alerts?limit=0', 'limit'],
    ];
    for (const [url, parameter] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(errorOf(response).error.parameter, url).toBe(parameter);
    }
    const missing = await get('/api/v1/alerts/al_0000000000000000');
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).error.code).toBe('not_found');
  });
});

const VIDEO_DOMAIN = 'video.example.net';

describe('alert rules', () => {
  it('lists the built-in defaults and what every kind measures', async () => {
    const body = (await get('/api/v1/alerts/rules')).json<{ rules: { id: string; kind: string; builtIn: boolean; distribution: string }[]; kinds: { kind: string; defaults: Record<string, unknown> }[] }>();
    expect(body.rules.filter((r) => r.builtIn).map((r) => r.kind).sort()).toEqual(
      ['cacheHitRatioDrop', 'edgeFunctionErrors', 'errorRate4xx', 'errorRate5xx', 'geoBlockedSpike', 'originLatencyP95', 'trafficDrop'],
    );
    expect(body.rules.every((r) => r.distribution === '')).toBe(true);
    expect(body.kinds.find((k) => k.kind === 'geoBlockedSpike')?.defaults).toMatchObject({ windowS: 30, threshold: 3, floor: 0.5, minSampled: 20 });
  });

  it('are created by admins from a kind and its defaults, changed and deleted', async () => {
    const created = await send('POST', '/api/v1/alerts/rules', { name: 'Shop 5xx', kind: 'errorRate5xx', distribution: 'www.example.com', threshold: 0.02 });
    expect(created.statusCode).toBe(201);
    const rule = created.json<{ id: string; distribution: string; threshold: number; windowS: number; builtIn: boolean; enabled: boolean }>();
    expect(rule).toMatchObject({ distribution: WEB.id, threshold: 0.02, windowS: 60, builtIn: false, enabled: true });

    const patched = await send('PATCH', `/api/v1/alerts/rules/${rule.id}`, { enabled: false, holdS: 300 });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: rule.id, enabled: false, holdS: 300, threshold: 0.02 });
    expect((await get(`/api/v1/alerts/rules/${rule.id}`)).json()).toMatchObject({ enabled: false });

    const deleted = await send('DELETE', `/api/v1/alerts/rules/${rule.id}`);
    expect(deleted.statusCode).toBe(200);
    expect((await get(`/api/v1/alerts/rules/${rule.id}`)).statusCode).toBe(404);
    expect((await send('PATCH', `/api/v1/alerts/rules/${rule.id}`, { enabled: true })).statusCode).toBe(404);
    expect((await send('DELETE', `/api/v1/alerts/rules/${rule.id}`)).statusCode).toBe(404);
  });

  it('refuse invalid rules with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'errorRate5xx' }, 'name'],
      [{ name: 'x', kind: 'errorRate6xx' }, 'kind'],
      [{ name: 'x', kind: 'errorRate5xx', threshold: 2 }, 'threshold'],
      [{ name: 'x', kind: 'errorRate5xx', perCountry: true }, 'perCountry'],
      [{ name: 'x', kind: 'geoBlockedSpike', windowS: 900, baselineS: 3000 }, 'baselineS'],
      [{ name: 'x', kind: 'geoBlockedSpike', windowS: 1 }, 'windowS'],
      [{ name: 'x', kind: 'geoBlockedSpike', windowS: '30' }, 'windowS'],
      [{ name: 'x', kind: 'geoBlockedSpike', windowS: 30.5 }, 'windowS'],
      [{ name: 'x', kind: 'geoBlockedSpike', enabled: null }, 'enabled'],
      [{ name: 'x', kind: 'geoBlockedSpike', colour: 'red' }, 'colour'],
      [{ name: 'x', kind: 'geoBlockedSpike', distribution: 'nowhere.example.org' }, 'distribution'],
      [{ name: 'x', kind: 'geoBlockedSpike', distribution: 'bad domain!' }, 'distribution'],
      [{ name: '\u0007', kind: 'geoBlockedSpike' }, 'name'],
      [[{ name: 'x', kind: 'geoBlockedSpike' }], 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await send('POST', '/api/v1/alerts/rules', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(response).error.parameter, JSON.stringify(body)).toBe(field);
    }
    const geo = service.rules().find((r) => r.kind === 'geoBlockedSpike')!;
    for (const [body, field] of [
      [{ kind: 'errorRate5xx' }, 'kind'],
      [{}, 'body'],
      [{ threshold: 0.5 }, 'threshold'],
    ] as const) {
      const response = await send('PATCH', `/api/v1/alerts/rules/${geo.id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(response).error.parameter, JSON.stringify(body)).toBe(field);
    }
  });

  it('keep a deleted built-in rule deleted across a restart', async () => {
    const traffic4xx = service.rules().find((r) => r.id === 'default-4xx-rate')!;
    expect((await send('DELETE', `/api/v1/alerts/rules/${traffic4xx.id}`)).statusCode).toBe(200);
    await app.close();
    await service.stop();
    await startService();
    expect(service.rules().map((r) => r.id)).not.toContain('default-4xx-rate');
    expect(service.rules().map((r) => r.id)).toContain('default-geo-blocked-spike');
  });
});

describe('webhooks', () => {
  it('are managed by admins and never show their secret or URL path', async () => {
    const created = await send('POST', '/api/v1/alerts/webhooks', { name: 'chat', url: 'https://hooks.example.com/services/T1/B2/very-secret-path', format: 'slack', secret: SECRET });
    expect(created.statusCode).toBe(201);
    const hook = created.json<{ id: string; target: string; hasSecret: boolean; format: string; enabled: boolean }>();
    expect(hook).toMatchObject({ target: 'https://hooks.example.com/…', hasSecret: true, format: 'slack', enabled: true });

    const patched = await send('PATCH', `/api/v1/alerts/webhooks/${hook.id}`, { secret: `${SECRET}-rotated`, enabled: false });
    expect(patched.statusCode).toBe(200);
    const listed = await get('/api/v1/alerts/webhooks', asAdmin);
    for (const response of [created, patched, listed]) {
      expect(response.body).not.toContain(SECRET);
      expect(response.body).not.toContain('very-secret-path');
      expect(response.body).not.toMatch(/"secret"|"url"/);
    }
    expect(listed.json<{ webhooks: { id: string; enabled: boolean }[] }>().webhooks).toEqual([expect.objectContaining({ id: hook.id, enabled: false })]);
    expect((await get('/api/v1/alerts/webhooks', asViewer)).statusCode).toBe(403);

    const cases: [unknown, string][] = [
      [{ name: 'x', url: 'ftp://example.com/x', secret: SECRET }, 'url'],
      [{ name: 'x', url: 'https://example.com/x', secret: 'short' }, 'secret'],
      [{ name: 'x', url: 'https://example.com/x', secret: 12345678901234567890 }, 'secret'],
      [{ name: 'x', url: 'https://example.com/x' }, 'secret'],
      [{ name: 'x', url: 'https://example.com/x', secret: SECRET, format: 'teams' }, 'format'],
    ];
    for (const [body, field] of cases) {
      const response = await send('POST', '/api/v1/alerts/webhooks', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(response).error.parameter, JSON.stringify(body)).toBe(field);
      expect(response.body).not.toContain(SECRET);
    }
    expect((await send('DELETE', `/api/v1/alerts/webhooks/${hook.id}`)).statusCode).toBe(200);
    expect((await send('DELETE', `/api/v1/alerts/webhooks/${hook.id}`)).statusCode).toBe(404);
  });

  it('have a delivery log for admins', async () => {
    const response = await get('/api/v1/alerts/deliveries?status=failed&limit=5', asAdmin);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ deliveries: [] });
    expect((await get('/api/v1/alerts/deliveries', asViewer)).statusCode).toBe(403);
    expect(errorOf(await get('/api/v1/alerts/deliveries?status=lost', asAdmin)).error.parameter).toBe('status');
  });
});
