/**
 * GET /metrics: Prometheus text from a registry per app, HTTP requests by route template, and the
 * pipeline's figures from its health report and work queues.
 */
import type { FastifyPluginCallback } from 'fastify';
import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { asViewer, buildTestApp, healthyReport, type TestApp } from '../support/api-test-kit.js';
import { dummyRoutes } from './dummy-routes.js';

const apps: TestApp[] = [];
async function build(...args: Parameters<typeof buildTestApp>): Promise<TestApp> {
  const built = await buildTestApp(...args);
  apps.push(built);
  return built;
}
afterEach(async () => {
  for (const { app } of apps.splice(0)) await app.close();
});

async function scrape(built: TestApp): Promise<string> {
  const response = await built.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.body;
}

/** The value of one series, e.g. `edgewatch_dead_letters_total` or `name{label="x"}`. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('is public and counts requests by route template, method and status', async () => {
    const built = await build({ routes: [dummyRoutes] });
    await built.app.inject({ method: 'GET', url: '/api/v1/things', headers: asViewer });
    await built.app.inject({ method: 'GET', url: '/api/v1/things?limit=2', headers: asViewer });
    await built.app.inject({ method: 'GET', url: '/api/v1/things?limit=99', headers: asViewer });
    await built.app.inject({ method: 'GET', url: '/api/v1/things/abc?from=1', headers: asViewer });
    await built.app.inject({ method: 'GET', url: '/api/v1/things' });
    await built.app.inject({ method: 'GET', url: '/no/such/path/secret-looking-123' });
    const text = await scrape(built);
    expect(value(text, 'edgewatch_http_requests_total{route="/api/v1/things",method="GET",status="200"}')).toBe(2);
    expect(value(text, 'edgewatch_http_requests_total{route="/api/v1/things",method="GET",status="400"}')).toBe(1);
    expect(value(text, 'edgewatch_http_requests_total{route="/api/v1/things",method="GET",status="401"}')).toBe(1);
    expect(value(text, 'edgewatch_http_requests_total{route="/api/v1/things/:id",method="GET",status="200"}')).toBe(1);
    // Paths no route serves share one label value: junk requests cannot add series.
    expect(value(text, 'edgewatch_http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(1);
    expect(text).not.toContain('secret-looking-123');
    expect(value(text, 'edgewatch_http_request_duration_seconds_count{route="/api/v1/things",method="GET",status="200"}')).toBe(2);
    expect(text).toContain('edgewatch_http_request_duration_seconds_bucket{le="0.1",route="/api/v1/things",method="GET",status="200"}');
  });

  it('reports the pipeline figures from its health report', async () => {
    const built = await build({
      health: () =>
        healthyReport({
          recordsIngested: 1234,
          deadLetters: 5,
          insertErrors: 2,
          lastInsertAt: '2026-11-30T00:00:10.000Z',
          unknownValues: { 'cs-method': { QUERY: 3, PURGE: 1 } },
          shards: [
            { shardId: 'shardId-000000000000', millisBehindLatest: 1500, lastSequence: '49', recordsRead: 1000, finished: false },
            { shardId: 'shardId-000000000001', millisBehindLatest: null, lastSequence: null, recordsRead: 234, finished: false },
          ],
        }),
    });
    const text = await scrape(built);
    expect(value(text, 'edgewatch_records_ingested_total')).toBe(1234);
    expect(value(text, 'edgewatch_dead_letters_total')).toBe(5);
    expect(value(text, 'edgewatch_insert_errors_total')).toBe(2);
    expect(value(text, 'edgewatch_unknown_values_total{field="cs-method"}')).toBe(4);
    expect(value(text, 'edgewatch_pipeline_status{status="ok"}')).toBe(1);
    expect(value(text, 'edgewatch_pipeline_status{status="degraded"}')).toBe(0);
    expect(value(text, 'edgewatch_last_insert_timestamp_seconds')).toBe(Date.parse('2026-11-30T00:00:10.000Z') / 1000);
    expect(value(text, 'edgewatch_kinesis_shard_behind_latest_seconds{shard_id="shardId-000000000000"}')).toBe(1.5);
    expect(text).not.toContain('edgewatch_kinesis_shard_behind_latest_seconds{shard_id="shardId-000000000001"}');
    expect(value(text, 'edgewatch_kinesis_shard_records_read_total{shard_id="shardId-000000000001"}')).toBe(234);
    expect(text).toContain('# TYPE edgewatch_records_ingested_total counter');
  });

  it('reads the health report once per scrape, and afresh at the next', async () => {
    let records = 10;
    let reads = 0;
    const built = await build({
      health: () => {
        reads++;
        return healthyReport({ recordsIngested: records });
      },
    });
    expect(value(await scrape(built), 'edgewatch_records_ingested_total')).toBe(10);
    records = 25;
    expect(value(await scrape(built), 'edgewatch_records_ingested_total')).toBe(25);
    expect(reads).toBe(2);
  });

  it('reports work queues: running, waiting, time waited, rejected', async () => {
    const built = await build({
      metrics: {
        queues: () => ({
          clickhouse_insert: { running: 2, queued: 3, waitMsTotal: 1500 },
          clickhouse_query: { running: 1, queued: 0, waitMsTotal: 250, rejected: 4 },
        }),
      },
    });
    const text = await scrape(built);
    expect(value(text, 'edgewatch_queue_running{queue="clickhouse_insert"}')).toBe(2);
    expect(value(text, 'edgewatch_queue_waiting{queue="clickhouse_insert"}')).toBe(3);
    expect(value(text, 'edgewatch_queue_wait_seconds_total{queue="clickhouse_insert"}')).toBe(1.5);
    expect(value(text, 'edgewatch_queue_rejected_total{queue="clickhouse_query"}')).toBe(4);
  });

  it('keeps a registry per app, which route plugins extend through app.metricsRegistry', async () => {
    const withGauge: FastifyPluginCallback = (app, _options, done) => {
      new Gauge({ name: 'edgewatch_live_clients', help: 'Connected live-stream clients.', registers: [app.metricsRegistry] }).set(3);
      done();
    };
    const first = await build({ routes: [dummyRoutes, withGauge] });
    const second = await build({ routes: [dummyRoutes] });
    await first.app.inject({ method: 'GET', url: '/api/v1/things', headers: asViewer });
    expect(value(await scrape(first), 'edgewatch_http_requests_total{route="/api/v1/things",method="GET",status="200"}')).toBe(1);
    expect(value(await scrape(first), 'edgewatch_live_clients')).toBe(3);
    const other = await scrape(second);
    expect(value(other, 'edgewatch_http_requests_total{route="/api/v1/things",method="GET",status="200"}')).toBeUndefined();
    expect(other).not.toContain('edgewatch_live_clients');
  });

  it('adds Node.js process figures when asked', async () => {
    const built = await build({ metrics: { processMetrics: true } });
    const text = await scrape(built);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
