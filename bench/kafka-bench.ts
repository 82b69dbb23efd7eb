/**
 * Scale-out throughput: simulator lines published to Kafka as ranges (as `edgewatch ingest` does),
 * consumed by one and then two `edgewatch process` processes, stored in ClickHouse. Prints
 *
 *   kafka_e2e_records_per_s{processors=1} N
 *   kafka_e2e_records_per_s{processors=2} N
 *
 * measured from the first publish until every offset is committed (every record stored), processes
 * already started. The broker is the real one (official jars, on this machine); ClickHouse is the
 * embedded engine behind the HTTP interface (test/support/clickhouse-http-fixture.ts) in a process
 * of its own, which runs one statement at a time: with two processors it is often the limit.
 *
 * BENCH_KAFKA_RECORDS sets the number of lines (default 200000). Without Java the benchmark prints
 * why it is skipped. Standalone: `node bin/run-ts.mjs bench/kafka-bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { startKafkaBroker } from '../infra/kafka/broker.js';
import { KafkaToolchainError, requireJava } from '../infra/kafka/kafka-libs.js';
import type { KafkaAdmin } from '../ingest/kafka/kafka-client.js';
import { createKafkajsClient } from '../ingest/kafka/kafkajs-client.js';
import { encodeRangeMessage } from '../ingest/kafka/range-message.js';
import { rangeLimitsFor } from '../ingest/kafka/range-publisher.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import type { RawBatch } from '../processor/batch.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { layoutOf } from '../processor/fields/layout.js';
import { createClickHouse } from '../processor/storage/clickhouse.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BROKER_PORT = 46430;
const CONTROLLER_PORT = 46431;
const CLICKHOUSE_PORT = 46432;
const PARTITIONS = 4;
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

function generateRanges(records: number): RawBatch[] {
  const startMs = Date.now() - 3_600_000;
  const generator = createTrafficGenerator({ seed: 42, distributions: DEMO_DISTRIBUTIONS, layout: layoutOf(DEFAULT_LOCAL_FIELD_NAMES), startMs });
  const lines: string[] = [];
  for (let t = 0; lines.length < records; t++) lines.push(...generator.linesAt(startMs + t * 1000, Math.min(2_000, records - lines.length), 1000));
  const limits = rangeLimitsFor(MAX_MESSAGE_BYTES, { maxBatchRecords: 20_000, maxBatchBytes: 16 * 1024 * 1024 });
  const ranges: RawBatch[] = [];
  let sequence = 10n ** 20n;
  for (let i = 0, n = 0; i < lines.length; n++) {
    const records: RawBatch['records'][number][] = [];
    let bytes = 0;
    while (i < lines.length && records.length < limits.maxBatchRecords && bytes + Buffer.byteLength(lines[i]!) <= limits.maxBatchBytes) {
      const data = Buffer.from(lines[i++]!);
      bytes += data.length;
      records.push({ data, sequenceNumber: String((sequence += 1n)), arrivalMs: Date.now() });
    }
    ranges.push({ stream: 'edgewatch-local', shardId: `shardId-00000000000${n % PARTITIONS}`, firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records });
  }
  return ranges;
}

interface Child {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<void>;
}

function spawnChild(args: readonly string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`kafka bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function lag(admin: KafkaAdmin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([admin.endOffsets(topic), admin.committedOffsets(groupId, topic)]);
  let total = 0;
  for (const [partition, end] of ends) total += Number(BigInt(end) - BigInt(committed.find((c) => c.partition === partition)?.offset ?? '0'));
  return total;
}

/** Runs the benchmark, writing its figures (or why it was skipped) to `out`. */
export async function runKafkaBench(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  try {
    requireJava();
  } catch (err) {
    if (!(err instanceof KafkaToolchainError)) throw err;
    out.write(`kafka_e2e_records_per_s skipped: ${err.message}\n`);
    return;
  }
  const records = Number(process.env.BENCH_KAFKA_RECORDS ?? 200_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-kafka-bench-'));
  const logger = pino({ level: 'silent' });
  // Full JIT: this broker is measured, not restarted.
  const broker = await startKafkaBroker({ dir: path.join(dir, 'broker'), port: BROKER_PORT, controllerPort: CONTROLLER_PORT, heapMb: 1024, jvmOptions: ['-Djava.awt.headless=true'] });
  const clickhouseServer = spawnChild([path.join(ROOT, 'bin/run-ts.mjs'), 'test/support/clickhouse-http-fixture.ts', '--port', String(CLICKHOUSE_PORT), '--data-dir', path.join(dir, 'clickhouse')], {});
  const url = `http://127.0.0.1:${CLICKHOUSE_PORT}`;
  const client = createKafkajsClient({ brokers: [...broker.brokers], clientId: 'edgewatch-bench', logger });
  const admin = await client.admin();
  const publisher = client.publisher();
  const running: Child[] = [];
  try {
    await waitFor('the ClickHouse stand-in', () => clickhouseServer.output().includes(url), 60_000);
    const ranges = generateRanges(records);
    for (const processors of [1, 2]) {
      const topic = `bench.raw.${processors}`;
      const groupId = `bench-${processors}`;
      const database = `kafka_bench_${processors}`;
      await admin.ensureTopic({ topic, partitions: PARTITIONS, config: { 'max.message.bytes': String(MAX_MESSAGE_BYTES) } });
      const members = Array.from({ length: processors }, (_, n) =>
        spawnChild([path.join(ROOT, 'bin/edgewatch.mjs'), 'process'], {
          EDGEWATCH_DATA_DIR: path.join(dir, `process-${processors}-${n}`),
          PORT: '0',
          EDGEWATCH_CLICKHOUSE_URL: url,
          EDGEWATCH_CLICKHOUSE_DATABASE: database,
          EDGEWATCH_KAFKA_BROKERS: broker.brokers.join(','),
          EDGEWATCH_KAFKA_TOPIC: topic,
          EDGEWATCH_KAFKA_GROUP: groupId,
          EDGEWATCH_KAFKA_DLQ_TOPIC: `${topic}.dlq`,
          EDGEWATCH_KAFKA_PARTITIONS: String(PARTITIONS),
          EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS: '10000',
          EDGEWATCH_LOG_LEVEL: 'info',
        }),
      );
      running.push(...members);
      // Every member has joined and the partitions are spread before the clock starts.
      await waitFor(
        'the processors to join',
        () => {
          const gone = members.find((m) => m.child.exitCode !== null);
          if (gone !== undefined) throw new Error(`kafka bench: a processor exited (${gone.child.exitCode}):\n${gone.output().slice(-3000)}`);
          const owned = members.map((m) => {
            const joins = m.output().split('\n').filter((line) => line.includes('joined the consumer group'));
            const last = joins.at(-1);
            return last === undefined ? -1 : (JSON.parse(last) as { partitions: number[] }).partitions.length;
          });
          return owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === PARTITIONS && members.every((m) => m.output().includes('processing Kafka batches'));
        },
        180_000,
        200,
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}; processor output:\n${members.map((m) => m.output().slice(-3000)).join('\n---\n')}`);
      });
      const started = performance.now();
      await Promise.all(
        Array.from({ length: PARTITIONS }, async (_, shard) => {
          for (const range of ranges.filter((r) => r.shardId.endsWith(String(shard)))) await publisher.send(topic, [encodeRangeMessage(range)]);
        }),
      );
      await waitFor('every offset committed', async () => (await lag(admin, groupId, topic)) === 0, 600_000, 50);
      const seconds = (performance.now() - started) / 1000;
      const clickhouse = createClickHouse({ mode: 'server', url, database, maxExecutionTimeS: 60 });
      const [row] = await clickhouse.query<{ n: string }>(`SELECT count() AS n FROM ${database}.requests`);
      await clickhouse.close();
      if (Number(row?.n) !== records) throw new Error(`kafka bench: ${row?.n} rows stored, ${records} sent`);
      out.write(`kafka_e2e_records_per_s{processors=${processors}} ${Math.round(records / seconds)}\n`);
      for (const member of members) member.child.kill('SIGTERM');
      await Promise.all(members.map((m) => m.exited));
    }
  } finally {
    for (const child of running) child.child.kill('SIGKILL');
    await publisher.close();
    await admin.close();
    clickhouseServer.child.kill('SIGTERM');
    await clickhouseServer.exited;
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await runKafkaBench();
}
