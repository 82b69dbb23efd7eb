/**
 * Enhanced fan-out. No emulator here implements RegisterStreamConsumer or SubscribeToShard, so the
 * subscription tests mock the Kinesis client (aws-sdk-client-mock) with event-stream output in the
 * service model's shapes; the fallback to polling runs against kinesalite.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  LimitExceededException,
  RegisterStreamConsumerCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import type { StartingPosition, SubscribeToShardEventStream, SubscribeToShardInput, _Record } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawBatch } from '../../processor/batch.js';
import { FileCheckpointStore } from '../../ingest/checkpoints/file-checkpoint-store.js';
import { FanOutFetchers } from '../../ingest/kinesis/fan-out/fan-out-fetchers.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { SubscriptionFetcher } from '../../ingest/kinesis/fan-out/subscription-fetcher.js';
import { ShardReader } from '../../ingest/kinesis/shard-reader.js';
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
} from './kinesis-test-kit.js';

const STREAM = 'fan-out-a';
const STREAM_ARN = `arn:aws:kinesis:us-east-1:000000000000:stream/${STREAM}`;
const CONSUMER = 'edgewatch-test';
const CONSUMER_ARN = `${STREAM_ARN}/consumer/${CONSUMER}:1764460800`;
const SHARD = 'shardId-000000000000';
const metadata = { $metadata: {} };

let dir: string;
beforeAll(() => {
  dir = makeTempDir('fan-out');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A closed shard of `count` records with sequence numbers 1001, 1002, ... */
function shardRecords(count: number): _Record[] {
  return Array.from({ length: count }, (_, i) => ({
    SequenceNumber: String(1001 + i),
    Data: Buffer.from(`efo-${i}\n`),
    PartitionKey: `k${i}`,
    ApproximateArrivalTimestamp: new Date(1_764_460_800_000 + i),
  }));
}

/** The records a subscription starting at `position` sees. */
function after(records: readonly _Record[], position: StartingPosition | undefined): _Record[] {
  const seq = BigInt(position?.SequenceNumber ?? '0');
  if (position?.Type === 'AFTER_SEQUENCE_NUMBER') return records.filter((r) => BigInt(r.SequenceNumber ?? '0') > seq);
  if (position?.Type === 'AT_SEQUENCE_NUMBER') return records.filter((r) => BigInt(r.SequenceNumber ?? '0') >= seq);
  return [...records];
}

async function* events(list: readonly SubscribeToShardEventStream[]): AsyncGenerator<SubscribeToShardEventStream> {
  for (const event of list) {
    await Promise.resolve();
    yield event;
  }
}

/** A stream that never sends anything (a quiet subscription). */
function quiet(): AsyncIterable<SubscribeToShardEventStream> {
  return { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<SubscribeToShardEventStream>>(() => undefined) }) };
}

/** Control plane: the consumer is not registered yet, then CREATING, then ACTIVE. */
function mockRegistration(client: KinesisClient): ReturnType<typeof mockClient> {
  const mock = mockClient(client);
  mock.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: {
      StreamName: STREAM,
      StreamARN: STREAM_ARN,
      StreamStatus: 'ACTIVE',
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: new Date(),
      EnhancedMonitoring: [],
      OpenShardCount: 1,
    },
  });
  const description = (status: 'CREATING' | 'ACTIVE') => ({
    ConsumerDescription: { ConsumerName: CONSUMER, ConsumerARN: CONSUMER_ARN, ConsumerStatus: status, ConsumerCreationTimestamp: new Date(), StreamARN: STREAM_ARN },
  });
  mock
    .on(DescribeStreamConsumerCommand)
    .rejectsOnce(new ResourceNotFoundException({ message: `Consumer ${CONSUMER} under stream ${STREAM} not found.`, ...metadata }))
    .resolvesOnce(description('CREATING'))
    .resolves(description('ACTIVE'));
  mock.on(RegisterStreamConsumerCommand).resolves({
    Consumer: { ConsumerName: CONSUMER, ConsumerARN: CONSUMER_ARN, ConsumerStatus: 'CREATING', ConsumerCreationTimestamp: new Date() },
  });
  return mock;
}

