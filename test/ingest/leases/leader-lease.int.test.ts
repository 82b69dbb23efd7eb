/**
 * The leader lease against dynalite: one holder at a time, handed over on release, taken from a
 * holder that stopped renewing only after the lease duration, and invisible to the shard leases
 * that share the table.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../cli/logger.js';
import { createDynamoDbClient } from '../../../ingest/leases/dynamodb-client.js';
import { LeaderLease } from '../../../ingest/leases/leader-lease.js';
import { DynamoDbLeaseTable } from '../../../ingest/leases/lease-table.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/local-dynamodb.js';

const PORT = 47703;
const logger = createLogger('silent');

let dynamo: LocalDynamoDb;
let client: ReturnType<typeof createDynamoDbClient>;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb(PORT);
  client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

function lease(tableName: string, workerId: string, events: string[], durationMs = 1_200): LeaderLease {
  return new LeaderLease({
    client,
    tableName,
    name: 'alerts',
    workerId,
    leaseDurationMs: durationMs,
    renewIntervalMs: 100,
    onAcquired: () => {
      events.push(`${workerId} leads`);
      return Promise.resolve();
    },
    onLost: () => {
      events.push(`${workerId} stops`);
      return Promise.resolve();
    },
    logger,
  });
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LeaderLease', () => {
  it('has one holder; a release hands it over, the old holder stopping first', async () => {
    const events: string[] = [];
    const a = lease('leader-one', 'a', events);
    const b = lease('leader-one', 'b', events);
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    // Several renewal rounds: the holder keeps it, the other never takes it.
    const first = await a.read();
    await new Promise((r) => setTimeout(r, 500));
    const later = await a.read();
    expect(later?.owner).toBe('a');
    expect(later!.counter).toBeGreaterThan(first!.counter);
    expect(b.isLeader).toBe(false);

    await a.stop();
    await waitUntil('b to lead', () => b.isLeader);
    expect(events).toEqual(['a leads', 'a stops', 'b leads']);
    expect((await b.read())?.epoch).toBe(2);
    await b.stop();
    expect((await b.read())?.owner).toBeNull();
  });

  it('takes the lease of a holder that stopped renewing only once the lease duration has passed', async () => {
    const table = 'leader-expiry';
    const events: string[] = [];
    const c = lease(table, 'c', events, 900);
    // Creates the table; a free lease would be taken at once, so a dead holder is written first.
    await new DynamoDbLeaseTable({ client, tableName: table, streamName: 's' }).ensureTable();
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { leaseKey: { S: 'leader:alerts' }, leaseKind: { S: 'leader' }, leaseOwner: { S: 'ghost' }, leaseCounter: { N: '7' }, leaseEpoch: { N: '3' } },
      }),
    );
    const startedAt = Date.now();
    await c.start();
    expect(c.isLeader).toBe(false);
    await waitUntil('c to take the expired lease', () => c.isLeader);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    expect(await c.read()).toMatchObject({ owner: 'c', epoch: 4 });
    await c.stop();
    expect(events).toEqual(['c leads', 'c stops']);
  });

  it('is not a shard lease: the shard lease table skips it', async () => {
    const events: string[] = [];
    const d = lease('leader-shared', 'd', events);
    await d.start();
    const shards = new DynamoDbLeaseTable({ client, tableName: 'leader-shared', streamName: 'edge-stream' });
    expect(await shards.create('shardId-000000000000', [])).toBe(true);
    expect((await shards.scan()).map((l) => l.shardId)).toEqual(['shardId-000000000000']);
    await d.stop();
  });

  it('refuses a renewal interval that does not fit twice in the lease duration', () => {
    expect(() => new LeaderLease({ client, tableName: 't-x', name: 'alerts', workerId: 'x', leaseDurationMs: 1_000, renewIntervalMs: 600, onAcquired: () => Promise.resolve(), onLost: () => Promise.resolve(), logger })).toThrow(
      /renewIntervalMs/,
    );
  });
});
