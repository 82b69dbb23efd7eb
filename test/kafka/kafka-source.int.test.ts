/**
 * KafkaSource on the real broker, storing into embedded ClickHouse through the real processor:
 * - a range published twice (ingest crashed after Kafka's acknowledgement, before its checkpoint)
 *   is stored once: the token comes from the range, not from the offset;
 * - a message that is not a range becomes a dead letter and the offset moves past it;
 * - offsets are committed only once the batch is stored;
 * - raw-lines topics: a member that takes a partition over re-cuts the batch the previous member
 *   recorded (and stored, but did not commit), so the repeat is deduplicated.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsumedMessage, KafkaAdmin, KafkaClient } from '../../ingest/kafka/kafka-client.js';
import { KafkaSource, type KafkaTopicFormat } from '../../ingest/kafka/kafka-source.js';
import { encodeRangeMessage } from '../../ingest/kafka/range-message.js';
import { decodeCut } from '../../ingest/kafka/cut-log.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import type { BatchHandler, RawBatch } from '../../processor/batch.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { batchToken } from '../../processor/storage/batch-token.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { migrated, scalar, tempDataDir } from '../storage/storage-env.js';
import { describeKafka, quietLogger, testKafkaClient, uniqueName, waitFor } from './kafka-test-kit.js';

const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const generator = createTrafficGenerator({ seed: 11, distributions: DEMO_DISTRIBUTIONS, layout, startMs: Date.now() - 3_600_000 });
let clock = Date.now() - 3_600_000;

function lines(count: number): string[] {
  clock += 60_000;
  return generator.linesAt(clock, count, 60_000);
}

function range(shardId: string, firstSequence: bigint, payloads: readonly string[]): RawBatch {
  const records = payloads.map((line, i) => ({ data: Buffer.from(line), sequenceNumber: String(firstSequence + BigInt(i)), arrivalMs: Date.now() }));
  return { stream: 'edgewatch-local', shardId, firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records };
}

describeKafka('KafkaSource on a real broker', () => {
  let client: KafkaClient;
  let admin: KafkaAdmin;
  let clickhouse: ClickHouse;
  let writer: ClickHouseWriter;
  const database = uniqueName('kafka_source');

  beforeAll(async () => {
    client = testKafkaClient();
    admin = await client.admin();
    clickhouse = await migrated(tempDataDir('kafka-source'), database);
    writer = new ClickHouseWriter(clickhouse);
  });
  afterAll(async () => {
    await admin?.close();
    await writer?.stop();
    await clickhouse?.close();
  });

  function processorFor(): BatchProcessor {
    return new BatchProcessor({ sink: writer, sourceKind: 'kafka', resolveDistribution: () => '', formatOf: () => ({ layout, samplingRate: 100 }) });
  }

  function source(topic: string, groupId: string, format: KafkaTopicFormat, handler: BatchHandler, maxBatchRecords = 20_000): KafkaSource {
    return new KafkaSource({
      client,
      topic,
      groupId,
      format,
      handler,
      onUnreadable: async (message: ConsumedMessage, reason: string) => {
        const letter = { line: 1, reason, field: null, input: message.value?.toString('utf8') ?? '', source: 'kafka', stream: topic, shardId: String(message.partition), sequenceNumber: message.offset, receivedAtMs: Date.now() };
        await writer.write({ token: `unreadable:${topic}:${message.partition}:${message.offset}`, rows: [], deadLetters: [letter] });
      },
      concurrentPartitions: 2,
      maxMessageBytes: 4 * 1024 * 1024,
      sessionTimeoutMs: 6_000,
      lineBatches: { maxBatchRecords, maxBatchBytes: 16 * 1024 * 1024, maxBatchAgeMs: 300 },
      logger: quietLogger,
    });
  }

  async function lag(groupId: string, topic: string): Promise<number> {
    const [ends, committed] = await Promise.all([admin.endOffsets(topic), admin.committedOffsets(groupId, topic)]);
    let total = 0;
    for (const [partition, end] of ends) total += Number(BigInt(end) - BigInt(committed.find((c) => c.partition === partition)?.offset ?? '0'));
    return total;
  }

  const countRows = (shard: string) => scalar(clickhouse, `SELECT count() AS v FROM ${database}.requests WHERE shard_id = {shard:String}`, { shard });
  const countIds = (shard: string) => scalar(clickhouse, `SELECT uniqExact(x_edge_request_id) AS v FROM ${database}.requests WHERE shard_id = {shard:String}`, { shard });

  it('stores a range published twice once, dead-letters a message that is not a range, and commits only stored work', async () => {
    const topic = uniqueName('ranges');
    const groupId = uniqueName('ranges_group');
    await admin.ensureTopic({ topic, partitions: 2, config: { 'max.message.bytes': String(4 * 1024 * 1024) } });
    const publisher = client.publisher();
    const shard = uniqueName('shard');
    const first = range(shard, 1000n, lines(300));
    const second = range(shard, 2000n, lines(200));
    // The second copy is what ingest publishes again after a crash between Kafka's ack and its checkpoint.
    for (const batch of [first, first, second]) await publisher.send(topic, [encodeRangeMessage(batch)]);
    await publisher.send(topic, [{ key: shard, value: Buffer.from('hello from another producer'), headers: { 'content-type': 'text/plain' } }]);
    await publisher.close();

    const processor = processorFor();
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = source(topic, groupId, 'ranges', async (batch) => {
      // Hold the first range until the test has looked at the committed offsets.
      if (seen.length === 0) await gate;
      seen.push(batchToken(batch.stream, batch.shardId, batch.firstSequence, batch.lastSequence));
      await processor.handle(batch);
    });
    await consumer.start();
    try {
      await waitFor('the consumer to hold the first range', () => (consumer.status().length > 0 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      // Nothing stored yet, so nothing committed.
      expect(await lag(groupId, topic)).toBe(4);
      release();
      await waitFor('every message committed', async () => ((await lag(groupId, topic)) === 0 ? true : undefined));
    } finally {
      await consumer.stop();
    }
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe(seen[1]);
    expect(await countRows(shard)).toBe(500);
    expect(await countIds(shard)).toBe(500);
    const deadLetters = await clickhouse.query<{ input: string; stream: string }>(`SELECT input, stream FROM ${database}.dead_letters WHERE stream = {topic:String}`, { topic });
    expect(deadLetters.map((d) => d.input)).toEqual(['hello from another producer']);
  });

  it('raw lines: a member taking over re-cuts the batch the previous member recorded, and it is stored once', async () => {
    const topic = uniqueName('lines');
    const groupId = uniqueName('lines_group');
    await admin.ensureTopic({ topic, partitions: 1 });
    const publisher = client.publisher();
    const payloads = lines(60);
    for (let i = 0; i < payloads.length; i += 20) {
      await publisher.send(topic, payloads.slice(i, i + 20).map((line) => ({ key: 'k', value: Buffer.from(line), headers: {} })));
    }
    await publisher.close();

    // Member A cuts 25 lines per batch, stores its first batch, and dies before committing it.
    const processor = processorFor();
    const storedByA: RawBatch[] = [];
    let die: (err: Error) => void = () => undefined;
    const death = new Promise<never>((_resolve, reject) => (die = reject));
    const memberA = source(topic, groupId, 'lines', async (batch) => {
      await processor.handle(batch);
      storedByA.push(batch);
      await death;
    }, 25);
    await memberA.start();
    await waitFor('member A to store a batch', () => (storedByA.length === 1 ? true : undefined));
    const [recorded] = await admin.committedOffsets(groupId, topic);
    const cut = decodeCut(recorded?.metadata ?? null, recorded?.offset ?? null);
    expect(cut).toEqual({ first: storedByA[0]!.firstSequence, last: storedByA[0]!.lastSequence });
    expect(Number(cut!.last) - Number(cut!.first) + 1).toBe(25);
    const stopping = memberA.stop();
    die(new Error('member A died'));
    await stopping;
    const requestIds = (list: readonly string[]) => list.map((line) => line.split('\t')[DEFAULT_LOCAL_FIELD_NAMES.indexOf('x-edge-request-id')]!);
    const storedRows = (list: readonly string[]) =>
      scalar(clickhouse, `SELECT count() AS v FROM ${database}.requests WHERE x_edge_request_id IN {ids:Array(String)}`, { ids: requestIds(list) });
    expect(await storedRows(payloads.slice(0, 25))).toBe(25);

    // Member B would cut everything at once; it first re-cuts A's recorded batch exactly.
    const cutsByB: RawBatch[] = [];
    const memberB = source(topic, groupId, 'lines', async (batch) => {
      cutsByB.push(batch);
      await processor.handle(batch);
    }, 10_000);
    await memberB.start();
    try {
      await waitFor('member B to commit everything', async () => ((await lag(groupId, topic)) === 0 ? true : undefined));
    } finally {
      await memberB.stop();
    }
    expect(cutsByB[0]?.firstSequence).toBe(cut!.first);
    expect(cutsByB[0]?.lastSequence).toBe(cut!.last);
    const [after] = await admin.committedOffsets(groupId, topic);
    expect(after).toMatchObject({ offset: '60', metadata: null });
    // Without the re-cut, A's 25 lines would be stored a second time in B's larger batch.
    expect(await storedRows(payloads)).toBe(60);
  });
});
