/**
 * `edgewatch ingest` on the real broker: ranges keyed by shard, checkpointed only after Kafka
 * acknowledged them, and recorded before they are published, so that after a crash between the
 * acknowledgement and the checkpoint the same range is published again with the same boundaries
 * (and so the same deduplication token downstream), never re-cut differently.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../ingest/kafka/kafka-client.js';
import { RANGE_HEADERS } from '../../ingest/kafka/range-message.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis, type LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { brokers, describeKafka, spawnEdgewatch, spawnScript, testKafkaClient, uniqueName, waitFor } from './kafka-test-kit.js';

const KINESIS_PORT = 46421;
const RECORDS = 3_000;

interface PublishedRange {
  readonly partition: number;
  readonly key: string;
  readonly shard: string;
  readonly first: string;
  readonly last: string;
  readonly records: number;
}

/** Records covered by the ranges, each range counted once however often it was published. */
function distinctRecords(ranges: readonly PublishedRange[]): number {
  const byStart = new Map(ranges.map((r) => [`${r.shard}:${r.first}`, r.records]));
  return [...byStart.values()].reduce((sum, n) => sum + n, 0);
}

describeKafka('edgewatch ingest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-ingest-role-'));
  const stream = uniqueName('ingest').replace(/_/g, '-');
  const topic = uniqueName('ingest_raw');
  let kinesis: LocalKinesis;
  let client: KafkaClient;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    kinesis = await startLocalKinesis({ path: path.join(dir, 'kinesis'), port: KINESIS_PORT, streamName: stream, shardCount: 2 });
    const kinesisClient = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
    const lines = Array.from({ length: RECORDS }, (_, i) => Buffer.from(`record ${i}\n`));
    await new KinesisRecordWriter({ client: kinesisClient, streamName: stream }).putRecords(lines);
    kinesisClient.destroy();
    client = testKafkaClient();
    admin = await client.admin();
  });
  afterAll(async () => {
    await admin?.close();
    await kinesis?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = (): Record<string, string> => ({
    EDGEWATCH_DATA_DIR: path.join(dir, 'ingest'),
    EDGEWATCH_KAFKA_BROKERS: brokers(),
    EDGEWATCH_KAFKA_TOPIC: topic,
    EDGEWATCH_KAFKA_PARTITIONS: '3',
    EDGEWATCH_KINESIS_STREAM: stream,
    EDGEWATCH_KINESIS_ENDPOINT: kinesis.endpoint,
    EDGEWATCH_LOCAL_KINESIS: '0',
    EDGEWATCH_BATCH_MAX_RECORDS: '200',
    EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
    AWS_REGION: 'us-east-1',
    PORT: '0',
    EDGEWATCH_LOG_LEVEL: 'warn',
  });

  async function published(): Promise<PublishedRange[]> {
    const ends = await admin.endOffsets(topic);
    const expected = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
    const ranges: PublishedRange[] = [];
    const reader = client.groupConsumer({
      groupId: uniqueName('reader'),
      topic,
      concurrentPartitions: 1,
      maxMessageBytes: 8 * 1024 * 1024,
      maxFetchWaitMs: 200,
      minFetchBytes: 1,
      sessionTimeoutMs: 10_000,
      onBatch: async (messages, context) => {
        for (const m of messages) {
          ranges.push({
            partition: m.partition,
            key: m.key?.toString() ?? '',
            shard: m.headers[RANGE_HEADERS.shard] ?? '',
            first: m.headers[RANGE_HEADERS.firstSequence] ?? '',
            last: m.headers[RANGE_HEADERS.lastSequence] ?? '',
            records: Number(m.headers[RANGE_HEADERS.records]),
          });
          context.markTaken(m.offset);
        }
        await Promise.resolve();
      },
    });
    await reader.start();
    try {
      await waitFor(`${expected} messages`, () => (ranges.length >= expected ? true : undefined));
    } finally {
      await reader.stop();
    }
    return ranges;
  }

  it('publishes the range left in flight by a crash again, with the same boundaries', { timeout: 300_000 }, async () => {
    const crashed = spawnScript('test/kafka/helpers/crash-ingest.ts', env());
    expect(await crashed.exited, crashed.output()).toBe(137);
    const marker = JSON.parse(fs.readFileSync(path.join(dir, 'ingest', 'crashed-range.json'), 'utf8')) as { shard: string; sequenceNumber: string };
    const checkpoint = JSON.parse(fs.readFileSync(path.join(dir, 'ingest', 'checkpoints', `${stream}.json`), 'utf8')) as {
      shards: Record<string, { inFlight: { first: string; last: string } | null }>;
    };
    const inFlight = checkpoint.shards[marker.shard]?.inFlight;
    expect(inFlight?.last).toBe(marker.sequenceNumber);
    // The checkpoint never moved past it, yet Kafka already has it: the acknowledgement came first.
    const beforeRestart = await published();
    expect(beforeRestart.filter((r) => r.shard === marker.shard && r.first === inFlight?.first && r.last === inFlight?.last)).toHaveLength(1);

    const ingest = spawnEdgewatch('ingest', env());
    try {
      await waitFor('every record published', async () => (distinctRecords(await published()) === RECORDS ? true : undefined), 120_000, 1_000);
    } finally {
      ingest.child.kill('SIGTERM');
      expect(await ingest.exited, ingest.output()).toBe(0);
    }

    const ranges = await published();
    const byStart = new Map<string, PublishedRange[]>();
    for (const r of ranges) byStart.set(`${r.shard}:${r.first}`, [...(byStart.get(`${r.shard}:${r.first}`) ?? []), r]);
    // Republished with the same boundaries: a range starting where the crashed one started ends where it ended.
    const again = byStart.get(`${marker.shard}:${inFlight!.first}`)!;
    expect(again).toHaveLength(2);
    expect(again.every((r) => r.last === inFlight!.last && r.records === again[0]!.records)).toBe(true);
    // Only ranges left in flight by the crash were published again (another shard may have had one
    // under way too), each with its boundaries; ranges of a shard never overlap; all records are there.
    const leftInFlight = new Set(
      Object.entries(checkpoint.shards)
        .filter(([, state]) => state.inFlight !== null)
        .map(([shard, state]) => `${shard}:${state.inFlight!.first}`),
    );
    for (const [start, list] of byStart) {
      if (list.length === 1) continue;
      expect(leftInFlight.has(start), `${start} was published ${list.length} times without being in flight`).toBe(true);
      expect(list).toHaveLength(2);
      expect(list.every((r) => r.last === list[0]!.last && r.records === list[0]!.records)).toBe(true);
    }
    for (const shard of new Set(ranges.map((r) => r.shard))) {
      const own = [...byStart.values()].map((list) => list[0]!).filter((r) => r.shard === shard).sort((a, b) => (BigInt(a.first) < BigInt(b.first) ? -1 : 1));
      for (let i = 1; i < own.length; i++) expect(BigInt(own[i]!.first) > BigInt(own[i - 1]!.last)).toBe(true);
    }
    expect([...byStart.values()].reduce((sum, list) => sum + list[0]!.records, 0)).toBe(RECORDS);
    // Keyed by shard: one shard's ranges share one partition, in order.
    for (const shard of new Set(ranges.map((r) => r.shard))) {
      const own = ranges.filter((r) => r.shard === shard);
      expect(new Set(own.map((r) => r.partition)).size).toBe(1);
      expect(own.every((r) => r.key === shard)).toBe(true);
    }
  });
});
