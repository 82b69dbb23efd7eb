/**
 * End to end in one process, as `npm start` runs it: simulator → local Kinesis → source → parser →
 * enrichment → writer → embedded ClickHouse (with rollups) → /healthz.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('embedded pipeline end to end', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-e2e-'));
  const config = loadConfig({
    EDGEWATCH_DATA_DIR: dataDir,
    PORT: '0',
    EDGEWATCH_LOCAL_KINESIS_PORT: '46011',
    EDGEWATCH_SIMULATOR_RATE: '400',
    EDGEWATCH_BATCH_MAX_AGE_MS: '500',
    EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
    EDGEWATCH_LOG_LEVEL: 'warn',
  });
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    pipeline = await startPipeline(config, createLogger('warn'));
  });

  afterAll(async () => {
    await pipeline.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every simulated request exactly once, with rollups and health', async () => {
    const simulator = pipeline.simulator!;
    await waitFor('simulated traffic', () => simulator.stats().linesWritten >= 1500);
    await simulator.stop();
    const sent = simulator.stats().linesWritten;
    await waitFor('every line processed', () => {
      const c = pipeline.processor.counts();
      return c.records + c.deadLetters >= sent;
    });

    const [row] = await pipeline.clickhouse.query<{ rows: string; distinct_ids: string; unknown_distribution: string }>(
      `SELECT count() AS rows, uniqExact(x_edge_request_id) AS distinct_ids, countIf(distribution_id = '') AS unknown_distribution
       FROM ${config.clickhouse.database}.requests`,
    );
    expect(Number(row!.distinct_ids)).toBe(sent);
    expect(Number(row!.rows)).toBe(sent);
    expect(Number(row!.unknown_distribution)).toBe(0);
    expect(pipeline.processor.counts().deadLetters).toBe(0);

    const [rollup] = await pipeline.clickhouse.query<{ sampled: string }>(
      `SELECT sum(sampled_requests) AS sampled FROM ${config.clickhouse.database}.requests_1m`,
    );
    expect(Number(rollup!.sampled)).toBe(sent);

    const health = await pipeline.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const report = health.json<{ recordsIngested: number; shards: Array<{ shardId: string }>; lastInsertAt: string | null }>();
    expect(report.recordsIngested).toBe(sent);
    expect(report.shards.length).toBe(config.kinesis.localShardCount);
    expect(report.lastInsertAt).not.toBeNull();

    const page = await pipeline.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('resumes from its checkpoints after a graceful restart, losing and repeating nothing', async () => {
    const [before] = await pipeline.clickhouse.query<{ rows: string }>(`SELECT count() AS rows FROM ${config.clickhouse.database}.requests`);
    await pipeline.stop();
    pipeline = await startPipeline(config, createLogger('warn'));
    const simulator = pipeline.simulator!;
    await waitFor('more simulated traffic', () => simulator.stats().linesWritten >= 800);
    await simulator.stop();
    const sentAfterRestart = simulator.stats().linesWritten;
    // Records already stored before the restart are not read again: the source starts after its checkpoints.
    await waitFor('every new line processed', () => pipeline.processor.counts().records >= sentAfterRestart);
    expect(pipeline.processor.counts().records).toBe(sentAfterRestart);
    const [row] = await pipeline.clickhouse.query<{ rows: string; distinct_ids: string }>(
      `SELECT count() AS rows, uniqExact(x_edge_request_id) AS distinct_ids FROM ${config.clickhouse.database}.requests`,
    );
    expect(Number(row!.rows)).toBe(Number(before!.rows) + sentAfterRestart);
    expect(Number(row!.distinct_ids)).toBe(Number(row!.rows));
  });
});