describe('enhanced fan-out (SubscribeToShard)', () => {
  it('registers the consumer, reads in order across resubscriptions from the continuation number, and checkpoints to the shard end', async () => {
    const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockRegistration(client);
    const records = shardRecords(23);
    let subscriptions = 0;
    const subscribedAt: number[] = [];
    mock.on(SubscribeToShardCommand).callsFake((input: SubscribeToShardInput) => {
      subscriptions += 1;
      subscribedAt.push(Date.now());
      const rest = after(records, input.StartingPosition);
      const list: SubscribeToShardEventStream[] = [];
      // Two events of 5 records per subscription, then the subscription ends (as after 5 minutes).
      for (const chunk of [rest.slice(0, 5), rest.slice(5, 10)]) {
        if (chunk.length === 0) break;
        const last = chunk[chunk.length - 1]?.SequenceNumber;
        const atEnd = rest.indexOf(chunk[chunk.length - 1] as _Record) === rest.length - 1;
        list.push({
          SubscribeToShardEvent: atEnd
            ? {
                Records: chunk,
                ContinuationSequenceNumber: undefined,
                MillisBehindLatest: 0,
                ChildShards: [{ ShardId: 'shardId-000000000001', ParentShards: [SHARD], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' } }],
              }
            : { Records: chunk, ContinuationSequenceNumber: last, MillisBehindLatest: 7_000 - rest.length },
        });
      }
      // The second subscription is taken over by another one: an error event after its first event.
      if (subscriptions === 2) list.splice(1, list.length, { ResourceInUseException: new ResourceInUseException({ message: 'Another active subscription exists.', ...metadata }) });
      return Promise.resolve({ EventStream: events(list), ...metadata });
    });

    const batches: RawBatch[] = [];
    const logger = createRecordingLogger();
    const checkpoints = new FileCheckpointStore(join(dir, 'checkpoints-efo'));
    const reader = new ShardReader({
      client,
      streamName: STREAM,
      shardId: SHARD,
      checkpoints,
      handler: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      limits: { maxBatchRecords: 4, maxBatchBytes: 1024 * 1024, maxBatchAgeMs: 100 },
      pollIntervalMs: 1000,
      initialPosition: 'TRIM_HORIZON',
      logger,
      fetchers: new FanOutFetchers({ client, streamName: STREAM, consumerName: CONSUMER, logger, registrationPollMs: 1 }),
    });
    expect(await reader.run()).toBe('finished');

    expect(mock.commandCalls(RegisterStreamConsumerCommand).map((c) => c.args[0].input)).toEqual([{ StreamARN: STREAM_ARN, ConsumerName: CONSUMER }]);
    expect(batches.every(batchIsWellFormed)).toBe(true);
    expect(batches.flatMap((b) => b.records.map((r) => r.sequenceNumber))).toEqual(records.map((r) => r.SequenceNumber));
    const positions = mock.commandCalls(SubscribeToShardCommand).map((c) => c.args[0].input);
    expect(positions[0]).toEqual({ ConsumerARN: CONSUMER_ARN, ShardId: SHARD, StartingPosition: { Type: 'TRIM_HORIZON' } });
    // Each later subscription starts after the last continuation number received: after the
    // 5-minute end of the first, and after the ResourceInUse error event that ended the second.
    expect(positions.slice(1).map((p) => p.StartingPosition)).toEqual([
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '1010' },
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '1015' },
    ]);
    // ResourceInUse: the next subscription waits out the 5 s in which it would be refused again.
    expect((subscribedAt[2] ?? 0) - (subscribedAt[1] ?? 0)).toBeGreaterThanOrEqual(5_000);
    expect(await checkpoints.load(STREAM, SHARD)).toEqual({ sequenceNumber: '1023', inFlight: null, finished: true });
    const status = reader.status([]);
    expect(status.reads?.mode).toBe('fan-out');
    expect(status.reads?.errors.transient).toBe(1);
    expect(status.recordsRead).toBe(23);
    expect(logger.entries.some((e) => e.message === 'shard ended; child shards named' && JSON.stringify(e.fields['childShardIds']) === '["shardId-000000000001"]')).toBe(true);
  });

  it('stops promptly while a subscription is quiet, flushing what it holds', async () => {
    const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockRegistration(client);
    mock
      .on(SubscribeToShardCommand)
      .resolvesOnce({ EventStream: events([{ SubscribeToShardEvent: { Records: shardRecords(3), ContinuationSequenceNumber: '1003', MillisBehindLatest: 0 } }]) })
      .resolves({ EventStream: quiet() });
    const batches: RawBatch[] = [];
    const logger = createRecordingLogger();
    const reader = new ShardReader({
      client,
      streamName: STREAM,
      shardId: SHARD,
      checkpoints: new FileCheckpointStore(join(dir, 'checkpoints-quiet')),
      handler: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      // Cut by age while the subscription sends nothing.
      limits: { maxBatchRecords: 100, maxBatchBytes: 1024 * 1024, maxBatchAgeMs: 50 },
      pollIntervalMs: 1000,
      initialPosition: 'TRIM_HORIZON',
      logger,
      fetchers: new FanOutFetchers({ client, streamName: STREAM, consumerName: CONSUMER, logger, registrationPollMs: 1 }),
    });
    const running = reader.run();
    await waitFor('the age cut while the subscription is quiet', () => batches.length === 1);
    await waitFor('the second subscription', () => mock.commandCalls(SubscribeToShardCommand).length === 2);
    reader.requestStop();
    expect(await running).toBe('stopped');
    expect(batches[0]?.records.map((r) => text(r.data))).toEqual(['efo-0\n', 'efo-1\n', 'efo-2\n']);
  });
});

