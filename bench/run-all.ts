/**
 * `npm run bench`: throughput of the hot path, printed one figure per line.
 *
 *   parse_enrich_records_per_s             parser + enrichment on one core, simulator lines in memory, as
 *                                          the pipeline runs them (text fields left for ClickHouse to decode)
 *   parse_enrich_full_decode_records_per_s the same with every field decoded in JS (the `parse` command)
 *   e2e_records_per_s                      the same lines through BatchProcessor (parse, enrich, encode)
 *                                          and the ClickHouse writer into `requests` with its rollups
 *   clickhouse_native_insert_records_per_s ClickHouse alone inserting the same lines from a file into a
 *                                          plain table of the log fields (same process, same engine)
 *   e2e_vs_native                          ratio of the two
 *   avg_line_bytes, peak_rss_mb
 *   kafka_e2e_records_per_s{processors=1|2}  ranges published to a real Kafka broker, stored by one or two
 *                                          `edgewatch process` processes (kafka-bench.ts; skipped without Java)
 *   kinesis_read_records_per_s             one ingest worker holding the leases of eight local Kinesis shards,
 *                                          pre-filled, read and checkpointed in the lease table (kinesis-bench.ts)
 *   field_avg_bytes{field=…}, ingest_records_per_s, process_records_per_s, requests_compressed_bytes_per_row
 *                                          the capacity planner's figures (capacity-bench.ts)
 *   import_records_per_s, clickhouse_native_insert_records_per_s{input=import}, import_vs_native
 *                                          `edgewatch import` of a generated file of BENCH_IMPORT_LINES real-time
 *                                          lines (default 1 000 000) and ClickHouse's own insert of it, with the
 *                                          import's stages and CPU time per line (import-bench.ts)
 *   live_cells_records_per_s, live_cells_per_second{rps=…}, live_second_message_bytes{rps=…}, live_hub_cells_merged_per_s
 *                                          the scale-out live feed: a processor's cost per record, and the size
 *                                          of one second of counter cells (live-feed-bench.ts)
 *   alert_delay_p50_s, alert_delay_p95_s   from the first blocked request of a geo-blocked burst written to
 *                                          the stream to the alert firing, over BENCH_ALERT_BURSTS bursts
 *                                          (default 6) through the whole embedded pipeline (alert-bench.ts;
 *                                          about 7 minutes; BENCH_ALERTS=0 leaves it out)
 *
 * BENCH_RECORDS sets the number of lines (default 200000), BENCH_BATCH the records per batch and insert
 * (default 20000; larger batches spread the fixed cost of an insert over more rows).
 *
 * BENCH_QUERY=1 adds the query benchmark (query-bench.ts: query_p50_ms_* / query_p95_ms_* per route
 * over a generated store of BENCH_QUERY_ROWS rows, default 100 million). It is off by default:
 * generating the store takes hours on a small machine (it is kept and reused afterwards).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import type { RawBatch } from '../processor/batch.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { createEnricher, ENRICHMENT_INPUTS } from '../processor/enrich/enrich.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { layoutOf } from '../processor/fields/layout.js';
import { LogParser } from '../processor/parse/log-parser.js';
import { ClickHouseWriter } from '../processor/storage/clickhouse-writer.js';
import { runKafkaBench } from './kafka-bench.js';
import { runKinesisBench } from './kinesis-bench.js';
import { createClickHouse } from '../processor/storage/clickhouse.js';
import { runMigrations } from '../processor/storage/migrations.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 20_000);
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const resolveDistribution = (domain: string | null): string => (domain === null ? '' : (domains.get(domain) ?? ''));

function print(name: string, value: number, digits = 0): void {
  process.stdout.write(`${name} ${value.toFixed(digits)}\n`);
}

function generateLines(): string[] {
  const startMs = Date.now() - 3_600_000;
  const generator = createTrafficGenerator({ seed: 42, distributions: DEMO_DISTRIBUTIONS, layout, startMs });
  const lines: string[] = [];
  const perSecond = 2_000;
  for (let t = 0; lines.length < RECORDS; t++) {
    for (const line of generator.linesAt(startMs + t * 1000, Math.min(perSecond, RECORDS - lines.length), 1000)) lines.push(line);
  }
  // Flatten the generator's concatenated strings, as lines decoded from Kinesis records are.
  return Buffer.from(lines.join('')).toString('utf8').split(/(?<=\n)/);
}

function benchParseEnrich(lines: readonly string[], decodeOnly?: ReadonlySet<number>): number {
  const parser = new LogParser(layout, decodeOnly === undefined ? {} : { decodeOnly });
  const enrich = createEnricher({ samplingRate: 100, resolveDistribution });
  const run = (): number => {
    let ok = 0;
    for (const line of lines) {
      const result = parser.parseLine(line.slice(0, -1), 1);
      if (result.ok) {
        enrich(result.record);
        ok++;
      }
    }
    return ok;
  };
  run(); // warm-up: JIT, caches
  const started = performance.now();
  const ok = run();
  return ok / ((performance.now() - started) / 1000);
}

function toBatches(lines: readonly string[]): RawBatch[] {
  const batches: RawBatch[] = [];
  for (let i = 0; i < lines.length; i += BATCH) {
    const records = lines.slice(i, i + BATCH).map((line, j) => ({
      data: Buffer.from(line),
      sequenceNumber: String(1_000_000 + i + j),
      arrivalMs: Date.now(),
    }));
    batches.push({ stream: 'bench', shardId: 'shardId-000000000000', firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records });
  }
  return batches;
}

// The catalogue's types, except sc-status: ClickHouse's integer parser stops after the first `0` of
// `000` (a viewer that hung up), so the plain table keeps the status as text.
const NATIVE_TABLE_TYPES: Record<string, string> = { sc_status: 'LowCardinality(String)' };

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-bench-'));
  try {
    const lines = generateLines();
    const bytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0);

    print('parse_enrich_records_per_s', benchParseEnrich(lines, ENRICHMENT_INPUTS));
    print('parse_enrich_full_decode_records_per_s', benchParseEnrich(lines));

    const ch = createClickHouse({ mode: 'embedded', dataDir: dir, database: 'edgewatch_bench', maxExecutionTimeS: 600 });
    await runMigrations(ch, { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 });
    const writer = new ClickHouseWriter(ch, { maxInFlight: 1 });
    const processor = new BatchProcessor({
      sink: writer,
      sourceKind: 'bench',
      resolveDistribution,
      formatOf: () => ({ layout, samplingRate: 100 }),
    });
    const batches = toBatches(lines);
    // Overlap parsing of batch n+1 with the insert of batch n, as the source does with several shards.
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (const batch of batches) {
      inFlight.push(processor.handle(batch));
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const e2e = lines.length / ((performance.now() - started) / 1000);
    print('e2e_records_per_s', e2e);

    const file = path.join(dir, 'lines.tsv');
    fs.writeFileSync(file, lines.join(''));
    const structure = layout.fields.map((f) => `${f.column} ${NATIVE_TABLE_TYPES[f.column] ?? f.clickhouseType}`).join(', ');
    await ch.command(`CREATE TABLE edgewatch_bench.native_lines (${structure}) ENGINE = MergeTree ORDER BY timestamp`);
    const nativeStarted = performance.now();
    await ch.command(
      `INSERT INTO edgewatch_bench.native_lines SELECT * FROM file({file:String}, 'TabSeparated', {structure:String})
       SETTINGS format_tsv_null_representation = '-', input_format_tsv_empty_as_default = 1`,
      { file, structure },
    );
    const native = lines.length / ((performance.now() - nativeStarted) / 1000);
    const [check] = await ch.query<{ n: string }>('SELECT count() AS n FROM edgewatch_bench.native_lines');
    const [stored] = await ch.query<{ n: string }>('SELECT count() AS n FROM edgewatch_bench.requests');
    if (Number(check!.n) !== lines.length || Number(stored!.n) !== lines.length) {
      throw new Error(`row counts differ: native ${check!.n}, requests ${stored!.n}, lines ${lines.length}`);
    }
    print('clickhouse_native_insert_records_per_s', native);
    print('e2e_vs_native', e2e / native, 2);
    print('avg_line_bytes', bytes / lines.length);
    await writer.stop();
    await ch.close();
    print('peak_rss_mb', process.resourceUsage().maxRSS / 1024);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// Scale-out through Kafka (kafka-bench.ts): kafka_e2e_records_per_s with one and two processor processes.
await runKafkaBench();

// One worker reading eight local shards through the lease table (kinesis-bench.ts).
await runKinesisBench();

// The capacity planner's figures (processor/capacity/measured.ts); its own process, as embedded
// ClickHouse binds one data directory per process.
const capacityBench = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'run-ts.mjs'), path.join(import.meta.dirname, 'capacity-bench.ts')], { stdio: 'inherit' });
if (capacityBench.status !== 0) process.exitCode = capacityBench.status ?? 1;

// Import of a generated file (import-bench.ts): import_records_per_s, ClickHouse's own insert of the
// same file, their ratio. Its own process, as embedded ClickHouse binds one data directory per process.
const importBench = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'run-ts.mjs'), path.join(import.meta.dirname, 'import-bench.ts')], { stdio: 'inherit' });
if (importBench.status !== 0) process.exitCode = importBench.status ?? 1;

// The scale-out live feed's cost and size (live-feed-bench.ts).
const liveFeedBench = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'run-ts.mjs'), path.join(import.meta.dirname, 'live-feed-bench.ts')], { stdio: 'inherit' });
if (liveFeedBench.status !== 0) process.exitCode = liveFeedBench.status ?? 1;

// In their own processes: embedded ClickHouse binds one data directory per process.
if (!['0', 'false', 'no'].includes((process.env.BENCH_ALERTS ?? '').toLowerCase())) {
  const alertBench = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'run-ts.mjs'), path.join(import.meta.dirname, 'alert-bench.ts')], { stdio: 'inherit' });
  if (alertBench.status !== 0) process.exitCode = alertBench.status ?? 1;
}
if (['1', 'true', 'yes'].includes((process.env.BENCH_QUERY ?? '').toLowerCase())) {
  const queryBench = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'run-ts.mjs'), path.join(import.meta.dirname, 'query-bench.ts')], { stdio: 'inherit' });
  if (queryBench.status !== 0) process.exitCode = queryBench.status ?? 1;
}
