/**
 * The lease coordinator against DynamoDB (dynalite in this process). Rounds are driven by hand with a
 * clock of the test's own, so "a lease period" is exact and nothing depends on timing.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../ingest/leases/dynamodb-client.js';
import { LeaseLostError, LeaseTableMismatchError } from '../../../ingest/leases/lease.js';
import { LeaseCoordinator } from '../../../ingest/leases/lease-coordinator.js';
import { DynamoDbLeaseTable } from '../../../ingest/leases/lease-table.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/local-dynamodb.js';
import { createRecordingLogger } from '../kinesis-test-kit.js';

const PORT = 47001;
const STREAM = 'leases';
const DURATION_MS = 3_000;
const ROUND_MS = DURATION_MS / 3;
const SHARDS = Array.from({ length: 8 }, (_, i) => ({ shardId: `shardId-00000000000${i}`, parentShardIds: [] }));

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb(PORT);
  client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

/** A group of workers on one new table, sharing a clock the test moves. */
function group() {
  const tableName = `leases-${++tables}`;
  const clock = { now: 1_000_000 };
  const table = new DynamoDbLeaseTable({ client, tableName, streamName: STREAM });
  const worker = (workerId: string) =>
    new LeaseCoordinator({ table, workerId, leaseDurationMs: DURATION_MS, logger: createRecordingLogger(), now: () => clock.now, autoRounds: false });
  return { tableName, table, clock, worker };
}

async function ownerCounts(table: DynamoDbLeaseTable): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const lease of await table.scan()) if (lease.owner !== null && !lease.finished) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  return counts;
}

