/**
 * Import throughput on one generated file of real-time log lines (44 fields, the traffic model of
 * the edge simulator), printed one figure per line:
 *
 *   import_records_per_s                                   `edgewatch import`'s code path on the file: read,
 *                                                          parse, enrich, insert into `requests` with its
 *                                                          rollups, ledger (embedded ClickHouse)
 *   import_parse_enrich_records_per_s                      the same path storing nothing: read, parse and
 *                                                          enrich alone (one core)
 *   import_without_rollups_records_per_s                   the same path into `requests` with its rollup
 *                                                          views detached: what the rollups cost
 *   import_cpu_us_per_record, clickhouse_native_insert_cpu_us_per_record
 *                                                          CPU time (all threads of the process, the
 *                                                          embedded engine's included) per line of the two
 *   clickhouse_native_insert_records_per_s{input=import}   ClickHouse alone inserting the same file into a
 *                                                          plain MergeTree of the log fields (same engine,
 *                                                          same process)
 *   import_vs_native                                       ratio of the two
 *   import_vs_goaccess                                     import over GoAccess reading the same requests as
 *                                                          a standard log (skipped when goaccess is not installed)
 *
 * BENCH_IMPORT_LINES sets the file's size (default 1 000 000 lines, about 1.3 GB).
 *
 *   node bin/run-ts.mjs bench/import-bench.ts
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImportSummary } from '../ingest/import/import-job.js';
import { executeImport } from '../ingest/import/import-request.js';
import type { ChunkSink } from '../ingest/import/object-importer.js';
import { ClickHouseWriter } from '../processor/storage/clickhouse-writer.js';
import { assertIdentifier, createClickHouse, type ClickHouse } from '../processor/storage/clickhouse.js';
import { runMigrations } from '../processor/storage/migrations.js';
import { IMPORT_LAYOUT, realtimeLines, standardLog } from '../test/import/import-fixtures.js';

const LINES = Number(process.env.BENCH_IMPORT_LINES ?? 1_000_000);
const GENERATE_STEP = 50_000;

function print(name: string, value: number | string, digits = 0): void {
  process.stdout.write(`${name} ${typeof value === 'number' ? value.toFixed(digits) : value}\n`);
}

/** Writes the file in steps, so generating a large one needs little memory. */
function generate(file: string, standardFile: string | null): void {
  const fd = fs.openSync(file, 'w');
  const standardFd = standardFile === null ? null : fs.openSync(standardFile, 'w');
  const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const spanMs = 6 * 3_600_000;
  try {
    for (let done = 0; done < LINES; done += GENERATE_STEP) {
      const n = Math.min(GENERATE_STEP, LINES - done);
      const stepEnd = endMs - spanMs + ((done + n) / LINES) * spanMs;
      const lines = realtimeLines(n, stepEnd, (n / LINES) * spanMs, 1000 + done);
      fs.writeSync(fd, lines.join(''));
      if (standardFd !== null) {
        const text = standardLog(lines);
        fs.writeSync(standardFd, done === 0 ? text : text.split('\n').slice(2).join('\n'));
      }
    }
  } finally {
    fs.closeSync(fd);
    if (standardFd !== null) fs.closeSync(standardFd);
  }
}

