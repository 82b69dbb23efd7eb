/**
 * The source under the faults kinesalite never produces, injected by the fault proxy: throttling,
 * ExpiredIterator, 5xx, dropped connections, a stream that disappears and comes back. Every record is
 * still delivered once, in order per shard, and the shard's figures count what happened.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RawBatch } from '../../processor/batch.js';
import { FileCheckpointStore } from '../../ingest/checkpoints/file-checkpoint-store.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../ingest/kinesis/kinesis-source.js';
import type { KinesisSourceOptions } from '../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { KinesisFaultProxy, faults } from '../support/kinesis-fault-proxy.js';
import {
  batchIsWellFormed,
  createActiveStream,
  createRecordingLogger,
  makeTempDir,
  payloads,
  readWholeShard,
  recordsByShard,
  text,
  waitFor,
} from './kinesis-test-kit.js';

const SHARD = 'shardId-000000000000';
let dir: string;
let kinesis: LocalKinesis;
let proxy: KinesisFaultProxy;
/** Through the proxy, one SDK attempt per call: every fault reaches the reader. */
let client: KinesisClient;
/** Straight to kinesalite, for writing and for the ground truth. */
let direct: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('kinesis-faults');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: 47111, streamName: 'faults-setup', shardCount: 1 });
  proxy = await KinesisFaultProxy.start({ target: kinesis.endpoint, port: 47112 });
  client = createKinesisClient({ region: 'us-east-1', endpoint: proxy.url, maxAttempts: 1 });
  direct = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
});

afterEach(() => proxy.clearRules());

