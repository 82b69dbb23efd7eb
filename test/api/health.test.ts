import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../api/auth/token-store.js';
import { healthStatus, type HealthReport } from '../../api/health.js';
import { buildApp } from '../../api/server.js';

const report = (status: HealthReport['status']): HealthReport => ({
  status,
  uptimeS: 3,
  recordsIngested: 10,
  deadLetters: 1,
  lastInsertAt: '2026-11-30T00:00:00.000Z',
  insertErrors: 0,
  unknownValues: { 'cs-method': { QUERY: 2 } },
  shards: [{ shardId: 'shardId-000000000000', millisBehindLatest: 0, lastSequence: '49', recordsRead: 10, finished: false }],
});

describe('GET /healthz', () => {
  it('reports the pipeline with 200 while running', async () => {
    const app = buildApp({ health: () => report('ok'), auth: TokenStore.empty() });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(report('ok'));
  });

  it('answers 503 while stopping, so load balancers drain it', async () => {
    const app = buildApp({ health: () => report('stopping'), auth: TokenStore.empty() });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
  });

  it('serves a page at /', async () => {
    const app = buildApp({ health: () => report('ok'), auth: TokenStore.empty() });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('/healthz');
  });
});

describe('healthStatus', () => {
  const running = { stopping: false, uptimeS: 60, shardCount: 2, lastInsertAtMs: 2_000, lastInsertErrorAtMs: null };

  it('is ok while inserts succeed and shards are read', () => {
    expect(healthStatus(running)).toBe('ok');
    expect(healthStatus({ ...running, lastInsertErrorAtMs: 1_000 })).toBe('ok');
  });

  it('is degraded while inserts fail or no shard can be listed', () => {
    expect(healthStatus({ ...running, lastInsertErrorAtMs: 3_000 })).toBe('degraded');
    expect(healthStatus({ ...running, lastInsertAtMs: null, lastInsertErrorAtMs: 3_000 })).toBe('degraded');
    expect(healthStatus({ ...running, shardCount: 0 })).toBe('degraded');
    expect(healthStatus({ ...running, shardCount: 0, uptimeS: 5 })).toBe('ok');
  });

  it('is stopping during shutdown', () => {
    expect(healthStatus({ ...running, stopping: true })).toBe('stopping');
  });
});