/** GoAccess's lines/s on the standard log, or null when it is not installed. */
function goaccessRate(standardFile: string): number | null {
  const probe = spawnSync('goaccess', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return null;
  const started = performance.now();
  const run = spawnSync('goaccess', [standardFile, '--log-format=CLOUDFRONT', '-o', path.join(path.dirname(standardFile), 'report.json')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`goaccess failed: ${run.stderr}`);
  return LINES / ((performance.now() - started) / 1000);
}

/** `edgewatch import`'s code path on one file, into `sink` (the ClickHouse writer when absent). */
async function importFile(ch: ClickHouse, file: string, sink?: ChunkSink): Promise<ImportSummary> {
  const writer = sink === undefined ? new ClickHouseWriter(ch, { maxInFlight: 1 }) : null;
  try {
    const summary = await executeImport(
      { inputs: [file], concurrency: 1, format: 'realtime' },
      { clickhouse: ch, sink: writer ?? sink!, resolveDistribution: () => '', defaultLayout: IMPORT_LAYOUT, defaultSamplingRate: 100 },
    );
    if (summary.lines !== LINES || summary.failed.length > 0) throw new Error(`import of ${file}: ${summary.lines} of ${LINES} lines, failed ${JSON.stringify(summary.failed)}`);
    return summary;
  } finally {
    await writer?.stop();
  }
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

/** A second name for `file` in its folder. */
function linkTo(file: string, name: string): string {
  const link = path.join(path.dirname(file), name);
  fs.linkSync(file, link);
  return link;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-import-bench-'));
  try {
    const file = path.join(dir, 'realtime.tsv');
    const hasGoaccess = spawnSync('goaccess', ['--version']).status === 0;
    const standardFile = hasGoaccess ? path.join(dir, 'standard.log') : null;
    generate(file, standardFile);
    const bytes = fs.statSync(file).size;

    const ch = createClickHouse({ mode: 'embedded', dataDir: path.join(dir, 'data'), database: 'edgewatch', maxExecutionTimeS: 3600 });
    await runMigrations(ch, { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 });

    // ClickHouse alone: the file into a plain MergeTree of the log fields (sc-status as text: its
    // integer parser stops after the first `0` of `000`).
    const structure = IMPORT_LAYOUT.fields.map((f) => `${f.column} ${f.column === 'sc_status' ? 'LowCardinality(String)' : f.clickhouseType}`).join(', ');
    await ch.command('CREATE DATABASE IF NOT EXISTS import_bench');
    await ch.command(`CREATE TABLE import_bench.native_lines (${structure}) ENGINE = MergeTree ORDER BY timestamp`);
    const nativeCpu = process.cpuUsage();
    const nativeStarted = performance.now();
    await ch.command(
      `INSERT INTO import_bench.native_lines SELECT * FROM file({file:String}, 'TabSeparated', {structure:String})
       SETTINGS format_tsv_null_representation = '-', input_format_tsv_empty_as_default = 1`,
      { file, structure },
    );
    const native = LINES / ((performance.now() - nativeStarted) / 1000);
    const nativeCpuUs = cpuMicros(process.cpuUsage(nativeCpu)) / LINES;

    // The stages first, each from its own name for the file (the ledger keys objects by path).
    const parseOnly = await importFile(ch, linkTo(file, 'parse-only.tsv'), { write: () => Promise.resolve() });
    const views = await ch.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = 'edgewatch' AND engine = 'MaterializedView' ORDER BY name",
    );
    for (const { name } of views) await ch.command(`DETACH TABLE edgewatch.${assertIdentifier(name, 'view')}`);
    const withoutRollups = await importFile(ch, linkTo(file, 'without-rollups.tsv'));
    await ch.command('TRUNCATE TABLE edgewatch.requests');
    for (const { name } of views) await ch.command(`ATTACH TABLE edgewatch.${assertIdentifier(name, 'view')}`);

    const importCpu = process.cpuUsage();
    const summary = await importFile(ch, file);
    const importCpuUs = cpuMicros(process.cpuUsage(importCpu)) / LINES;
    const imported = summary.lines / (summary.elapsedMs / 1000);
    const [check] = await ch.query<{ n: string }>('SELECT count() AS n FROM import_bench.native_lines');
    const [stored] = await ch.query<{ n: string }>('SELECT count() AS n FROM edgewatch.requests');
    await ch.close();
    if (Number(check!.n) !== LINES || Number(stored!.n) !== LINES || summary.failed.length > 0) {
      throw new Error(`row counts differ: native ${check!.n}, requests ${stored!.n}, lines ${LINES}, failed ${JSON.stringify(summary.failed)}`);
    }
    print('import_file_lines', LINES);
    print('import_file_mb', bytes / 1_048_576, 1);
    print('import_records_per_s', imported);
    print('import_parse_enrich_records_per_s', parseOnly.lines / (parseOnly.elapsedMs / 1000));
    print('import_without_rollups_records_per_s', withoutRollups.lines / (withoutRollups.elapsedMs / 1000));
    print('clickhouse_native_insert_records_per_s{input=import}', native);
    print('import_vs_native', imported / native, 2);
    print('import_cpu_us_per_record', importCpuUs, 1);
    print('clickhouse_native_insert_cpu_us_per_record', nativeCpuUs, 1);
    const goaccess = standardFile === null ? null : goaccessRate(standardFile);
    if (goaccess === null) print('import_vs_goaccess', 'skipped: goaccess is not installed');
    else {
      print('goaccess_lines_per_s', goaccess);
      print('import_vs_goaccess', imported / goaccess, 2);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
