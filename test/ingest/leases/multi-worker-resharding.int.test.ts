/**
 * Two `edgewatch ingest` processes sharing shards through DynamoDB leases while the stream is
 * resharded under load: a split, then a merge of one child with its neighbour. A child is read only
 * after its parents were read to the end by whichever worker held them; closed shards are marked
 * finished in the lease table; rows and distinct x-edge-request-id equal the records sent.
 * kinesalite reports no ChildShards in GetRecords, so children are found through ListShards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, ListShardsCommand, MergeShardsCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
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

const KINESIS_PORT = 47020;
const DYNAMO_PORT = 47021;
const CLICKHOUSE_PORT = 47022;
const SHARD_0 = 'shardId-000000000000';
const SHARD_1 = 'shardId-000000000001';

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly shardId?: string;
}

function logLines(worker: IngestWorker): LogLine[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('ingest workers through a split and a merge under load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-lease-reshard-'));
  const stream = 'lease-reshard';
  const database = 'lease_reshard';
  const workers: IngestWorker[] = [];
  let kinesis: LocalKinesis;
  let dynamo: LocalDynamoDb;
  let fixture: ClickHouseHttpFixture;
  let clickhouse: ClickHouse;
  let kinesisClient: KinesisClient;
  let dynamoClient: DynamoDBClient;
  let env: WorkerEnvironment;

  beforeAll(async () => {
    kinesis = await startLocalKinesis({ path: path.join(dir, 'kinesis'), port: KINESIS_PORT, streamName: stream, shardCount: 2 });
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
      leaseTable: 'edgewatch-lease-reshard',
      leaseDurationMs: 3_000,
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

  const streamActive = async (): Promise<boolean> => {
    const out = await kinesisClient.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  };

  it('reads children only after their parents, with no gap and no duplicate', { timeout: 300_000 }, async () => {
    for (const id of ['worker-a', 'worker-b']) workers.push(spawnIngestWorker(env, id));
    await Promise.all(workers.map((w) => waitFor(`${w.id} ready`, () => w.output().includes('ingest reads the shards whose leases it holds'), 120_000)));

    const traffic = createTraffic(kinesisClient, stream, 23);
    await traffic.write(2_000);
    await waitFor('the first rows', async () => (await storedCounts(clickhouse, database)).rows > 0, 120_000);

    // Load keeps flowing while the stream is resharded.
    let loading = true;
    const load = (async () => {
      while (loading) {
        await traffic.write(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    await kinesisClient.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: SHARD_0, NewStartingHashKey: (2n ** 126n).toString() }));
    await waitFor('the split to complete', streamActive);
    const afterSplit = (await kinesisClient.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    const splitChildren = afterSplit.filter((s) => s.ParentShardId === SHARD_0).sort((x, y) => (BigInt(x.HashKeyRange?.StartingHashKey ?? 0) < BigInt(y.HashKeyRange?.StartingHashKey ?? 0) ? -1 : 1));
    expect(splitChildren).toHaveLength(2);
    const upperChild = splitChildren[1]!.ShardId!;
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // The upper child of the split is adjacent to shard 1: merge them.
    await kinesisClient.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: upperChild, AdjacentShardToMerge: SHARD_1 }));
    await waitFor('the merge to complete', streamActive);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    loading = false;
    await load;
    await traffic.write(1_000);

    const shards = (await kinesisClient.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    const merged = shards.find((s) => s.ParentShardId !== undefined && s.AdjacentParentShardId !== undefined);
    expect(merged).toBeDefined();
    const sent = traffic.sent();
    await waitFor('every record stored', async () => (await storedCounts(clickhouse, database)).distinct >= sent, 180_000);
    expect(await storedCounts(clickhouse, database)).toEqual({ rows: sent, distinct: sent });

    // Closed shards are finished in the lease table; the children have leases that name their parents.
    const table = new DynamoDbLeaseTable({ client: dynamoClient, tableName: env.leaseTable, streamName: stream });
    const leases = new Map((await table.scan()).map((lease) => [lease.shardId, lease]));
    for (const closed of [SHARD_0, SHARD_1, upperChild]) expect(leases.get(closed)?.finished, closed).toBe(true);
    expect(leases.get(upperChild)?.parentShardIds).toEqual([SHARD_0]);
    expect([...(leases.get(merged!.ShardId!)?.parentShardIds ?? [])].sort()).toEqual([SHARD_1, upperChild].sort());
    expect(leases.get(merged!.ShardId!)?.finished).toBe(false);

    // Parents before children, across workers: a child's reader started after each parent was read to its end.
    const lines = workers.flatMap(logLines);
    const endOf = (shardId: string): number => {
      const line = lines.find((l) => l.msg === 'shard read to its end' && l.shardId === shardId);
      if (line === undefined) throw new Error(`no worker read ${shardId} to its end`);
      return line.time;
    };
    const startsOf = (shardId: string): number[] => lines.filter((l) => l.msg === 'reading shard' && l.shardId === shardId).map((l) => l.time);
    for (const child of [...splitChildren.map((s) => s.ShardId!), merged!.ShardId!]) {
      const parents = shards.find((s) => s.ShardId === child) ?? afterSplit.find((s) => s.ShardId === child);
      const parentIds = [parents?.ParentShardId, parents?.AdjacentParentShardId].filter((id): id is string => id !== undefined);
      expect(startsOf(child).length, child).toBeGreaterThan(0);
      for (const parent of parentIds) expect(Math.min(...startsOf(child)), `${child} after ${parent}`).toBeGreaterThanOrEqual(endOf(parent));
    }

    // /healthz names this worker and the lease owner of every shard.
    const healthUrl = /health: (http:\/\/[^\s)]+\/healthz)/.exec(workers[0]!.output())?.[1];
    expect(healthUrl).toBeDefined();
    const report = (await (await fetch(healthUrl!)).json()) as { workerId: string; shards: { shardId: string; leaseOwner: string | null; finished: boolean }[] };
    expect(report.workerId).toBe('worker-a');
    const byShard = new Map(report.shards.map((s) => [s.shardId, s]));
    for (const lease of await table.scan()) {
      expect(byShard.has(lease.shardId), lease.shardId).toBe(true);
      if (!lease.finished) expect(['worker-a', 'worker-b']).toContain(byShard.get(lease.shardId)?.leaseOwner);
    }
    expect(report.shards.some((s) => s.leaseOwner === 'worker-a')).toBe(true);

    for (const worker of workers) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  });
});
