/**
 * The figures the capacity planner (processor/capacity/) is built on, printed one per line:
 *
 *   field_avg_bytes{field=…}             average text width of each log field in simulator lines (seed 42,
 *                                        every field of the catalogue)
 *   full_line_avg_bytes                  average line with every field (tabs and newline included)
 *   ingest_records_per_s                 one core doing the ingest role's per-record work: decode
 *                                        GetRecords-shaped JSON (base64 data) and encode the ranges
 *                                        as Kafka messages (network and the broker are not included)
 *   process_records_per_s                one core doing the process role's work with embedded ClickHouse
 *                                        in the same process: parse, enrich, encode and insert into
 *                                        `requests` and its rollups (as e2e_records_per_s of run-all.ts)
 *   ingest_records_per_cpu_s,            the same per CPU-second of the process (user + system, every
 *   process_records_per_cpu_s            thread): what one fully used core does, on a busy machine too;
 *                                        the planner's per-core figures
 *   requests_compressed_bytes_per_row    `requests` on disk after those inserts and a final merge, per row
 *   requests_uncompressed_bytes_per_row
 *   bench_line_avg_bytes                 average line of the field set the rows were inserted with
 *
 * BENCH_CAPACITY_RECORDS sets the lines inserted (default 200000). Alone:
 * `node bin/run-ts.mjs bench/capacity-bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeRangeMessage } from '../ingest/kafka/range-message.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import type { RawBatch } from '../processor/batch.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { FULL_LAYOUT, layoutOf, type Layout } from '../processor/fields/layout.js';
import { ClickHouseWriter } from '../processor/storage/clickhouse-writer.js';
import { createClickHouse } from '../processor/storage/clickhouse.js';
import { runMigrations } from '../processor/storage/migrations.js';

const RECORDS = Number(process.env.BENCH_CAPACITY_RECORDS ?? 200_000);
/** GetRecords returns at most 10,000 records per call. */
const GET_RECORDS_LIMIT = 10_000;
const INSERT_BATCH = 20_000;
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const resolveDistribution = (domain: string | null): string => (domain === null ? '' : (domains.get(domain) ?? ''));

function print(name: string, value: number, digits = 0): void {
  process.stdout.write(`${name} ${value.toFixed(digits)}\n`);
}

function generateLines(layout: Layout, count: number): string[] {
  const startMs = Date.now() - 3_600_000;
  const generator = createTrafficGenerator({ seed: 42, distributions: DEMO_DISTRIBUTIONS, layout, startMs });
  const lines: string[] = [];
  for (let t = 0; lines.length < count; t++) {
    for (const line of generator.linesAt(startMs + t * 1000, Math.min(2_000, count - lines.length), 1000)) lines.push(line);
  }
  return Buffer.from(lines.join('')).toString('utf8').split(/(?<=\n)/);
}

function averageBytes(lines: readonly string[]): number {
  return lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0) / lines.length;
}

function fieldWidths(): void {
  const lines = generateLines(FULL_LAYOUT, 20_000);
  const sums = new Array<number>(FULL_LAYOUT.fields.length).fill(0);
  for (const line of lines) {
    line
      .slice(0, -1)
      .split('\t')
      .forEach((value, i) => {
        sums[i] = (sums[i] ?? 0) + Buffer.byteLength(value);
      });
  }
  FULL_LAYOUT.fields.forEach((field, i) => print(`field_avg_bytes{field=${field.name}}`, (sums[i] ?? 0) / lines.length, 1));
  print('full_line_avg_bytes', averageBytes(lines), 1);
}

function getRecordsBodies(lines: readonly string[]): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += GET_RECORDS_LIMIT) {
    const records = lines.slice(i, i + GET_RECORDS_LIMIT).map((line, j) => ({
      Data: Buffer.from(line).toString('base64'),
      PartitionKey: `key-${j % 64}`,
      SequenceNumber: String(49_000_000_000_000_000_000n + BigInt(i + j)),
      ApproximateArrivalTimestamp: 1_796_000_000 + (i + j) / 1000,
    }));
    bodies.push(JSON.stringify({ Records: records, MillisBehindLatest: 0, NextShardIterator: 'AAAA' }));
  }
  return bodies;
}

