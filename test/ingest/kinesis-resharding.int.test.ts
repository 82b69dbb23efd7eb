import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeStreamSummaryCommand, ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawBatch } from '../../processor/batch.js';
import type { CheckpointStore, SequenceRange, ShardCheckpoint } from '../../ingest/checkpoints/checkpoint-store.js';
import { FileCheckpointStore } from '../../ingest/checkpoints/file-checkpoint-store.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { batchIsWellFormed, createRecordingLogger, makeTempDir, payloads, readWholeShard, recordsByShard, text, waitFor } from './kinesis-test-kit.js';

const PORT = 45104;
const STREAM = 'reshard';
const PARENT = 'shardId-000000000000';
let dir: string;
let kinesis: LocalKinesis;
let client: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('kinesis-reshard');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: PORT, streamName: STREAM, shardCount: 1 });
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
});

afterAll(async () => {
  client.destroy();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

type Event = { kind: 'batch'; shardId: string } | { kind: 'finished'; shardId: string };

/** The real store, with every markFinished noted in the shared event log. */
class ObservedCheckpointStore implements CheckpointStore {
  constructor(
    private readonly inner: CheckpointStore,
    private readonly events: Event[],
  ) {}
  load(stream: string, shardId: string): Promise<ShardCheckpoint | undefined> {
    return this.inner.load(stream, shardId);
  }
  markInFlight(stream: string, shardId: string, range: SequenceRange): Promise<void> {
    return this.inner.markInFlight(stream, shardId, range);
  }
  commit(stream: string, shardId: string, sequenceNumber: string): Promise<void> {
    return this.inner.commit(stream, shardId, sequenceNumber);
  }
  async markFinished(stream: string, shardId: string): Promise<void> {
    await this.inner.markFinished(stream, shardId);
    this.events.push({ kind: 'finished', shardId });
  }
}

describe('KinesisSource resharding', () => {
  it('reads the children of a split shard only after the parent is finished, every record once', async () => {
    const writer = new KinesisRecordWriter({ client, streamName: STREAM });
    await writer.putRecords(payloads(0, 300));

    const events: Event[] = [];
    const batches: RawBatch[] = [];
    const checkpointDir = join(dir, 'checkpoints');
    const source = new KinesisSource({
      client,
      streamName: STREAM,
      checkpoints: new ObservedCheckpointStore(new FileCheckpointStore(checkpointDir), events),
      handler: async (batch) => {
        // A slow sink, so the split happens while the parent is still being read.
        await new Promise((resolve) => setTimeout(resolve, 20));
        batches.push(batch);
        events.push({ kind: 'batch', shardId: batch.shardId });
      },
      initialPosition: 'TRIM_HORIZON',
      maxBatchRecords: 20,
      maxBatchBytes: 1024 * 1024,
      maxBatchAgeMs: 200,
      pollIntervalMs: 200,
      // Children are found when the parent ends, not by the periodic re-list.
      shardSyncIntervalMs: 600_000,
      logger: createRecordingLogger(),
    });
    await source.start();
    await waitFor('the first parent batch', () => batches.length >= 1);

    await client.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: PARENT, NewStartingHashKey: (2n ** 127n).toString() }));
    await waitFor('the split to complete', async () => {
      const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
      return out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    });
    await writer.putRecords(payloads(300, 300));
    await waitFor('all 600 records', () => batches.reduce((n, b) => n + b.records.length, 0) >= 600);
    await source.stop();

    const shards = (await client.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? [];
    const children = shards.filter((s) => s.ParentShardId === PARENT).map((s) => s.ShardId ?? '');
    expect(children).toHaveLength(2);

    // Ordering: the parent is marked finished before any child batch is delivered.
    const parentFinishedAt = events.findIndex((e) => e.kind === 'finished' && e.shardId === PARENT);
    const firstChildBatchAt = events.findIndex((e) => e.kind === 'batch' && children.includes(e.shardId));
    const lastParentBatchAt = events.findLastIndex((e) => e.kind === 'batch' && e.shardId === PARENT);
    expect(parentFinishedAt).toBeGreaterThan(lastParentBatchAt);
    expect(firstChildBatchAt).toBeGreaterThan(parentFinishedAt);

    // Exactly once, in order within every shard.
    expect(batches.every(batchIsWellFormed)).toBe(true);
    const delivered = recordsByShard(batches);
    for (const shardId of [PARENT, ...children]) {
      expect(delivered.get(shardId) ?? []).toEqual(await readWholeShard(client, STREAM, shardId));
    }
    const texts = batches.flatMap((b) => b.records.map((r) => text(r.data)));
    expect(texts).toHaveLength(600);
    expect(new Set(texts).size).toBe(600);
    expect((delivered.get(PARENT) ?? []).map((r) => r.text)).toEqual(payloads(0, 300).map((p) => p.toString()));

    expect((await new FileCheckpointStore(checkpointDir).load(STREAM, PARENT))?.finished).toBe(true);
    const status = source.status();
    expect(status.find((s) => s.shardId === PARENT)?.finished).toBe(true);
    expect(status.filter((s) => children.includes(s.shardId)).every((s) => !s.finished && s.parentShardIds.includes(PARENT))).toBe(true);
  });
});
