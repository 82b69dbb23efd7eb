import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { StatsService } from '../../api/stats/stats-service.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';

const dataDir = tempDataDir('stats-service');
let ch: ClickHouse;

beforeAll(async () => {
  ch = await migrated(dataDir, 'svc');
});

afterAll(async () => {
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const SLOW = { sql: 'SELECT sum(cityHash64(number)) AS v FROM numbers(100000000000)', params: {} };

describe('StatsService', () => {
  it('answers 503 overloaded with Retry-After beyond its concurrency, instead of queueing', async () => {
    const service = new StatsService({ clickhouse: ch, maxConcurrent: 1, maxExecutionTimeS: 1 });
    const first = service.run(SLOW).catch((err: unknown) => err);
    await expect(service.run({ sql: 'SELECT 1 AS v', params: {} })).rejects.toMatchObject({ statusCode: 503, code: 'overloaded', retryAfterS: 1 });
    await first;
  });

  it('bounds a query by max_execution_time and says so without SQL', async () => {
    const service = new StatsService({ clickhouse: ch, maxExecutionTimeS: 1 });
    const err = await service.run(SLOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ statusCode: 503, code: 'query_timeout' });
    expect((err as Error).message).not.toMatch(/SELECT|numbers/);
  });

  it('bounds the result size', async () => {
    const service = new StatsService({ clickhouse: ch, maxResultRows: 10 });
    await expect(service.run({ sql: 'SELECT number FROM numbers(1000)', params: {} })).rejects.toMatchObject({ statusCode: 422, code: 'result_too_large' });
  });

  it('never holds the writer behind queries: an insert ends while the queries sent before it still run', async () => {
    const service = new StatsService({ clickhouse: ch, maxConcurrent: 4, maxExecutionTimeS: 1 });
    const busy = { sql: "SELECT count() AS v FROM numbers(100000000000) SETTINGS timeout_overflow_mode = 'break'", params: {} };
    const order: string[] = [];
    const load = Array.from({ length: 4 }, () => service.run(busy).then(() => order.push('query')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ch.queueStatsByName().reads).toMatchObject({ running: 1, queued: 3 });
    await ch.command('INSERT INTO svc.dead_letters (reason) VALUES ({r:String})', { r: 'writer turn' });
    order.push('insert');
    await Promise.all(load);
    expect(order).toEqual(['insert', 'query', 'query', 'query', 'query']);
  });

  it('hides other failures behind a generic error that keeps the cause for the log', async () => {
    const service = new StatsService({ clickhouse: ch });
    const err = (await service.run({ sql: 'SELECT nope FROM svc.requests', params: {} }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('stats query failed');
    expect(String((err.cause as Error).message)).toMatch(/nope/);
  });
});
