/**
 * `edgewatch ingest`, `process` and `serve` refuse an incomplete scale-out configuration before
 * they touch anything: no Kafka brokers (`process`, `serve`), or no ClickHouse server to share
 * (`process`, `serve`, and `ingest` workers sharing leases without Kafka). No broker is needed for these checks.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function edgewatch(command: string, env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-scale-out-cli-'));
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), command], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', EDGEWATCH_DATA_DIR: dataDir, PORT: '0', ...env },
  });
  const left = fs.readdirSync(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { ...result, left };
}

describe('scale-out commands', () => {
  it('process without EDGEWATCH_CLICKHOUSE_URL says so and exits without an embedded store', () => {
    // The broker address is never dialled: the check comes first.
    const result = edgewatch('process', { EDGEWATCH_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('EDGEWATCH_CLICKHOUSE_URL');
    expect(result.left).not.toContain('clickhouse');
  });

  // `ingest` without Kafka stores in-process (test/ingest/leases/multi-worker-ingest.int.test.ts).
  it('process without EDGEWATCH_KAFKA_BROKERS says so', () => {
    const result = edgewatch('process', { EDGEWATCH_CLICKHOUSE_URL: 'http://127.0.0.1:1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('EDGEWATCH_KAFKA_BROKERS');
    expect(result.stderr).toContain('edgewatch start');
  });

  it('serve without EDGEWATCH_CLICKHOUSE_URL or Kafka says what to set and exits before touching a store', () => {
    const noClickHouse = edgewatch('serve', { EDGEWATCH_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(noClickHouse.status).toBe(2);
    expect(noClickHouse.stderr).toContain('edgewatch serve');
    expect(noClickHouse.stderr).toContain('EDGEWATCH_CLICKHOUSE_URL');
    expect(noClickHouse.left).not.toContain('clickhouse');
    const noKafka = edgewatch('serve', { EDGEWATCH_CLICKHOUSE_URL: 'http://127.0.0.1:1' });
    expect(noKafka.status).toBe(2);
    expect(noKafka.stderr).toContain('EDGEWATCH_KAFKA_BROKERS');
  });

  it('ingest workers sharing a lease table without Kafka need a ClickHouse server to share', () => {
    const result = edgewatch('ingest', { EDGEWATCH_LEASE_TABLE: 'edgewatch-leases', EDGEWATCH_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('EDGEWATCH_CLICKHOUSE_URL');
    expect(result.left).not.toContain('clickhouse');
  });

  it('process on a raw-lines topic needs the log config fields', () => {
    const result = edgewatch('process', { EDGEWATCH_KAFKA_BROKERS: '127.0.0.1:1', EDGEWATCH_CLICKHOUSE_URL: 'http://127.0.0.1:1', EDGEWATCH_KAFKA_TOPIC_FORMAT: 'lines' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('EDGEWATCH_LOG_FIELDS');
  });

  it('reads the Kafka settings, with defaults, and names the variable of a bad one', () => {
    const config = loadConfig({ EDGEWATCH_KAFKA_BROKERS: ' 10.0.0.1:9092, broker-2:9093 ' }, ROOT);
    expect(config.kafka).toEqual({
      brokers: ['10.0.0.1:9092', 'broker-2:9093'],
      clientId: 'edgewatch',
      topic: 'edgewatch.raw',
      topicFormat: 'ranges',
      partitions: 6,
      replicationFactor: undefined,
      deadLetterTopic: 'edgewatch.dead-letters',
      groupId: 'edgewatch-processor',
      maxMessageBytes: 8 * 1024 * 1024,
      sessionTimeoutMs: 30_000,
      concurrentPartitions: 2,
      compression: 'none',
      liveTopic: 'edgewatch-live',
      liveFiltersTopic: 'edgewatch-live-filters',
      liveMaxPushedFilters: 64,
      liveRecordsPerSecond: 50,
      liveMaxCells: 2_000,
    });
    expect(loadConfig({}, ROOT).kafka.brokers).toBeUndefined();
    expect(() => loadConfig({ EDGEWATCH_KAFKA_BROKERS: 'no-port' }, ROOT)).toThrow(/EDGEWATCH_KAFKA_BROKERS/);
    expect(() => loadConfig({ EDGEWATCH_KAFKA_TOPIC: 'a topic' }, ROOT)).toThrow(/EDGEWATCH_KAFKA_TOPIC/);
    expect(() => loadConfig({ EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS: '1000' }, ROOT)).toThrow(/EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS/);
    expect(() => loadConfig({ EDGEWATCH_KAFKA_LIVE_TOPIC: 'live feed' }, ROOT)).toThrow(/EDGEWATCH_KAFKA_LIVE_TOPIC/);
    expect(() => loadConfig({ EDGEWATCH_LIVE_FEED_RECORDS_PER_SECOND: '-1' }, ROOT)).toThrow(/EDGEWATCH_LIVE_FEED_RECORDS_PER_SECOND/);
    expect(() => loadConfig({ EDGEWATCH_LIVE_FEED_MAX_CELLS: '0' }, ROOT)).toThrow(/EDGEWATCH_LIVE_FEED_MAX_CELLS/);
    expect(() => loadConfig({ EDGEWATCH_KAFKA_LIVE_FILTERS_TOPIC: 'live/filters' }, ROOT)).toThrow(/EDGEWATCH_KAFKA_LIVE_FILTERS_TOPIC/);
    expect(() => loadConfig({ EDGEWATCH_LIVE_FEED_MAX_FILTERS: '0' }, ROOT)).toThrow(/EDGEWATCH_LIVE_FEED_MAX_FILTERS/);
  });
});