describe('LeaseCoordinator', () => {
  it('creates the lease table when it is missing (on-demand) and a lease per shard with its parents', async () => {
    const { tableName, table, worker } = group();
    const a = worker('a');
    await a.start();
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(described.Table?.TableStatus).toBe('ACTIVE');
    expect(described.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    await a.track([...SHARDS, { shardId: 'shardId-000000000009', parentShardIds: ['shardId-000000000000', 'shardId-000000000001'] }]);
    const child = await table.get('shardId-000000000009');
    expect(child).toMatchObject({ owner: null, counter: 0, checkpoint: null, inFlight: null, finished: false, parentShardIds: ['shardId-000000000000', 'shardId-000000000001'] });
    // A second worker starting on the existing table neither fails nor recreates leases.
    const b = worker('b');
    await b.start();
    await b.track(SHARDS);
    expect(await table.scan()).toHaveLength(9);
    await a.stop();
    await b.stop();
  });

  it('refuses a lease table that belongs to another stream', async () => {
    const { tableName, worker } = group();
    const a = worker('a');
    await a.start();
    await a.track(SHARDS.slice(0, 1));
    const other = new DynamoDbLeaseTable({ client, tableName, streamName: 'another-stream' });
    await expect(other.scan()).rejects.toBeInstanceOf(LeaseTableMismatchError);
    await a.stop();
  });

  it('a worker that joins gets its share: nobody holds more than ceil(shards/workers)+1 within two lease periods', async () => {
    const { table, clock, worker } = group();
    const a = worker('a');
    await a.start();
    await a.track(SHARDS);
    await a.runRound();
    expect(a.heldShards()).toHaveLength(8);

    const b = worker('b');
    await b.start();
    // Two lease periods: six rounds of each worker, leaseDuration/3 apart.
    for (let round = 0; round < 6; round++) {
      clock.now += ROUND_MS;
      await a.runRound();
      await b.runRound();
    }
    const counts = await ownerCounts(table);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(Math.ceil(8 / 2) + 1);
    expect(a.heldShards().length + b.heldShards().length).toBe(8);
    // The table and each worker's view agree.
    expect(counts.get('a')).toBe(a.heldShards().length);
    expect(counts.get('b')).toBe(b.heldShards().length);

    // A third worker: within two more periods, at most ceil(8/3)+1 each.
    const c = worker('c');
    await c.start();
    for (let round = 0; round < 6; round++) {
      clock.now += ROUND_MS;
      await a.runRound();
      await b.runRound();
      await c.runRound();
    }
    const three = await ownerCounts(table);
    expect([...three.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(Math.max(...three.values())).toBeLessThanOrEqual(Math.ceil(8 / 3) + 1);
    for (const w of [a, b, c]) await w.stop();
  });

  it('takes the leases of a worker that stopped renewing only after a whole lease period, and that worker cannot checkpoint any more', async () => {
    const { table, clock, worker } = group();
    const a = worker('a');
    const b = worker('b');
    await a.start();
    await a.track(SHARDS.slice(0, 2));
    await a.runRound();
    expect(a.heldShards()).toHaveLength(2);
    // Balancing: b takes one of a's two leases at once (its fair share is one).
    await b.start();
    expect(b.heldShards()).toHaveLength(1);
    // a has not noticed yet; the shard it still really holds is the other one.
    const shardId = a.heldShards().find((id) => !b.heldShards().includes(id))!;
    const stale = a.holding(shardId)!;
    await stale.checkpoints.commit(STREAM, shardId, '100');
    await stale.checkpoints.markInFlight(STREAM, shardId, { first: '101', last: '150' });

    // a is silent from now on. Not yet more than a whole period without a renewal: b leaves it alone.
    clock.now += DURATION_MS;
    await b.runRound();
    expect(b.heldShards()).toHaveLength(1);
    clock.now += ROUND_MS;
    await b.runRound();
    expect(b.heldShards()).toEqual(['shardId-000000000000', 'shardId-000000000001']);

    // The new owner resumes from the checkpoint and re-cuts the range left in flight.
    expect(await b.checkpoints.load(STREAM, shardId)).toEqual({ sequenceNumber: '100', inFlight: { first: '101', last: '150' }, finished: false });

    // The old owner's writes are refused and change nothing.
    await expect(stale.checkpoints.commit(STREAM, shardId, '150')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(stale.checkpoints.markInFlight(STREAM, shardId, { first: '151', last: '160' })).rejects.toBeInstanceOf(LeaseLostError);
    await expect(stale.checkpoints.markFinished(STREAM, shardId)).rejects.toBeInstanceOf(LeaseLostError);
    expect(a.holding(shardId)).toBeUndefined();
    expect(await table.get(shardId)).toMatchObject({ owner: 'b', checkpoint: '100', inFlight: { first: '101', last: '150' }, finished: false });

    // a renews: finds out it lost its lease, and being alive again, balancing gives it one of the two.
    await a.runRound();
    expect(a.heldShards()).toHaveLength(1);

    // Even when a takes the very same lease again, the old holding stays refused (the epoch moved on).
    await b.stop();
    await a.runRound();
    expect(a.heldShards()).toContain(shardId);
    expect(a.holding(shardId)!.epoch).toBeGreaterThan(stale.epoch);
    await expect(stale.checkpoints.commit(STREAM, shardId, '150')).rejects.toBeInstanceOf(LeaseLostError);
    await a.holding(shardId)!.checkpoints.commit(STREAM, shardId, '150');
    expect((await table.get(shardId))?.checkpoint).toBe('150');
    await a.stop();
  });

  it('a graceful stop releases every lease at once: another worker takes them without waiting for expiry', async () => {
    const { table, worker } = group();
    const a = worker('a');
    const b = worker('b');
    await a.start();
    await a.track(SHARDS);
    await a.runRound();
    await b.start();
    expect(b.heldShards()).toHaveLength(1);
    await a.stop();
    expect((await table.scan()).filter((lease) => lease.owner === null)).toHaveLength(7);
    // Same instant: no lease period has passed.
    await b.runRound();
    expect(b.heldShards()).toHaveLength(8);
    await b.stop();
  });

  it('a stolen lease: the thief holds it at once and the old owner finds out at its next write or renewal', async () => {
    const { clock, worker } = group();
    const a = worker('a');
    const b = worker('b');
    await a.start();
    await a.track(SHARDS.slice(0, 4));
    await a.runRound();
    const before = new Map(a.heldShards().map((id) => [id, a.holding(id)!]));
    // Starting, b steals one lease (its share is two, one per round).
    await b.start();
    const stolen = b.heldShards();
    expect(stolen).toHaveLength(1);
    const victim = before.get(stolen[0]!)!;
    await expect(victim.checkpoints.commit(STREAM, victim.shardId, '1')).rejects.toBeInstanceOf(LeaseLostError);
    expect(a.heldShards()).not.toContain(victim.shardId);
    clock.now += ROUND_MS;
    await b.runRound();
    await a.runRound();
    expect(b.heldShards()).toHaveLength(2);
    expect(a.heldShards()).toHaveLength(2);
    await a.stop();
    await b.stop();
  });

  it('a finished shard frees its lease, is never taken again, and every worker sees it finished', async () => {
    const { table, clock, worker } = group();
    const a = worker('a');
    const b = worker('b');
    await a.start();
    const parent = 'shardId-000000000000';
    await a.track([{ shardId: parent, parentShardIds: [] }]);
    await a.runRound();
    await a.holding(parent)!.checkpoints.commit(STREAM, parent, '42');
    await a.holding(parent)!.checkpoints.markFinished(STREAM, parent);
    expect(a.heldShards()).toEqual([]);
    await b.start();
    clock.now += 2 * DURATION_MS;
    await b.runRound();
    await a.runRound();
    expect(a.heldShards()).toEqual([]);
    expect(b.heldShards()).toEqual([]);
    expect(await b.checkpoints.load(STREAM, parent)).toEqual({ sequenceNumber: '42', inFlight: null, finished: true });
    expect(await table.get(parent)).toMatchObject({ owner: null, finished: true });
    await a.stop();
    await b.stop();
  });

  it('deletes the lease of a finished shard once the stream no longer lists it, and only that one', async () => {
    const { table, worker } = group();
    const a = worker('a');
    await a.start();
    const expired = 'shardId-000000000000';
    const closedListed = 'shardId-000000000001';
    const unfinished = 'shardId-000000000002';
    const child = 'shardId-000000000003';
    await a.track([expired, closedListed, unfinished].map((shardId) => ({ shardId, parentShardIds: [] })));
    await a.runRound();
    for (const shardId of [expired, closedListed]) await a.holding(shardId)!.checkpoints.markFinished(STREAM, shardId);
    await a.runRound();
    // Listed: the closed shard (still inside retention) and the child; no longer listed: the expired
    // parent (finished) and a shard not read to its end, which is kept.
    await a.track([closedListed, child].map((shardId) => ({ shardId, parentShardIds: [] })));
    expect((await table.scan()).map((lease) => lease.shardId).sort()).toEqual([closedListed, unfinished, child].sort());
    expect(a.owners().has(expired)).toBe(false);
    // An empty listing proves nothing: the finished lease stays.
    await a.track([]);
    expect(await table.get(closedListed)).toMatchObject({ finished: true });
    await a.stop();
  });
});
