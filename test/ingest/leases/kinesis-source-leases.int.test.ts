/**
 * KinesisSource with shard leases, two workers in this process: a worker that joins steals leases
 * from the one reading; the old owner's reader stops without committing, the new owner re-cuts the
 * range left in flight exactly, and every record is delivered with no gap. Without leases the source
 * is unchanged (the other Kinesis source tests).
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawBatch } from '../../../processor/batch.js';
import { createKinesisClient } from '../../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis, type LocalKinesis } from '../../../ingest/kinesis/local-kinesis.js';
import { createDynamoDbClient } from '../../../ingest/leases/dynamodb-client.js';
import { LeaseCoordinator } from '../../../ingest/leases/lease-coordinator.js';
import { DynamoDbLeaseTable } from '../../../ingest/leases/lease-table.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/local-dynamodb.js';
import { createRecordingLogger, makeTempDir, payloads, readWholeShard, text, waitFor } from '../kinesis-test-kit.js';

const KINESIS_PORT = 47040;
const DYNAMO_PORT = 47041;
const STREAM = 'source-leases';
const SHARDS = 4;

let kinesis: LocalKinesis;
let dynamo: LocalDynamoDb;
let client: KinesisClient;
let dynamoClient: DynamoDBClient;

beforeAll(async () => {
  kinesis = await startLocalKinesis({ path: join(makeTempDir('source-leases'), 'kinesis'), port: KINESIS_PORT, streamName: STREAM, shardCount: SHARDS });
  dynamo = await startLocalDynamoDb(DYNAMO_PORT);
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
  dynamoClient = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
});

afterAll(async () => {
  client?.destroy();
  dynamoClient?.destroy();
  await dynamo?.close();
  await kinesis?.close();
});

interface Delivery {
  readonly worker: string;
  readonly batch: RawBatch;
}

describe('KinesisSource with shard leases', () => {
  it('a worker that joins takes its share; the old owner stops those readers without committing; nothing is lost', { timeout: 120_000 }, async () => {
    const table = new DynamoDbLeaseTable({ client: dynamoClient, tableName: 'source-leases', streamName: STREAM });
    const deliveries: Delivery[] = [];
    const logs = { a: createRecordingLogger(), b: createRecordingLogger() };
    const worker = (id: 'a' | 'b') => {
      const coordinator = new LeaseCoordinator({ table, workerId: id, leaseDurationMs: 1_500, logger: logs[id] });
      const source = new KinesisSource({
        client,
        streamName: STREAM,
        checkpoints: coordinator.checkpoints,
        ownership: coordinator,
        handler: async (batch) => {
          // A slow sink: batches are under way when leases move.
          await new Promise((resolve) => setTimeout(resolve, 150));
          deliveries.push({ worker: id, batch });
        },
        initialPosition: 'TRIM_HORIZON',
        maxBatchRecords: 25,
        maxBatchBytes: 1024 * 1024,
        maxBatchAgeMs: 200,
        pollIntervalMs: 200,
        shardSyncIntervalMs: 600_000,
        logger: logs[id],
      });
      return { coordinator, source };
    };
    const writer = new KinesisRecordWriter({ client, streamName: STREAM });
    await writer.putRecords(payloads(0, 2_000));

    const a = worker('a');
    await a.coordinator.start();
    await a.source.start();
    await waitFor('a holds every shard', () => a.coordinator.heldShards().length === SHARDS);
    await waitFor('a reading', () => deliveries.length >= 4);

    const b = worker('b');
    await b.coordinator.start();
    await b.source.start();
    await waitFor('b holds its share', () => b.coordinator.heldShards().length === SHARDS / 2, 30_000);
    await writer.putRecords(payloads(2_000, 1_000));
    const delivered = () => new Set(deliveries.flatMap((d) => d.batch.records.map((r) => text(r.data)))).size;
    await waitFor('every record delivered', () => delivered() === 3_000, 60_000);
    await a.source.stop();
    await a.coordinator.stop();
    await b.source.stop();
    await b.coordinator.stop();

    // a saw its stolen shards go and stopped those readers.
    expect(logs.a.entries.some((e) => e.message === 'lease lost; the reader stops without committing')).toBe(true);
    for (const shardId of b.coordinator.owners().keys()) {
      const whole = await readWholeShard(client, STREAM, shardId);
      const mine = deliveries.filter((d) => d.batch.shardId === shardId);
      // No gap: every record of the shard was delivered.
      const seen = new Set(mine.flatMap((d) => d.batch.records.map((r) => r.sequenceNumber)));
      expect(whole.every((r) => seen.has(r.sequenceNumber)), shardId).toBe(true);
      // A range delivered twice (the old owner's batch in flight, re-cut by the new owner) is exactly
      // the same range: it carries the same deduplication token. No two different ranges overlap.
      const ranges = [...new Map(mine.map((d) => [`${d.batch.firstSequence}-${d.batch.lastSequence}`, d.batch])).values()].sort((x, y) =>
        BigInt(x.firstSequence) < BigInt(y.firstSequence) ? -1 : 1,
      );
      for (let i = 1; i < ranges.length; i++) expect(BigInt(ranges[i]!.firstSequence) > BigInt(ranges[i - 1]!.lastSequence), shardId).toBe(true);
      // The checkpoint reached the end of the shard.
      expect((await table.get(shardId))?.checkpoint).toBe(whole.at(-1)?.sequenceNumber);
    }
    // Both released everything on stop.
    expect((await table.scan()).every((lease) => lease.owner === null)).toBe(true);
  });
});
