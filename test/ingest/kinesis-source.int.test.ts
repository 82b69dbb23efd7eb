import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawBatch } from '../../processor/batch.js';
import { FileCheckpointStore } from '../../ingest/checkpoints/file-checkpoint-store.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import {
  batchIsWellFormed,
  createRecordingLogger,
  listShardIds,
  makeTempDir,
  payloads,
  readWholeShard,
  recordsByShard,
  text,
  waitFor,
  createActiveStream,
} from './kinesis-test-kit.js';

const PORT = 45101;
let dir: string;
let kinesis: LocalKinesis;
let client: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('kinesis-source');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: PORT, streamName: 'source-a', shardCount: 3 });
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
});

afterAll(async () => {
  client.destroy();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('KinesisSource', () => {
  it('delivers every record once, in order per shard, as contiguous batches, and checkpoints them', async () => {
    const stream = 'source-a';
    const writer = new KinesisRecordWriter({ client, streamName: stream });
    await writer.putRecords(payloads(0, 1000));

    const checkpoints = new FileCheckpointStore(join(dir, 'checkpoints-a'));
    const batches: RawBatch[] = [];
    const source = new KinesisSource({
      client,
      streamName: stream,
      checkpoints,
      handler: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      initialPosition: 'TRIM_HORIZON',
      maxBatchRecords: 50,
      maxBatchBytes: 1024 * 1024,
      maxBatchAgeMs: 300,
      pollIntervalMs: 200,
      logger: createRecordingLogger(),
    });
    await source.start();
    await waitFor('1000 records', () => batches.reduce((n, b) => n + b.records.length, 0) >= 1000);
    await source.stop();

    expect(batches.every(batchIsWellFormed)).toBe(true);
    expect(Math.max(...batches.map((b) => b.records.length))).toBeLessThanOrEqual(50);
    const delivered = recordsByShard(batches);
    const shardIds = await listShardIds(client, stream);
    expect(shardIds).toHaveLength(3);
    for (const shardId of shardIds) {
      // Concatenated batches = the shard itself: nothing missing, nothing twice, same order.
      const truth = await readWholeShard(client, stream, shardId);
      expect(delivered.get(shardId) ?? []).toEqual(truth);
      const checkpoint = await new FileCheckpointStore(join(dir, 'checkpoints-a')).load(stream, shardId);
      expect(checkpoint).toEqual({ sequenceNumber: truth[truth.length - 1]?.sequenceNumber, inFlight: null, finished: false });
    }
    const all = batches.flatMap((b) => b.records.map((r) => text(r.data)));
    expect(new Set(all).size).toBe(1000);

    const status = source.status();
    expect(status.map((s) => s.shardId)).toEqual(shardIds);
    expect(status.reduce((n, s) => n + s.recordsRead, 0)).toBe(1000);
    expect(status.every((s) => s.inFlight === null && s.millisBehindLatest !== null)).toBe(true);
  });

  it('retries a failing batch with the same range until the handler succeeds, skipping nothing', async () => {
    const stream = 'source-d';
    await createActiveStream(client, stream, 1);
    await new KinesisRecordWriter({ client, streamName: stream }).putRecords(payloads(0, 60));

    const calls: RawBatch[] = [];
    const committed: RawBatch[] = [];
    const logger = createRecordingLogger();
    const source = new KinesisSource({
      client,
      streamName: stream,
      checkpoints: new FileCheckpointStore(join(dir, 'checkpoints-d')),
      handler: (batch) => {
        calls.push(batch);
        if (calls.length <= 2) return Promise.reject(new Error('ClickHouse is down'));
        committed.push(batch);
        return Promise.resolve();
      },
      initialPosition: 'TRIM_HORIZON',
      maxBatchRecords: 25,
      maxBatchBytes: 1024 * 1024,
      maxBatchAgeMs: 200,
      pollIntervalMs: 200,
      logger,
    });
    await source.start();
    await waitFor('60 committed records', () => committed.reduce((n, b) => n + b.records.length, 0) >= 60);
    await source.stop();

    const [first, second, third] = calls;
    expect(first?.records).toHaveLength(25);
    for (const retry of [second, third]) {
      expect(retry?.firstSequence).toBe(first?.firstSequence);
      expect(retry?.lastSequence).toBe(first?.lastSequence);
      expect(retry?.records).toEqual(first?.records);
    }
    const shardId = 'shardId-000000000000';
    expect(recordsByShard(committed).get(shardId)).toEqual(await readWholeShard(client, stream, shardId));
    expect(logger.entries.filter((e) => e.message === 'batch failed; retrying the same range')).toHaveLength(2);
    expect(source.status()[0]?.backpressureWaitMs).toBeGreaterThan(0);
  });

  it('keeps retrying while the stream does not exist, then reads it once it does', async () => {
    const stream = 'source-late';
    const logger = createRecordingLogger();
    const batches: RawBatch[] = [];
    const source = new KinesisSource({
      client,
      streamName: stream,
      checkpoints: new FileCheckpointStore(join(dir, 'checkpoints-late')),
      handler: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      initialPosition: 'TRIM_HORIZON',
      maxBatchRecords: 100,
      maxBatchBytes: 1024 * 1024,
      maxBatchAgeMs: 200,
      pollIntervalMs: 200,
      logger,
    });
    await source.start();
    expect(logger.entries.some((e) => e.level === 'error' && e.fields['errorName'] === 'ResourceNotFoundException')).toBe(true);

    await createActiveStream(client, stream, 1);
    await new KinesisRecordWriter({ client, streamName: stream }).putRecords(payloads(0, 10));
    await waitFor('10 records from the late stream', () => batches.reduce((n, b) => n + b.records.length, 0) >= 10);
    await source.stop();
    expect(batches.flatMap((b) => b.records.map((r) => text(r.data)))).toEqual(payloads(0, 10).map((p) => p.toString()));
  });

  it('rejects a poll interval under 200 ms', () => {
    expect(
      () =>
        new KinesisSource({
          client,
          streamName: 'x',
          checkpoints: new FileCheckpointStore(join(dir, 'unused')),
          handler: () => Promise.resolve(),
          initialPosition: 'LATEST',
          maxBatchRecords: 1,
          maxBatchBytes: 1,
          maxBatchAgeMs: 1,
          pollIntervalMs: 100,
          logger: createRecordingLogger(),
        }),
    ).toThrow(RangeError);
  });
});