describe('SubscriptionFetcher', () => {
  it('renews a subscription the service has kept open too long, after the last continuation number', async () => {
    const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(client);
    async function* endless(): AsyncGenerator<SubscribeToShardEventStream> {
      for (let i = 0; ; i++) {
        await Promise.resolve();
        yield { SubscribeToShardEvent: { Records: [], ContinuationSequenceNumber: String(5000 + i), MillisBehindLatest: 0 } };
      }
    }
    mock.on(SubscribeToShardCommand).callsFake(() => Promise.resolve({ EventStream: endless() }));
    const fetcher = new SubscriptionFetcher({ client, consumerArn: CONSUMER_ARN, shardId: SHARD, maxSubscriptionMs: 0, minSubscribeGapMs: 0 });
    const from = () => ({ type: 'LATEST' as const });
    const signal = new AbortController().signal;
    await fetcher.fetch(from, signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await fetcher.fetch(from, signal);
    fetcher.close();
    expect(second.records).toEqual([]);
    expect(fetcher.subscriptions).toBe(2);
    expect(mock.commandCalls(SubscribeToShardCommand).map((c) => c.args[0].input.StartingPosition)).toEqual([
      { Type: 'LATEST' },
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '5000' },
    ]);
  });
});

describe('enhanced fan-out falls back to polling', () => {
  let kinesis: LocalKinesis;
  let client: KinesisClient;

  beforeAll(async () => {
    kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: 47121, streamName: STREAM, shardCount: 2 });
    client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
    await new KinesisRecordWriter({ client, streamName: STREAM }).putRecords(payloads(0, 200));
  });

  afterAll(async () => {
    client.destroy();
    await kinesis.close();
  });

  async function readAll(fetchers: (logger: ReturnType<typeof createRecordingLogger>) => FanOutFetchers, name: string) {
    const batches: RawBatch[] = [];
    const logger = createRecordingLogger();
    const source = new KinesisSource({
      client,
      streamName: STREAM,
      checkpoints: new FileCheckpointStore(join(dir, `checkpoints-${name}`)),
      handler: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      initialPosition: 'TRIM_HORIZON',
      maxBatchRecords: 50,
      maxBatchBytes: 1024 * 1024,
      maxBatchAgeMs: 200,
      pollIntervalMs: 200,
      logger,
      fetchers: fetchers(logger),
    });
    await source.start();
    await waitFor('200 records', () => batches.reduce((n, b) => n + b.records.length, 0) >= 200);
    const status = source.status();
    await source.stop();
    const delivered = recordsByShard(batches);
    for (const shardId of await listShardIds(client, STREAM)) {
      expect(delivered.get(shardId) ?? []).toEqual(await readWholeShard(client, STREAM, shardId));
    }
    return { status, logger };
  }

  it('when registering the consumer is refused (LimitExceeded), with one warning', async () => {
    const control = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockRegistration(control);
    mock.on(RegisterStreamConsumerCommand).rejects(new LimitExceededException({ message: 'Too many consumers in CREATING state.', ...metadata }));
    const { status, logger } = await readAll((log) => new FanOutFetchers({ client: control, streamName: STREAM, consumerName: CONSUMER, logger: log, registrationPollMs: 1 }), 'refused');
    expect(status.map((s) => s.reads?.mode)).toEqual(['polling', 'polling']);
    const warnings = logger.entries.filter((e) => e.message.startsWith('enhanced fan-out is unavailable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields['errorName']).toBe('LimitExceededException');
    expect(mock.commandCalls(RegisterStreamConsumerCommand)).toHaveLength(1);
    expect(mock.commandCalls(SubscribeToShardCommand)).toHaveLength(0);
  });

  it('when the endpoint has no enhanced fan-out (kinesalite)', async () => {
    const { status, logger } = await readAll((log) => new FanOutFetchers({ client, streamName: STREAM, consumerName: CONSUMER, logger: log }), 'kinesalite');
    expect(status.map((s) => s.reads?.mode)).toEqual(['polling', 'polling']);
    const warnings = logger.entries.filter((e) => e.message.startsWith('enhanced fan-out is unavailable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields['errorName']).toBe('UnknownOperationException');
  });
});
