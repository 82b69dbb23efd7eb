/**
 * Three `edgewatch ingest` processes share eight shards through DynamoDB leases and store into one
 * ClickHouse. Mid-stream one is killed with SIGKILL: the others take its leases once they expire and
 * resume from its checkpoints, re-cutting the ranges it had in flight. Afterwards the stored rows and
 * the distinct x-edge-request-id both equal the records sent. A graceful stop releases the leases at
 * once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../../ingest/kinesis/kinesis-client.js';
import { startLocalKinesis, type LocalKinesis } from '../../../ingest/kinesis/local-kinesis.js';
import { createDynamoDbClient } from '../../../ingest/leases/dynamodb-client.js';
import { DynamoDbLeaseTable } from '../../../ingest/leases/lease-table.js';
import { createClickHouse, type ClickHouse } from '../../../processor/storage/clickhouse.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../../support/clickhouse-http-fixture.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/local-dynamodb.js';
import { waitFor } from '../kinesis-test-kit.js';
import { createTraffic, spawnIngestWorker, storedCounts, type IngestWorker, type WorkerEnvironment } from './ingest-worker-kit.js';

const KINESIS_PORT = 47010;
const DYNAMO_PORT = 47011;
const CLICKHOUSE_PORT = 47012;
const SHARDS = 8;
const LEASE_DURATION_MS = 3_000;

describe('three ingest workers on eight shards', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-lease-workers-'));
  const stream = 'lease-workers';
  const database = 'lease_workers';
  const workers: IngestWorker[] = [];
  let kinesis: LocalKinesis;
  let dynamo: LocalDynamoDb;
  let fixture: ClickHouseHttpFixture;
  let clickhouse: ClickHouse;
  let kinesisClient: KinesisClient;
  let dynamoClient: DynamoDBClient;
  let env: WorkerEnvironment;

  beforeAll(async () => {
    kinesis = await startLocalKinesis({ path: path.join(dir, 'kinesis'), port: KINESIS_PORT, streamName: stream, shardCount: SHARDS });
    dynamo = await startLocalDynamoDb(DYNAMO_PORT);
    fixture = await startClickHouseHttpFixture({ dataDir: path.join(dir, 'clickhouse'), port: CLICKHOUSE_PORT });
    clickhouse = createClickHouse({ mode: 'server', url: fixture.url, database, maxExecutionTimeS: 60 });
    kinesisClient = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
    dynamoClient = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
    env = {
      dir,
      stream,
      kinesisEndpoint: kinesis.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      leaseTable: 'edgewatch-lease-workers',
      leaseDurationMs: LEASE_DURATION_MS,
      clickhouseUrl: fixture.url,
      database,
    };
  });

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    kinesisClient?.destroy();
    dynamoClient?.destroy();
    await clickhouse?.close();
    await fixture?.close();
    await dynamo?.close();
    await kinesis?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every record exactly once through a SIGKILLed worker, and a graceful stop releases its leases at once', { timeout: 300_000 }, async () => {
    const table = new DynamoDbLeaseTable({ client: dynamoClient, tableName: env.leaseTable, streamName: stream });
    const owners = async (): Promise<Map<string, string[]>> => {
      const byOwner = new Map<string, string[]>();
      for (const lease of await table.scan()) {
        if (lease.owner === null) continue;
        byOwner.set(lease.owner, [...(byOwner.get(lease.owner) ?? []), lease.shardId]);
      }
      return byOwner;
    };
    for (const id of ['worker-1', 'worker-2', 'worker-3']) workers.push(spawnIngestWorker(env, id));
    await Promise.all(workers.map((w) => waitFor(`${w.id} ready`, () => w.output().includes('ingest reads the shards whose leases it holds'), 120_000)));
    // Every worker holds a share: 3/3/2.
    await waitFor('balanced leases', async () => {
      const byOwner = await owners();
      return byOwner.size === 3 && [...byOwner.values()].every((shards) => shards.length >= 2 && shards.length <= 3);
    }, 60_000);

    const traffic = createTraffic(kinesisClient, stream, 11);
    await traffic.write(3_000);
    await waitFor('the first rows', async () => (await storedCounts(clickhouse, database)).rows > 0, 120_000);
    await traffic.write(3_000);
    // Mid-stream: worker-2 dies without a word while its shards have batches under way.
    const victim = workers[1]!;
    const victimShards = (await owners()).get(victim.id) ?? [];
    expect(victimShards.length).toBeGreaterThan(0);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe(137);
    await traffic.write(3_000);

    // The survivors take the dead worker's leases after they expire and read on from its checkpoints.
    await waitFor('the dead worker\'s leases taken over', async () => {
      const byOwner = await owners();
      return !byOwner.has(victim.id) && [...byOwner.values()].reduce((n, shards) => n + shards.length, 0) === SHARDS;
    }, 60_000);
    await traffic.write(3_000);
    const sent = traffic.sent();
    await waitFor('every record stored', async () => (await storedCounts(clickhouse, database)).distinct >= sent, 180_000);
    expect(await storedCounts(clickhouse, database)).toEqual({ rows: sent, distinct: sent });
    // The dead worker's leases were taken as expired (not released), each from its last checkpoint.
    const takeovers = [workers[0]!, workers[2]!].flatMap((w) => w.output().split('\n')).filter((line) => line.includes('"how":"expired"'));
    expect(takeovers.length).toBe(victimShards.length);

    // Graceful stop: worker-1 checkpoints and releases; directly after it exits none of its leases is
    // still in its name, so the last worker takes them without waiting for them to expire.
    const held = (await owners()).get('worker-1') ?? [];
    expect(held.length).toBeGreaterThan(0);
    workers[0]!.child.kill('SIGTERM');
    expect(await workers[0]!.exited).toBe(0);
    expect((await owners()).has('worker-1')).toBe(false);
    await waitFor('worker-3 holds every shard', async () => ((await owners()).get('worker-3') ?? []).length === SHARDS, 30_000);
    expect(workers[0]!.output()).toContain('leases released');
    // Nothing was left in flight, and nothing more is stored.
    expect(await storedCounts(clickhouse, database)).toEqual({ rows: sent, distinct: sent });
    workers[2]!.child.kill('SIGTERM');
    expect(await workers[2]!.exited).toBe(0);
  });
});
