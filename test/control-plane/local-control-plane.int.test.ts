/**
 * The control-plane routes over the local provider (state under a temp data dir, audit log in
 * embedded ClickHouse): route access, the ETag flow, deployment status, invalidations, log configs
 * kept in step with the parser, and the change markers.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseAuditLog } from '../../api/control-plane/audit-log.js';
import { controlPlaneRoutes } from '../../api/control-plane/control-plane-routes.js';
import { ControlPlaneService } from '../../api/control-plane/control-plane-service.js';
import { LocalControlPlaneProvider } from '../../api/control-plane/local-provider.js';
import { FileDistributionRegistry } from '../../processor/registry/distribution-registry.js';
import { FileLogConfigRegistry } from '../../processor/registry/log-config-registry.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { asAdmin, asViewer, buildTestApp, describeRouteAccess, errorOf } from '../support/api-test-kit.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';

const dataDir = tempDataDir('cp-local');
let ch: ClickHouse;
let app: FastifyInstance;
let service: ControlPlaneService;
const logConfigs = new FileLogConfigRegistry(dataDir);
const distributions = new FileDistributionRegistry(dataDir);
const DELAY_MS = 300;

function newService(clickhouse: ClickHouse): ControlPlaneService {
  const provider = new LocalControlPlaneProvider({ dataDir, deploymentDelayMs: DELAY_MS, kinesis: null, region: 'us-east-1' });
  return new ControlPlaneService({ provider, audit: new ClickHouseAuditLog(clickhouse), logConfigs, distributions });
}

beforeAll(async () => {
  ch = await migrated(dataDir, 'cp_local');
  service = newService(ch);
  ({ app } = await buildTestApp({ routes: [controlPlaneRoutes({ service })] }));
});

afterAll(async () => {
  await app.close();
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/edge-logs';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/cf-rtl';
const FIELDS_12 = ['timestamp', 'c-ip', 'sc-status', 'cs-method', 'cs-uri-stem', 'x-edge-location', 'x-edge-request-id', 'x-host-header', 'x-edge-result-type', 'x-edge-detailed-result-type', 'c-country', 'asn'];

interface DistributionBody {
  distribution: { id: string; domainName: string; arn: string; etag: string; status: string; config: Record<string, unknown> & { enabled: boolean } };
}

describeRouteAccess('control plane', [controlPlaneRoutes({ service: newService({} as ClickHouse) })], {
  expectRoutes: [
    '/api/v1/distributions',
    '/api/v1/distributions/:id',
    '/api/v1/distributions/:id/disable',
    '/api/v1/distributions/:id/deployment',
    '/api/v1/distributions/:id/invalidations',
    '/api/v1/realtime-log-configs',
    '/api/v1/realtime-log-configs/:name',
    '/api/v1/realtime-log-configs/:name/attachments',
    '/api/v1/realtime-log-configs/fields',
    '/api/v1/realtime-log-configs/estimate',
    '/api/v1/changes',
    '/api/v1/control-plane/audit',
  ],
});

describe('local provider: distributions', () => {
  let id = '';
  let etag = '';

  it('creates a distribution with CloudFront-shaped ID, domain, ARN and ETag, InProgress then Deployed', async () => {
    const dry = await app.inject({ method: 'POST', url: '/api/v1/distributions?dryRun=true', headers: asAdmin, payload: { config: { comment: 'blog', origins: [{ id: 'web', domainName: 'blog.example.com' }] } } });
    expect(dry.statusCode).toBe(200);
    expect(dry.json<{ distribution: null; diff: unknown[] }>().distribution).toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/v1/distributions', headers: asAdmin })).json<{ distributions: unknown[] }>().distributions).toHaveLength(0);

    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/distributions',
      headers: asAdmin,
      payload: { config: { comment: 'blog', origins: [{ id: 'web', domainName: 'blog.example.com' }] }, tags: { 'managed-by': 'terraform' } },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<DistributionBody & { warnings: Array<{ code: string }> }>();
    ({ id, etag } = body.distribution);
    expect(id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(body.distribution.domainName).toMatch(/^d[a-z0-9]{13}\.cloudfront\.net$/);
    expect(body.distribution.arn).toBe(`arn:aws:cloudfront::000000000000:distribution/${id}`);
    expect(body.distribution.status).toBe('InProgress');
    expect(body.warnings.map((w) => w.code)).toContain('managed-by-iac');
    expect(distributions.resolveDomain(body.distribution.domainName)).toBe(id);
    await sleep(DELAY_MS + 50);
    const deployment = await app.inject({ method: 'GET', url: `/api/v1/distributions/${id}/deployment`, headers: asAdmin });
    expect(deployment.json()).toMatchObject({ id, status: 'Deployed', etag });
  });

  it('names the field of an invalid config', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/distributions', headers: asAdmin, payload: { config: { origins: [{ id: 'web', domainName: 'blog.example.com' }], geoRestriction: { type: 'block', countries: ['usa'] } } } });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).error).toMatchObject({ code: 'invalid_parameter', parameter: 'config.geoRestriction.countries[0]' });
  });

  it('updates only through the current ETag; a stale one is a conflict', async () => {
    const read = (await app.inject({ method: 'GET', url: `/api/v1/distributions/${id}`, headers: asAdmin })).json<DistributionBody>();
    const config = { ...read.distribution.config, geoRestriction: { type: 'block', countries: ['FR'] } };
    const first = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${id}`, headers: { ...asAdmin, 'if-match': etag }, payload: { config } });
    expect(first.statusCode).toBe(200);
    expect(first.json<DistributionBody>().distribution.status).toBe('InProgress');
    const second = await app.inject({ method: 'PUT', url: `/api/v1/distributions/${id}`, headers: { ...asAdmin, 'if-match': etag }, payload: { config: { ...config, comment: 'other' } } });
    expect(second.statusCode).toBe(409);
    expect(errorOf(second).error.code).toBe('conflict');
    etag = first.json<DistributionBody>().distribution.etag;
    const after = (await app.inject({ method: 'GET', url: `/api/v1/distributions/${id}`, headers: asAdmin })).json<DistributionBody>();
    expect(after.distribution.config.comment).toBe('blog');
  });

  it('invalidates paths', async () => {
    const bad = await app.inject({ method: 'POST', url: `/api/v1/distributions/${id}/invalidations`, headers: asAdmin, payload: { paths: ['/a*/b'] } });
    expect(errorOf(bad).error.parameter).toBe('paths[0]');
    const created = await app.inject({ method: 'POST', url: `/api/v1/distributions/${id}/invalidations`, headers: asAdmin, payload: { paths: ['/index.html', '/img/*'] } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ invalidation: { status: 'InProgress', paths: ['/index.html', '/img/*'] } });
    await sleep(DELAY_MS + 50);
    const list = await app.inject({ method: 'GET', url: `/api/v1/distributions/${id}/invalidations`, headers: asAdmin });
    expect(list.json()).toMatchObject({ invalidations: [{ status: 'Completed' }] });
  });

  it('deletes only a disabled, deployed distribution', async () => {
    const enabled = await app.inject({ method: 'DELETE', url: `/api/v1/distributions/${id}`, headers: { ...asAdmin, 'if-match': etag } });
    expect(enabled.statusCode).toBe(409);
    const disabled = await app.inject({ method: 'POST', url: `/api/v1/distributions/${id}/disable`, headers: { ...asAdmin, 'if-match': etag } });
    expect(disabled.statusCode).toBe(200);
    const body = disabled.json<DistributionBody & { diff: unknown[] }>();
    expect(body.diff).toEqual([{ path: 'enabled', before: true, after: false }]);
    etag = body.distribution.etag;
    const deploying = await app.inject({ method: 'DELETE', url: `/api/v1/distributions/${id}`, headers: { ...asAdmin, 'if-match': etag } });
    expect(deploying.statusCode).toBe(409);
    await sleep(DELAY_MS + 50);
    const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/distributions/${id}`, headers: { ...asAdmin, 'if-match': etag } });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/distributions/${id}`, headers: asAdmin })).statusCode).toBe(404);
  });
});