interface GetRecordsBody {
  readonly Records: readonly { Data: string; SequenceNumber: string; ApproximateArrivalTimestamp: number }[];
}

/** CPU seconds this process used (every thread) since `start`. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function benchIngest(lines: readonly string[]): void {
  const bodies = getRecordsBodies(lines);
  const run = (): number => {
    let records = 0;
    for (const body of bodies) {
      const parsed = JSON.parse(body) as GetRecordsBody;
      const batch: RawBatch = {
        stream: 'bench',
        shardId: 'shardId-000000000000',
        firstSequence: parsed.Records[0]!.SequenceNumber,
        lastSequence: parsed.Records.at(-1)!.SequenceNumber,
        records: parsed.Records.map((r) => ({ data: Buffer.from(r.Data, 'base64'), sequenceNumber: r.SequenceNumber, arrivalMs: r.ApproximateArrivalTimestamp * 1000 })),
      };
      records += batch.records.length;
      encodeRangeMessage(batch);
    }
    return records;
  };
  run(); // warm-up: JIT
  const cpu = process.cpuUsage();
  const started = performance.now();
  const records = run();
  print('ingest_records_per_s', records / ((performance.now() - started) / 1000));
  print('ingest_records_per_cpu_s', records / cpuSecondsSince(cpu));
}

function toBatches(lines: readonly string[]): RawBatch[] {
  const batches: RawBatch[] = [];
  for (let i = 0; i < lines.length; i += INSERT_BATCH) {
    const records = lines.slice(i, i + INSERT_BATCH).map((line, j) => ({ data: Buffer.from(line), sequenceNumber: String(1_000_000 + i + j), arrivalMs: Date.now() }));
    batches.push({ stream: 'bench', shardId: 'shardId-000000000000', firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records });
  }
  return batches;
}

async function benchProcessAndStorage(layout: Layout, lines: readonly string[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-capacity-bench-'));
  const ch = createClickHouse({ mode: 'embedded', dataDir: dir, database: 'edgewatch_capacity', maxExecutionTimeS: 600 });
  try {
    await runMigrations(ch, { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 });
    const writer = new ClickHouseWriter(ch, { maxInFlight: 1 });
    const processor = new BatchProcessor({ sink: writer, sourceKind: 'bench', resolveDistribution, formatOf: () => ({ layout, samplingRate: 100 }) });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (const batch of toBatches(lines)) {
      inFlight.push(processor.handle(batch));
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    print('process_records_per_s', lines.length / ((performance.now() - started) / 1000));
    print('process_records_per_cpu_s', lines.length / cpuSecondsSince(cpu));
    await writer.stop();

    await ch.command('OPTIMIZE TABLE edgewatch_capacity.requests FINAL', {}, { maxExecutionTimeS: 600 });
    const [parts] = await ch.query<{ rows: string; compressed: string; uncompressed: string }>(
      `SELECT sum(rows) AS rows, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
       FROM system.parts WHERE database = {database:String} AND table = 'requests' AND active`,
      { database: 'edgewatch_capacity' },
    );
    const rows = Number(parts?.rows ?? 0);
    if (rows !== lines.length) throw new Error(`requests holds ${rows} rows after inserting ${lines.length} lines`);
    print('requests_compressed_bytes_per_row', Number(parts!.compressed) / rows, 1);
    print('requests_uncompressed_bytes_per_row', Number(parts!.uncompressed) / rows, 1);
    print('bench_line_avg_bytes', averageBytes(lines), 1);
  } finally {
    await ch.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
fieldWidths();
const lines = generateLines(layout, RECORDS);
benchIngest(lines);
await benchProcessAndStorage(layout, lines);
