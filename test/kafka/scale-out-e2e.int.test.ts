/**
 * Scale-out end to end, every part a real process or server: Kinesis (kinesalite) → `edgewatch
 * ingest` → Kafka (the real broker) → three `edgewatch process` members of one consumer group →
 * ClickHouse (the embedded engine behind the HTTP interface, reached by URL). Mid-stream one member
 * is killed with SIGKILL and the broker is restarted once. Afterwards `requests` holds exactly one
 * row per record sent (rows = distinct x-edge-request-id = records), and every malformed record is in
 * `dead_letters` and on the dead-letter topic with its reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClient } from '../../ingest/kafka/kafka-client.js';
import { DEAD_LETTER_HEADERS } from '../../ingest/kafka/dead-letter-topic.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis, type LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';
import { brokers, describeKafka, restartBroker, spawnEdgewatch, testKafkaClient, uniqueName, waitFor, type EdgewatchProcess } from './kafka-test-kit.js';

const KINESIS_PORT = 46420;
const CLICKHOUSE_PORT = 46410;
const RECORDS_PER_WAVE = 4_000;
const MALFORMED_PER_WAVE = 10;

async function groupLag(admin: KafkaAdmin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([admin.endOffsets(topic), admin.committedOffsets(groupId, topic)]);
  let lag = 0;
  for (const [partition, end] of ends) {
    const done = committed.find((c) => c.partition === partition)?.offset ?? '0';
    lag += Number(BigInt(end) - BigInt(done));
  }
  return lag;
}

describeKafka('scale-out: Kinesis → ingest → Kafka → three processors → ClickHouse', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-scale-out-'));
  const stream = uniqueName('stream').replace(/_/g, '-');
  const topic = uniqueName('raw');
  const deadLetterTopic = uniqueName('dlq');
  const groupId = uniqueName('processors');
  const database = uniqueName('scaleout');
  const children: EdgewatchProcess[] = [];
  let kinesis: LocalKinesis;
  let fixture: ClickHouseHttpFixture;
  let clickhouse: ClickHouse;
  let client: KafkaClient;
  let admin: KafkaAdmin;

  const kafkaEnv = (): Record<string, string> => ({
    EDGEWATCH_KAFKA_BROKERS: brokers(),
    EDGEWATCH_KAFKA_TOPIC: topic,
    EDGEWATCH_KAFKA_DLQ_TOPIC: deadLetterTopic,
    EDGEWATCH_KAFKA_GROUP: groupId,
    EDGEWATCH_KAFKA_PARTITIONS: '6',
    EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS: '6000',
    EDGEWATCH_KINESIS_STREAM: stream,
    EDGEWATCH_KINESIS_ENDPOINT: kinesis.endpoint,
    EDGEWATCH_LOCAL_KINESIS: '0',
    AWS_REGION: 'us-east-1',
    PORT: '0',
    EDGEWATCH_LOG_LEVEL: 'info',
  });

  beforeAll(async () => {
    kinesis = await startLocalKinesis({ path: path.join(dir, 'kinesis'), port: KINESIS_PORT, streamName: stream, shardCount: 4 });
    fixture = await startClickHouseHttpFixture({ dataDir: path.join(dir, 'clickhouse'), port: CLICKHOUSE_PORT });
    clickhouse = createClickHouse({ mode: 'server', url: fixture.url, database, maxExecutionTimeS: 30 });
    client = testKafkaClient();
    admin = await client.admin();
  });

  afterAll(async () => {
    for (const child of children) child.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await admin?.close();
    await clickhouse?.close();
    await fixture?.close();
    await kinesis?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every record exactly once through a member crash and a broker restart', { timeout: 600_000 }, async () => {
    const ingest = spawnEdgewatch('ingest', {
      ...kafkaEnv(),
      EDGEWATCH_DATA_DIR: path.join(dir, 'ingest'),
      EDGEWATCH_BATCH_MAX_RECORDS: '1000',
      EDGEWATCH_BATCH_MAX_AGE_MS: '500',
      EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
    });
    children.push(ingest);
    const startProcessor = (n: number): EdgewatchProcess => {
      const child = spawnEdgewatch('process', {
        ...kafkaEnv(),
        EDGEWATCH_DATA_DIR: path.join(dir, `process-${n}`),
        EDGEWATCH_CLICKHOUSE_URL: fixture.url,
        EDGEWATCH_CLICKHOUSE_DATABASE: database,
        EDGEWATCH_LOG_FIELDS: DEFAULT_LOCAL_FIELD_NAMES.join(','),
        EDGEWATCH_KAFKA_CONCURRENT_PARTITIONS: '2',
      });
      children.push(child);
      return child;
    };
    const ready = (child: EdgewatchProcess, text: string) => waitFor(`"${text}"`, () => (child.output().includes(text) ? true : undefined), 120_000);
    // Started together: they race to create the schema, and must all get there.
    const processors = [startProcessor(1), startProcessor(2), startProcessor(3)];
    await Promise.all([ready(ingest, 'ingest publishes Kinesis ranges to Kafka'), ...processors.map((p) => ready(p, 'processing Kafka batches into ClickHouse'))]);

    const writerClient = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
    const writer = new KinesisRecordWriter({ client: writerClient, streamName: stream });
    const generator = createTrafficGenerator({ seed: 7, distributions: DEMO_DISTRIBUTIONS, layout: layoutOf(DEFAULT_LOCAL_FIELD_NAMES), startMs: Date.now() - 3_600_000 });
    const malformed: string[] = [];
    let sent = 0;
    const writeWave = async (wave: number): Promise<void> => {
      const lines = generator.linesAt(Date.now() - 3_600_000 + wave * 10_000, RECORDS_PER_WAVE, 10_000);
      for (let i = 0; i < MALFORMED_PER_WAVE; i++) {
        const line = `malformed-${wave}-${i}\tnot a CloudFront line`;
        malformed.push(line);
        lines.splice((i * 397) % lines.length, 0, `${line}\n`);
      }
      await writer.putRecords(lines.map((line) => Buffer.from(line)));
      sent += RECORDS_PER_WAVE;
    };
    const stored = async (): Promise<number> => {
      const [row] = await clickhouse.query<{ n: string }>(`SELECT count() AS n FROM ${database}.requests`);
      return Number(row?.n ?? 0);
    };

    await writeWave(1);
    // Mid-stream: a member dies without a word while batches are flowing.
    await waitFor('the first rows', async () => ((await stored()) > 0 ? true : undefined), 120_000);
    await writeWave(2);
    processors[1]!.child.kill('SIGKILL');
    expect(await processors[1]!.exited).toBe(137);
    await writeWave(3);
    // The broker goes down under load and comes back; producers and consumers reconnect.
    await restartBroker(2_000);
    await writeWave(4);
    writerClient.destroy();

    await waitFor(
      'every record stored and every offset committed',
      async () => {
        const lag = await groupLag(admin, groupId, topic).catch(() => Infinity);
        return (await stored()) >= sent && lag === 0 ? true : undefined;
      },
      300_000,
      1_000,
    ).catch(async (err: unknown) => {
      // Say where it stands: what is stored, what Kafka holds, what each process reports.
      const health = await Promise.all(
        [ingest, ...processors].map(async (child) => {
          const url = /health: (http:\/\/[0-9.:]+)/.exec(child.output())?.[1];
          const body = url === undefined ? 'no health URL' : await fetch(`${url}/healthz`).then((r) => r.text(), (e: unknown) => String(e));
          return `pid ${child.child.pid}: ${body.slice(0, 10_000)}`;
        }),
      );
      const state = { sent, stored: await stored(), ends: Object.fromEntries(await admin.endOffsets(topic)), committed: await admin.committedOffsets(groupId, topic) };
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${JSON.stringify(state)}\n${health.join('\n')}`);
    });
    // Survivors took the dead member's partitions over.
    const survivors = [processors[0]!, processors[2]!];
    const assigned = new Set<number>();
    for (const survivor of survivors) {
      const joins = survivor.output().split('\n').filter((line) => line.includes('joined the consumer group'));
      const last = JSON.parse(joins.at(-1)!) as { partitions: number[] };
      for (const p of last.partitions) assigned.add(p);
    }
    expect([...assigned].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    const [counts] = await clickhouse.query<{ rows: string; ids: string }>(`SELECT count() AS rows, uniqExact(x_edge_request_id) AS ids FROM ${database}.requests`);
    expect(Number(counts!.rows)).toBe(sent);
    expect(Number(counts!.ids)).toBe(sent);
    const deadLetters = await clickhouse.query<{ input: string; reason: string }>(`SELECT DISTINCT input, reason FROM ${database}.dead_letters`);
    expect(new Set(deadLetters.map((d) => d.input))).toEqual(new Set(malformed));
    expect(deadLetters.every((d) => d.reason.length > 0)).toBe(true);

    // The dead-letter topic has each malformed line with its reason (at least once).
    const onTopic = new Map<string, string>();
    const dlqConsumer = client.groupConsumer({
      groupId: uniqueName('dlq_reader'),
      topic: deadLetterTopic,
      concurrentPartitions: 1,
      maxMessageBytes: 8 * 1024 * 1024,
      maxFetchWaitMs: 200,
      minFetchBytes: 1,
      sessionTimeoutMs: 10_000,
      onBatch: async (messages, context) => {
        for (const m of messages) {
          onTopic.set(m.value?.toString('utf8') ?? '', m.headers[DEAD_LETTER_HEADERS.reason] ?? '');
          context.markTaken(m.offset);
        }
        await Promise.resolve();
      },
    });
    await dlqConsumer.start();
    try {
      await waitFor('the dead-letter topic', () => (malformed.every((line) => onTopic.has(line)) ? true : undefined), 60_000);
    } finally {
      await dlqConsumer.stop();
    }
    expect(malformed.every((line) => (onTopic.get(line) ?? '').length > 0)).toBe(true);

    // Graceful stop of everything still running.
    for (const child of [ingest, ...survivors]) child.child.kill('SIGTERM');
    expect(await ingest.exited, ingest.output().slice(-2000)).toBe(0);
    for (const survivor of survivors) expect(await survivor.exited, survivor.output().slice(-2000)).toBe(0);
  });
});