describe('local provider: real-time log configs in step with the parser', () => {
  let distributionId = '';

  beforeAll(async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/distributions',
      headers: asAdmin,
      payload: { config: { origins: [{ id: 'web', domainName: 'app.example.com' }], cacheBehaviors: [{ pathPattern: '/api/*', targetOriginId: 'web' }] } },
    });
    distributionId = created.json<DistributionBody>().distribution.id;
  });

  it('lists the fields by group with their size, and estimates the cost', async () => {
    const fields = await app.inject({ method: 'GET', url: '/api/v1/realtime-log-configs/fields', headers: asAdmin });
    expect(fields.json<{ groups: Array<{ id: string }> }>().groups.map((g) => g.id)).toContain('cmcd');
    const estimate = await app.inject({ method: 'POST', url: '/api/v1/realtime-log-configs/estimate', headers: asAdmin, payload: { requestsPerSecond: 5000, samplingRate: 20, fields: FIELDS_12 } });
    expect(estimate.json()).toMatchObject({ linesPerSecond: 1000, suggestedShards: 2 });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/realtime-log-configs/estimate', headers: asAdmin, payload: { requestsPerSecond: 5000, samplingRate: 20, fields: ['nope'] } });
    expect(errorOf(bad).error.parameter).toBe('fields');
  });

  it('creates a config and registers its layout for the stream', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/realtime-log-configs',
      headers: asAdmin,
      payload: { name: 'edge-logs', samplingRate: 50, fields: FIELDS_12, stream: { arn: STREAM_ARN }, role: { arn: ROLE_ARN } },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ config: { name: 'edge-logs', arn: 'arn:aws:cloudfront::000000000000:realtime-log-config/edge-logs', parserLayouts: [{ fieldCount: 12, samplingRate: 50, retiredAt: null }] } });
    expect(logConfigs.forStream('edge-logs')).toMatchObject({ name: 'edge-logs', samplingRate: 50, fields: FIELDS_12 });
  });

  it('refuses a second config with another field set on the same stream', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/realtime-log-configs',
      headers: asAdmin,
      payload: { name: 'other', samplingRate: 50, fields: FIELDS_12.slice(0, 5), stream: { arn: STREAM_ARN }, role: { arn: ROLE_ARN } },
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).error).toMatchObject({ parameter: 'stream' });
    expect(errorOf(response).error.message).toMatch(/one stream carries one layout/);
  });

  it('refuses a field change that keeps the field count, and takes one that changes it', async () => {
    const sameCount = [...FIELDS_12.slice(0, 11), 'sc-bytes'];
    const refused = await app.inject({ method: 'PUT', url: '/api/v1/realtime-log-configs/edge-logs', headers: asAdmin, payload: { fields: sameCount } });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).error.parameter).toBe('fields');
    expect(errorOf(refused).error.message).toMatch(/12 fields, as the current one.*new stream/);

    const changed = await app.inject({ method: 'PUT', url: '/api/v1/realtime-log-configs/edge-logs', headers: asAdmin, payload: { fields: [...FIELDS_12, 'sc-bytes'], samplingRate: 100 } });
    expect(changed.statusCode).toBe(200);
    const view = changed.json<{ config: { parserLayouts: Array<{ fieldCount: number; samplingRate: number }> } }>().config;
    expect(view.parserLayouts.map((l) => [l.fieldCount, l.samplingRate])).toEqual([
      [13, 100],
      [12, 50],
    ]);
    expect(logConfigs.forStream('edge-logs')?.retiredLayouts?.[0]?.fields).toHaveLength(12);
  });

  it('attaches to and detaches from a cache behavior; an attached config cannot be deleted', async () => {
    const attach = await app.inject({ method: 'POST', url: '/api/v1/realtime-log-configs/edge-logs/attachments', headers: asAdmin, payload: { distributionId, pathPattern: '/api/*' } });
    expect(attach.statusCode).toBe(200);
    expect(attach.json<{ diff: unknown[] }>().diff).toEqual([{ path: 'cacheBehaviors[0].realtimeLogConfigArn', before: null, after: 'arn:aws:cloudfront::000000000000:realtime-log-config/edge-logs' }]);
    const list = await app.inject({ method: 'GET', url: '/api/v1/realtime-log-configs', headers: asAdmin });
    expect(list.json()).toMatchObject({ provider: 'local', configs: [{ name: 'edge-logs', attachedTo: [{ distributionId, pathPattern: '/api/*' }] }] });
    const inUse = await app.inject({ method: 'DELETE', url: '/api/v1/realtime-log-configs/edge-logs', headers: asAdmin });
    expect(inUse.statusCode).toBe(409);
    const noBehavior = await app.inject({ method: 'POST', url: '/api/v1/realtime-log-configs/edge-logs/attachments', headers: asAdmin, payload: { distributionId, pathPattern: '/nope/*' } });
    expect(errorOf(noBehavior).error.parameter).toBe('pathPattern');
    const detach = await app.inject({ method: 'DELETE', url: '/api/v1/realtime-log-configs/edge-logs/attachments', headers: asAdmin, payload: { distributionId, pathPattern: '/api/*' } });
    expect(detach.statusCode).toBe(200);
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/realtime-log-configs/edge-logs', headers: asAdmin });
    expect(deleted.statusCode).toBe(204);
    // The stream's records still need their layout: the registry keeps it.
    expect(logConfigs.forStream('edge-logs')).toBeDefined();
  });
});

