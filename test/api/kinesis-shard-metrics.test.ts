/**
 * Per-shard Kinesis figures in /healthz and /metrics: on the API (`edgewatch start`) and on the
 * health server of the scale-out roles.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { HealthReport, ShardHealth } from '../../api/health.js';
import { buildHealthServer } from '../../cli/health-server.js';
import { kinesisShardHealth } from '../../cli/kinesis-read-setup.js';
import { buildTestApp, healthyReport } from '../support/api-test-kit.js';

const lagging: ShardHealth = {
  shardId: 'shardId-000000000000',
  millisBehindLatest: 45_000,
  lastSequence: '49',
  recordsRead: 1200,
  finished: false,
  stream: 'edge-logs',
  readMode: 'polling',
  bytesRead: 600_000,
  recordsPerSecond: 120.5,
  bytesPerSecond: 60_250,
  throttles: 7,
  errors: { throttled: 7, 'expired-iterator': 1, 'stream-not-found': 0, transient: 2, fatal: 0 },
  leaseOwner: 'worker-a',
};
const subscribed: ShardHealth = {
  ...lagging,
  shardId: 'shardId-000000000001',
  millisBehindLatest: 0,
  readMode: 'fan-out',
  throttles: 0,
  errors: { throttled: 0, 'expired-iterator': 0, 'stream-not-found': 0, transient: 0, fatal: 0 },
  leaseOwner: null,
};
// A Kafka partition of the process role: no Kinesis figures.
const partition: ShardHealth = { shardId: 'edgewatch-ranges/0', millisBehindLatest: null, lastSequence: '12', recordsRead: 5, finished: false };
const report: HealthReport = healthyReport({ shards: [lagging, subscribed, partition] });

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function expectShardMetrics(text: string): void {
  const s0 = 'stream="edge-logs",shard="shardId-000000000000"';
  const s1 = 'stream="edge-logs",shard="shardId-000000000001"';
  expect(value(text, `edgewatch_kinesis_millis_behind_latest{${s0}}`)).toBe(45_000);
  expect(value(text, `edgewatch_kinesis_millis_behind_latest{${s1}}`)).toBe(0);
  expect(value(text, `edgewatch_kinesis_records_total{${s0}}`)).toBe(1200);
  expect(value(text, `edgewatch_kinesis_bytes_total{${s0}}`)).toBe(600_000);
  expect(value(text, `edgewatch_kinesis_records_per_second{${s0}}`)).toBe(120.5);
  expect(value(text, `edgewatch_kinesis_bytes_per_second{${s0}}`)).toBe(60_250);
  expect(value(text, `edgewatch_kinesis_throttles_total{${s0}}`)).toBe(7);
  expect(value(text, `edgewatch_kinesis_errors_total{${s0},kind="expired-iterator"}`)).toBe(1);
  expect(value(text, `edgewatch_kinesis_errors_total{${s0},kind="transient"}`)).toBe(2);
  expect(value(text, `edgewatch_kinesis_shard_info{${s0},owner="worker-a",mode="polling"}`)).toBe(1);
  expect(value(text, `edgewatch_kinesis_shard_info{${s1},owner="",mode="fan-out"}`)).toBe(1);
  expect(text).toContain('# TYPE edgewatch_kinesis_throttles_total counter');
  expect(text).not.toContain('edgewatch-ranges/0",');
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe('per-shard Kinesis figures', () => {
  it('are in /metrics and /healthz of the API', async () => {
    const { app } = await buildTestApp({ health: () => report });
    apps.push(app);
    expectShardMetrics((await app.inject({ method: 'GET', url: '/metrics' })).body);
    const health = (await app.inject({ method: 'GET', url: '/healthz' })).json<HealthReport>();
    expect(health.shards).toEqual([lagging, subscribed, partition]);
  });

  it('are in /metrics and /healthz of the scale-out roles health server', async () => {
    const app = buildHealthServer(() => report);
    apps.push(app);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expectShardMetrics(metrics.body);
    expect(value(metrics.body, 'edgewatch_records_ingested_total')).toBe(report.recordsIngested);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json<HealthReport>().shards).toEqual([lagging, subscribed, partition]);
  });

  it('are taken from the shard reader status', () => {
    const base = {
      shardId: 'shardId-000000000003',
      parentShardIds: [],
      millisBehindLatest: 1000,
      lastSequence: '7',
      recordsRead: 3,
      finished: false,
      committedSequence: '7',
      inFlight: null,
      batchesCommitted: 1,
      backpressureWaitMs: 0,
    } as const;
    expect(kinesisShardHealth('s', { ...base, state: 'waiting-for-parents' })).toEqual({
      shardId: 'shardId-000000000003',
      millisBehindLatest: 1000,
      lastSequence: '7',
      recordsRead: 3,
      finished: false,
      stream: 's',
    });
    const reads = { mode: 'fan-out', bytesRead: 30, recordsPerSecond: 0.3, bytesPerSecond: 3, throttles: 1, errors: { throttled: 1, 'expired-iterator': 0, 'stream-not-found': 0, transient: 0, fatal: 0 }, leaseOwner: 'w' } as const;
    expect(kinesisShardHealth('s', { ...base, state: 'reading', reads })).toMatchObject({ readMode: 'fan-out', bytesRead: 30, throttles: 1, leaseOwner: 'w', recordsPerSecond: 0.3 });
  });
});
