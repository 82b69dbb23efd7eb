/**
 * The source's record tap (the live view's feed): it sees every record of each read before the
 * records are batched, and a tap that throws never stops the read.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawBatch, RawRecord } from '../../processor/batch.js';
import { FileCheckpointStore } from '../../ingest/checkpoints/file-checkpoint-store.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis, type LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { RecordTap } from '../../ingest/source.js';
import { createActiveStream, createRecordingLogger, makeTempDir, payloads, text, waitFor } from './kinesis-test-kit.js';

const PORT = 46114;
let dir: string;
let kinesis: LocalKinesis;
let client: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('kinesis-source-tap');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: PORT, streamName: 'tap-a', shardCount: 2 });
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
});

afterAll(async () => {
  client.destroy();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

function source(stream: string, onRecords: RecordTap, handler: (batch: RawBatch) => void, logger = createRecordingLogger()): KinesisSource {
  return new KinesisSource({
    client,
    streamName: stream,
    checkpoints: new FileCheckpointStore(join(dir, `checkpoints-${stream}`)),
    handler: (batch) => {
      handler(batch);
      return Promise.resolve();
    },
    initialPosition: 'TRIM_HORIZON',
    maxBatchRecords: 100_000,
    maxBatchBytes: 64 * 1024 * 1024,
    // Batches are cut late; the tap must not wait for them.
    maxBatchAgeMs: 60_000,
    pollIntervalMs: 200,
    logger,
    onRecords,
  });
}

describe('KinesisSource record tap', () => {
  it('sees every record as soon as it is read, before any batch is cut', async () => {
    const writer = new KinesisRecordWriter({ client, streamName: 'tap-a' });
    await writer.putRecords(payloads(0, 300));
    const tapped: Array<{ shardId: string; records: readonly RawRecord[] }> = [];
    const batches: RawBatch[] = [];
    const tapSource = source('tap-a', (stream, shardId, records) => {
      expect(stream).toBe('tap-a');
      tapped.push({ shardId, records });
    }, (batch) => batches.push(batch));
    await tapSource.start();
    try {
      await waitFor('300 tapped records', () => tapped.reduce((n, t) => n + t.records.length, 0) >= 300);
      expect(batches).toEqual([]);
      const texts = tapped.flatMap((t) => t.records.map((r) => text(r.data)));
      expect(new Set(texts).size).toBe(300);
      expect([...new Set(tapped.map((t) => t.shardId))].sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
      for (const { records } of tapped) {
        for (const record of records) expect(record.arrivalMs).toBeGreaterThan(Date.now() - 60_000);
      }
    } finally {
      await tapSource.stop();
    }
    // Stopping flushes what was read: the batches hold exactly what the tap saw.
    expect(batches.flatMap((b) => b.records.map((r) => text(r.data))).sort()).toEqual(tapped.flatMap((t) => t.records.map((r) => text(r.data))).sort());
  });

  it('keeps reading when the tap throws, and says so once per shard', async () => {
    await createActiveStream(client, 'tap-b', 1);
    await new KinesisRecordWriter({ client, streamName: 'tap-b' }).putRecords(payloads(0, 50));
    const logger = createRecordingLogger();
    const batched: string[] = [];
    let calls = 0;
    const failing = source(
      'tap-b',
      () => {
        calls++;
        throw new Error('tap bug');
      },
      (batch) => batched.push(...batch.records.map((r) => text(r.data))),
      logger,
    );
    await failing.start();
    try {
      await waitFor('the first read', () => calls >= 1);
      await new KinesisRecordWriter({ client, streamName: 'tap-b' }).putRecords(payloads(50, 50));
      await waitFor('the second read', () => calls >= 2);
    } finally {
      await failing.stop();
    }
    expect(batched).toHaveLength(100);
    expect(logger.entries.filter((e) => e.message.startsWith('record tap failed'))).toHaveLength(1);
  });
});
