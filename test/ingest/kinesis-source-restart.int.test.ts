import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchHandler, RawBatch } from '../../processor/batch.js';
import { FileCheckpointStore } from '../../ingest/checkpoints/file-checkpoint-store.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../ingest/kinesis/kinesis-source.js';
import type { KinesisSourceOptions } from '../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import {
  batchIsWellFormed,
  createRecordingLogger,
  deferred,
  makeTempDir,
  payloads,
  readWholeShard,
  recordsByShard,
  text,
  waitFor,
  createActiveStream,
} from './kinesis-test-kit.js';

const PORT = 45102;
const SHARD = 'shardId-000000000000';
let dir: string;
let kinesis: LocalKinesis;
let client: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('kinesis-restart');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: PORT, streamName: 'restart-b', shardCount: 2 });
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
});

afterAll(async () => {
  client.destroy();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

function sourceFor(
  streamName: string,
  checkpointDir: string,
  handler: BatchHandler,
  overrides: Partial<KinesisSourceOptions> = {},
): KinesisSource {
  return new KinesisSource({
    client,
    streamName,
    checkpoints: new FileCheckpointStore(checkpointDir),
    handler,
    initialPosition: 'TRIM_HORIZON',
    maxBatchRecords: 40,
    maxBatchBytes: 1024 * 1024,
    maxBatchAgeMs: 200,
    pollIntervalMs: 200,
    logger: createRecordingLogger(),
    ...overrides,
  });
}

const count = (batches: readonly RawBatch[]): number => batches.reduce((n, b) => n + b.records.length, 0);

describe('KinesisSource restarts', () => {
  it('resumes after the checkpoint: nothing lost, nothing twice', async () => {
    const stream = 'restart-b';
    const checkpointDir = join(dir, 'checkpoints-b');
    const writer = new KinesisRecordWriter({ client, streamName: stream });
    await writer.putRecords(payloads(0, 200));

    const before: RawBatch[] = [];
    const first = sourceFor(stream, checkpointDir, (batch) => {
      before.push(batch);
      return Promise.resolve();
    });
    await first.start();
    await waitFor('first 200 records', () => count(before) >= 200);
    await first.stop();

    await writer.putRecords(payloads(200, 200));
    const after: RawBatch[] = [];
    const second = sourceFor(stream, checkpointDir, (batch) => {
      after.push(batch);
      return Promise.resolve();
    });
    await second.start();
    await waitFor('next 200 records', () => count(after) >= 200);
    await second.stop();

    expect(count(before)).toBe(200);
    expect(count(after)).toBe(200);
    expect([...before, ...after].every(batchIsWellFormed)).toBe(true);
    const all = [...before, ...after];
    for (const shardId of [SHARD, 'shardId-000000000001']) {
      expect(recordsByShard(all).get(shardId)).toEqual(await readWholeShard(client, stream, shardId));
    }
    const texts = after.flatMap((b) => b.records.map((r) => text(r.data))).sort();
    expect(texts).toEqual(payloads(200, 200).map((p) => p.toString()).sort());
  });

  it('after a crash between insert and commit, re-delivers exactly the range that was in flight', async () => {
    const stream = 'restart-c';
    const checkpointDir = join(dir, 'checkpoints-c');
    await createActiveStream(client, stream, 1);
    await new KinesisRecordWriter({ client, streamName: stream }).putRecords(payloads(0, 100));

    // The handler "inserts" the batch, then the process dies before the commit: it never resolves.
    const stored: RawBatch[] = [];
    const hung = deferred();
    const crashing = sourceFor(
      stream,
      checkpointDir,
      (batch) => {
        stored.push(batch);
        return hung.promise;
      },
      { stopDeadlineMs: 300 },
    );
    await crashing.start();
    await waitFor('the first batch to be stored', () => stored.length === 1);
    await crashing.stop();
    const inserted = stored[0];
    if (inserted === undefined) throw new Error('unreachable');
    expect(inserted.records).toHaveLength(40);

    const onDisk = await new FileCheckpointStore(checkpointDir).load(stream, SHARD);
    expect(onDisk).toEqual({
      sequenceNumber: null,
      inFlight: { first: inserted.firstSequence, last: inserted.lastSequence },
      finished: false,
    });
    // The late handler completion of a stopped source must not commit anything.
    hung.resolve();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await new FileCheckpointStore(checkpointDir).load(stream, SHARD)).toEqual(onDisk);

    // Different batch limits: the replay must still be cut to the recorded range, then batching resumes.
    const redelivered: RawBatch[] = [];
    const restarted = sourceFor(
      stream,
      checkpointDir,
      (batch) => {
        redelivered.push(batch);
        return Promise.resolve();
      },
      { maxBatchRecords: 7 },
    );
    await restarted.start();
    await waitFor('all 100 records after the restart', () => count(redelivered) >= 100);
    await restarted.stop();

    const [replay, ...rest] = redelivered;
    expect(replay?.firstSequence).toBe(inserted.firstSequence);
    expect(replay?.lastSequence).toBe(inserted.lastSequence);
    expect(replay?.records).toEqual(inserted.records);
    expect(rest.every((b) => b.records.length <= 7)).toBe(true);
    expect(recordsByShard(redelivered).get(SHARD)).toEqual(await readWholeShard(client, stream, SHARD));
    expect(count(redelivered)).toBe(100);
  });

  it('on stop, commits what was accumulated and leaves nothing in flight', async () => {
    const stream = 'restart-flush';
    const checkpointDir = join(dir, 'checkpoints-flush');
    await createActiveStream(client, stream, 1);
    await new KinesisRecordWriter({ client, streamName: stream }).putRecords(payloads(0, 30));

    const batches: RawBatch[] = [];
    // Limits that a batch of 30 cannot reach within the test: only stop() flushes it.
    const source = sourceFor(
      stream,
      checkpointDir,
      (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      { maxBatchRecords: 1000, maxBatchAgeMs: 600_000 },
    );
    await source.start();
    await waitFor('30 records read', () => source.status()[0]?.recordsRead === 30);
    expect(batches).toHaveLength(0);
    await source.stop();

    expect(batches).toHaveLength(1);
    expect(batches[0]?.records).toHaveLength(30);
    expect(await new FileCheckpointStore(checkpointDir).load(stream, SHARD)).toEqual({
      sequenceNumber: batches[0]?.lastSequence,
      inFlight: null,
      finished: false,
    });
  });
});
