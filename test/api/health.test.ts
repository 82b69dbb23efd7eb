import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../api/health.js';
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
    const app = buildApp({ health: () => report('ok') });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(report('ok'));
  });

  it('answers 503 while stopping, so load balancers drain it', async () => {
    const app = buildApp({ health: () => report('stopping') });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
  });

  it('serves a page at /', async () => {
    const app = buildApp({ health: () => report('ok') });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('/healthz');
  });
});
