/**
 * `npm start`'s pipeline reading a Kinesis stream through the fault proxy while reads are throttled
 * (ProvisionedThroughputExceeded, LimitExceeded) and now and then fail (ExpiredIterator, 503): once the
 * load and the throttling are over, ClickHouse holds every record sent exactly once, and /metrics and
 * /healthz show the throttles per shard.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';
import type { HealthReport } from '../../api/health.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { startLocalKinesis, type LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { KinesisFaultProxy, faults } from '../support/kinesis-fault-proxy.js';
import { waitFor } from '../ingest/kinesis-test-kit.js';

const STREAM = 'edge-throttled';

describe('throttled reads under load', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-throttle-'));
  let kinesis: LocalKinesis;
  let proxy: KinesisFaultProxy;
  let pipeline: RunningPipeline | undefined;

  beforeAll(async () => {
    kinesis = await startLocalKinesis({ path: path.join(dataDir, 'kinesis'), port: 47131, streamName: STREAM, shardCount: 2 });
    proxy = await KinesisFaultProxy.start({ target: kinesis.endpoint, port: 47132 });
    const config = loadConfig({
      EDGEWATCH_DATA_DIR: path.join(dataDir, 'data'),
      PORT: '47133',
      EDGEWATCH_LOCAL_KINESIS: '0',
      EDGEWATCH_KINESIS_ENDPOINT: proxy.url,
      EDGEWATCH_KINESIS_STREAM: STREAM,
      EDGEWATCH_LOG_FIELDS: DEFAULT_LOCAL_FIELD_NAMES.join(','),
      EDGEWATCH_LOG_SAMPLING_RATE: '100',
      EDGEWATCH_SIMULATOR: '1',
      EDGEWATCH_SIMULATOR_RATE: '400',
      EDGEWATCH_BATCH_MAX_AGE_MS: '500',
      EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
      EDGEWATCH_LOG_LEVEL: 'warn',
    });
    pipeline = await startPipeline(config, createLogger('error'));
  });

  afterAll(async () => {
    await pipeline?.stop();
    await proxy.close();
    await kinesis.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every record once and counts the throttles per shard', async () => {
    if (pipeline === undefined) throw new Error('the pipeline did not start');
    const running: RunningPipeline = pipeline;
    const rules = [
      proxy.addRule({ operation: 'GetRecords', probability: 0.5, action: faults.throughputExceeded() }),
      proxy.addRule({ operation: 'GetRecords', probability: 0.1, action: faults.limitExceeded() }),
      proxy.addRule({ operation: 'GetRecords', times: 2, probability: 0.2, action: faults.expiredIterator() }),
      proxy.addRule({ operation: 'GetRecords', times: 2, probability: 0.2, action: faults.serviceUnavailable() }),
    ];
    const simulator = running.simulator!;
    await waitFor('simulated traffic', () => simulator.stats().linesWritten >= 1500, 60_000);
    await simulator.stop();
    // Throttling goes on for a while after the load, then stops.
    await waitFor('throttles seen by the readers', () => running.health().shards.reduce((n, s) => n + (s.throttles ?? 0), 0) >= 2, 60_000);
    for (const rule of rules) rule.remove();
    const sent = simulator.stats().linesWritten;
    await waitFor('every line processed', () => {
      const c = running.processor.counts();
      return c.records + c.deadLetters >= sent;
    }, 60_000);

    const db = running.config.clickhouse.database;
    const [row] = await running.clickhouse.query<{ rows: string; distinct_ids: string }>(
      `SELECT count() AS rows, uniqExact(x_edge_request_id) AS distinct_ids FROM ${db}.requests`,
    );
    expect(Number(row!.rows)).toBe(sent);
    expect(Number(row!.distinct_ids)).toBe(sent);
    expect(running.processor.counts().deadLetters).toBe(0);
    expect(proxy.requests.filter((r) => r.fault === 'ProvisionedThroughputExceededException').length).toBeGreaterThan(0);

    const health = (await running.app.inject({ method: 'GET', url: '/healthz' })).json<HealthReport>();
    const throttles = health.shards.reduce((n, s) => n + (s.throttles ?? 0), 0);
    expect(throttles).toBeGreaterThanOrEqual(2);
    expect(health.shards.every((s) => s.stream === STREAM && s.readMode === 'polling' && typeof s.recordsPerSecond === 'number')).toBe(true);
    expect(health.shards.reduce((n, s) => n + s.recordsRead, 0)).toBe(sent);

    const metrics = (await running.app.inject({ method: 'GET', url: '/metrics' })).body;
    const scraped = metrics
      .split('\n')
      .filter((line) => line.startsWith(`edgewatch_kinesis_throttles_total{stream="${STREAM}"`))
      .reduce((n, line) => n + Number(line.split(' ')[1]), 0);
    expect(scraped).toBe(throttles);
    expect(metrics).toMatch(new RegExp(`edgewatch_kinesis_records_total\\{stream="${STREAM}",shard="shardId-000000000000"\\} \\d+`));
  });
});