afterAll(async () => {
  client.destroy();
  direct.destroy();
  await proxy.close();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly source: KinesisSource;
  readonly batches: RawBatch[];
  readonly logger: ReturnType<typeof createRecordingLogger>;
  delivered(): number;
}

function startSource(stream: string, overrides: Partial<KinesisSourceOptions> = {}): Run {
  const batches: RawBatch[] = [];
  const logger = createRecordingLogger();
  const source = new KinesisSource({
    client,
    streamName: stream,
    checkpoints: new FileCheckpointStore(join(dir, `checkpoints-${stream}`)),
    handler: (batch) => {
      batches.push(batch);
      return Promise.resolve();
    },
    initialPosition: 'TRIM_HORIZON',
    maxBatchRecords: 40,
    maxBatchBytes: 1024 * 1024,
    maxBatchAgeMs: 200,
    pollIntervalMs: 200,
    shardSyncIntervalMs: 500,
    logger,
    ...overrides,
  });
  return { source, batches, logger, delivered: () => batches.reduce((n, b) => n + b.records.length, 0) };
}

/** Delivered = the shard itself: nothing missing, nothing twice, same order, contiguous batches. */
async function expectExactlyTheShard(stream: string, run: Run, shardId = SHARD): Promise<void> {
  expect(run.batches.every(batchIsWellFormed)).toBe(true);
  expect(recordsByShard(run.batches).get(shardId)).toEqual(await readWholeShard(direct, stream, shardId));
}

describe('KinesisSource under injected faults', () => {
  it('backs off on throttling (ProvisionedThroughputExceeded, LimitExceeded), counts it, and loses nothing', async () => {
    const stream = 'faults-throttle';
    await createActiveStream(direct, stream, 1);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 300));
    const pte = proxy.addRule({ operation: 'GetRecords', times: 3, action: faults.throughputExceeded() });
    const lee = proxy.addRule({ operation: 'GetRecords', times: 1, action: faults.limitExceeded() });
    const run = startSource(stream, { maxBatchRecords: 25 });
    await run.source.start();
    await waitFor('300 records', () => run.delivered() >= 300);
    await run.source.stop();

    expect(pte.hits + lee.hits).toBe(4);
    await expectExactlyTheShard(stream, run);
    const reads = run.source.status()[0]?.reads;
    expect(reads?.throttles).toBe(4);
    expect(reads?.errors.throttled).toBe(4);
    // Throttled calls keep their iterator: no new one was asked for because of them.
    expect(proxy.seen('GetShardIterator', stream, SHARD)).toHaveLength(1);
    // A throttled reader never retries inside the 1 s penalty window.
    const calls = proxy.seen('GetRecords', stream, SHARD);
    for (let i = 1; i < calls.length; i++) {
      const previous = calls[i - 1];
      const call = calls[i];
      if (previous?.fault?.endsWith('ExceededException') === true) expect((call?.atMs ?? 0) - previous.atMs).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('gets a new iterator after ExpiredIterator, from the last record read, without losing or repeating', async () => {
    const stream = 'faults-expired';
    await createActiveStream(direct, stream, 1);
    const writer = new KinesisRecordWriter({ client: direct, streamName: stream });
    await writer.putRecords(payloads(0, 100));
    const run = startSource(stream);
    await run.source.start();
    await waitFor('first 100 records', () => run.delivered() >= 100);
    const expired = proxy.addRule({ operation: 'GetRecords', times: 2, action: faults.expiredIterator() });
    await waitFor('the expiries', () => expired.hits === 2);
    await writer.putRecords(payloads(100, 100));
    await waitFor('200 records', () => run.delivered() >= 200);
    await run.source.stop();

    await expectExactlyTheShard(stream, run);
    expect(run.source.status()[0]?.reads?.errors['expired-iterator']).toBe(2);
    expect(run.logger.entries.filter((e) => e.message.startsWith('shard iterator expired'))).toHaveLength(2);
    // Each expiry repositioned after the last record read (the checkpoint, nothing pending here).
    const iterators = proxy.seen('GetShardIterator', stream, SHARD);
    expect(iterators.length).toBe(3);
  });

  it('retries 500, 503 and dropped connections, on GetRecords and GetShardIterator', async () => {
    const stream = 'faults-5xx';
    await createActiveStream(direct, stream, 1);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 200));
    proxy.addRule({ operation: 'GetShardIterator', times: 1, action: faults.serviceUnavailable() });
    proxy.addRule({ operation: 'GetRecords', times: 1, action: faults.internalFailure() });
    proxy.addRule({ operation: 'GetRecords', times: 1, action: { kind: 'drop' } });
    proxy.addRule({ operation: 'GetRecords', probability: 0.3, times: 3, action: faults.serviceUnavailable() });
    const run = startSource(stream);
    await run.source.start();
    await waitFor('200 records', () => run.delivered() >= 200);
    await run.source.stop();

    await expectExactlyTheShard(stream, run);
    expect(run.source.status()[0]?.reads?.errors.transient).toBeGreaterThanOrEqual(3);
    expect(run.source.status()[0]?.reads?.errors.fatal).toBe(0);
  });

  it('says clearly that the stream is gone, keeps retrying, and resumes when it is back', async () => {
    const stream = 'faults-gone';
    await createActiveStream(direct, stream, 1);
    const writer = new KinesisRecordWriter({ client: direct, streamName: stream });
    await writer.putRecords(payloads(0, 50));
    const run = startSource(stream);
    await run.source.start();
    await waitFor('first 50 records', () => run.delivered() >= 50);

    // As while a stream is deleted: every call for it fails with ResourceNotFoundException.
    const gone = proxy.addRule({ action: faults.resourceNotFound() });
    await waitFor('the reader to notice', () => (run.source.status()[0]?.reads?.errors['stream-not-found'] ?? 0) >= 2);
    await writer.putRecords(payloads(50, 50));
    gone.remove();
    await waitFor('100 records', () => run.delivered() >= 100);
    await run.source.stop();

    await expectExactlyTheShard(stream, run);
    const notFound = run.logger.entries.filter((e) => e.level === 'error' && e.fields['errorName'] === 'ResourceNotFoundException');
    expect(notFound.length).toBeGreaterThanOrEqual(2);
    expect(notFound[0]?.message).toMatch(/not found .*deleted.*retrying/);
  });

  it('reads a stream deleted while reading and created again from its start, after saying so', async () => {
    const stream = 'faults-recreated';
    await createActiveStream(direct, stream, 1);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 30, 'old'));
    const run = startSource(stream);
    await run.source.start();
    await waitFor('the old stream read', () => run.delivered() >= 30);

    // kinesalite puts the shard's creation second into sequence numbers (as Kinesis ties them to the
    // stream): a stream created again within the same second would reuse the old numbers, which Kinesis never does.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await direct.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitFor('the reader to notice', () => (run.source.status()[0]?.reads?.errors['stream-not-found'] ?? 0) >= 1);
    await createActiveStream(direct, stream, 1);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 20, 'new'));
    // A missing stream is retried every 2–30 s (backoff grows while it stays missing): a generous bound.
    await waitFor('the new stream read', () => run.delivered() >= 50, 90_000);
    await run.source.stop();

    const texts = run.batches.flatMap((b) => b.records.map((r) => text(r.data)));
    expect(texts).toEqual([...payloads(0, 30, 'old'), ...payloads(0, 20, 'new')].map((p) => p.toString()));
    expect(run.logger.entries.some((e) => e.level === 'error' && e.message.startsWith('the stream was deleted and created again'))).toBe(true);
    const truth = await readWholeShard(direct, stream, SHARD);
    const checkpoint = await new FileCheckpointStore(join(dir, `checkpoints-${stream}`)).load(stream, SHARD);
    expect(checkpoint?.sequenceNumber).toBe(truth.at(-1)?.sequenceNumber);
  }, 120_000);

  it('starts on a checkpoint of a stream since deleted and created again: reads the new stream from its start, the old in-flight range dropped', async () => {
    const stream = 'faults-recreated-cold';
    const checkpoints = new FileCheckpointStore(join(dir, `checkpoints-${stream}`));
    await createActiveStream(direct, stream, 1);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 30, 'old'));
    const first = startSource(stream);
    await first.source.start();
    await waitFor('the old stream read', () => first.delivered() >= 30);
    await first.source.stop();
    // As if the process had died with a batch of the old stream in flight.
    const old = await readWholeShard(direct, stream, SHARD);
    await checkpoints.markInFlight(stream, SHARD, { first: old[25]!.sequenceNumber, last: old[29]!.sequenceNumber });

    // A new second: kinesalite ties sequence numbers to the stream's creation second (see above).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await direct.send(new DeleteStreamCommand({ StreamName: stream }));
    await createActiveStream(direct, stream, 1);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 20, 'new'));

    const second = startSource(stream);
    await second.source.start();
    await waitFor('the new stream read', () => second.delivered() >= 20, 30_000);
    await second.source.stop();
    expect(second.batches.flatMap((b) => b.records.map((r) => text(r.data)))).toEqual(payloads(0, 20, 'new').map((p) => p.toString()));
    expect(second.logger.entries.some((e) => e.level === 'error' && e.message.startsWith('the stream was deleted and created again'))).toBe(true);
    const truth = await readWholeShard(direct, stream, SHARD);
    // A new store reads the file (one keeps what it loaded).
    const checkpoint = await new FileCheckpointStore(join(dir, `checkpoints-${stream}`)).load(stream, SHARD);
    expect(checkpoint?.sequenceNumber).toBe(truth.at(-1)?.sequenceNumber);
    expect(checkpoint?.inFlight ?? null).toBeNull();
  }, 60_000);

  it('tracks MillisBehindLatest per shard and the read rates', async () => {
    const stream = 'faults-lag';
    await createActiveStream(direct, stream, 2);
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(payloads(0, 100));
    proxy.addRule({ operation: 'GetRecords', shardId: SHARD, action: { kind: 'millis-behind-latest', value: 45_000 } });
    const run = startSource(stream);
    await run.source.start();
    await waitFor('100 records', () => run.delivered() >= 100);
    await waitFor('a read after the lag rule', () => proxy.seen('GetRecords', stream, SHARD).some((r) => r.fault === 'millis-behind-latest'));
    const [lagging, caughtUp] = run.source.status();
    await run.source.stop();

    expect(lagging?.millisBehindLatest).toBe(45_000);
    expect(caughtUp?.millisBehindLatest).toBe(0);
    const bytes = (lagging?.reads?.bytesRead ?? 0) + (caughtUp?.reads?.bytesRead ?? 0);
    expect(bytes).toBe(payloads(0, 100).reduce((n, p) => n + p.byteLength, 0));
    expect((lagging?.reads?.recordsPerSecond ?? 0) + (caughtUp?.reads?.recordsPerSecond ?? 0)).toBeGreaterThan(0);
    expect(lagging?.reads?.bytesPerSecond).toBeGreaterThan(0);
    expect(lagging?.reads?.mode).toBe('polling');
  });

  it('stays within 5 GetRecords calls per second and the byte budget per shard while catching up', async () => {
    const stream = 'faults-budget';
    await createActiveStream(direct, stream, 1);
    // 200 records of 1 KiB at 100 KiB/s: the first response (all of them) puts the budget a second in debt.
    const big = Array.from({ length: 200 }, (_, i) => Buffer.alloc(1024, i % 256));
    await new KinesisRecordWriter({ client: direct, streamName: stream }).putRecords(big);
    // Responses lagging behind mark the shard busy, so the reader polls as fast as the budget allows.
    proxy.addRule({ operation: 'GetRecords', action: { kind: 'millis-behind-latest', value: 60_000 } });
    const budget = 100 * 1024;
    const run = startSource(stream, { readBytesPerSecond: budget });
    await run.source.start();
    await waitFor('200 records', () => run.delivered() >= 200);
    await waitFor('more reads', () => proxy.seen('GetRecords', stream, SHARD).length >= 8);
    await run.source.stop();

    const calls = proxy.seen('GetRecords', stream, SHARD);
    for (const call of calls) {
      const inWindow = calls.filter((c) => c.atMs >= call.atMs && c.atMs < call.atMs + 1_000);
      expect(inWindow.length).toBeLessThanOrEqual(5);
    }
    // After a response, the next call waits until its bytes are paid for at the budget rate.
    for (let i = 1; i < calls.length; i++) {
      const previous = calls[i - 1];
      const call = calls[i];
      if (previous === undefined || call === undefined || previous.recordBytes <= budget) continue;
      expect(call.atMs - previous.atMs).toBeGreaterThanOrEqual(((previous.recordBytes - budget) / budget) * 1000 - 50);
    }
  });
});