describe('change markers and the audit log', () => {
  it('lists applied changes for chart markers (viewers may read them) and the audit log with diffs (admins)', async () => {
    const markers = await app.inject({ method: 'GET', url: '/api/v1/changes', headers: asViewer });
    expect(markers.statusCode).toBe(200);
    const actions = markers.json<{ markers: Array<{ action: string; resourceType: string; actor: string; summary: string }> }>().markers;
    expect(actions.map((m) => `${m.action} ${m.resourceType}`)).toEqual(
      expect.arrayContaining(['create distribution', 'update distribution', 'disable distribution', 'delete distribution', 'invalidate invalidation', 'attach realtime-log-config', 'update realtime-log-config']),
    );
    expect(actions.every((m) => m.actor === 'test-admin')).toBe(true);
    expect(actions.find((m) => m.action === 'update' && m.resourceType === 'distribution')?.summary).toMatch(/geoRestriction/);
    const audit = await app.inject({ method: 'GET', url: '/api/v1/control-plane/audit?limit=500', headers: asAdmin });
    const entries = audit.json<{ entries: Array<{ action: string; outcome: string; diff: Array<{ path: string }>; before: unknown; after: unknown; actorRole: string }> }>().entries;
    const update = entries.find((e) => e.action === 'update' && e.outcome === 'applied' && e.diff.some((d) => d.path === 'geoRestriction.type'));
    expect(update).toMatchObject({ actorRole: 'admin', before: { geoRestriction: { type: 'none' } }, after: { geoRestriction: { type: 'block', countries: ['FR'] } } });
    // Attempts the provider refused are recorded as failed (the delete while deploying, the delete of an
    // attached log config); those refused before reaching it (a stale ETag) are not changes at all.
    expect(entries.filter((e) => e.outcome === 'failed').map((e) => e.action)).toEqual(['delete', 'delete']);
    expect((await app.inject({ method: 'GET', url: '/api/v1/control-plane/audit', headers: asViewer })).statusCode).toBe(403);
  });
});
