/**
 * Server mode (`createClickHouse({ mode: 'server', url })`) end to end against the ClickHouse HTTP
 * test endpoint (test/support/clickhouse-http-fixture.ts): migrations, the writer's inserts with
 * deduplication tokens, parameterized queries, error codes, and several processes sharing one store.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { classifyError } from '../../processor/storage/errors.js';
import { listMigrations, runMigrations } from '../../processor/storage/migrations.js';
import { REFERENCE_LAYOUT, referenceBatch, referenceLine } from '../helpers/reference-batches.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture, type StatementEvent } from '../support/clickhouse-http-fixture.js';
import { DEFAULT_RETENTION } from './storage-env.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE_PORT = 46300;
const STANDALONE_PORT = 46301;
// Minute 30 of the previous hour: inside every TTL (expired rows are dropped on insert).
const MINUTE_MS = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 60_000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-server-mode-'));
let fixture: ClickHouseHttpFixture;
const handles: ClickHouse[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
const statementWatchers = new Set<(event: StatementEvent) => void>();

beforeAll(async () => {
  fixture = await startClickHouseHttpFixture({
    dataDir: path.join(dataDir, 'shared'),
    port: FIXTURE_PORT,
    onStatement: (event) => statementWatchers.forEach((watch) => watch(event)),
  });
});

/** Resolves when the endpoint reports `phase` for the statement with this query ID. */
function statementReaches(queryId: string, phase: StatementEvent['phase']): Promise<void> {
  return new Promise((resolve) => {
    const watch = (event: StatementEvent): void => {
      if (event.queryId !== queryId || event.phase !== phase) return;
      statementWatchers.delete(watch);
      resolve();
    };
    statementWatchers.add(watch);
  });
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const ch of handles) await ch.close();
  await fixture.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function server(database: string, url = fixture.url): ClickHouse {
  const ch = createClickHouse({ mode: 'server', url, database, maxExecutionTimeS: 30 });
  handles.push(ch);
  return ch;
}

async function migratedServer(database: string): Promise<ClickHouse> {
  const ch = server(database);
  await runMigrations(ch, DEFAULT_RETENTION);
  return ch;
}

async function scalar(ch: ClickHouse, sql: string, params: Record<string, unknown> = {}): Promise<number> {
  const rows = await ch.query<{ v: string | number | null }>(sql, params);
  return Number(rows[0]?.v ?? Number.NaN);
}

function processorFor(ch: ClickHouse): BatchProcessor {
  return new BatchProcessor({
    sink: new ClickHouseWriter(ch),
    sourceKind: 'test',
    resolveDistribution: () => '',
    formatOf: () => ({ layout: REFERENCE_LAYOUT, samplingRate: 100 }),
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** Runs a TypeScript entry point as a separate OS process. */
function spawnTs(args: readonly string[]): { child: ChildProcessWithoutNullStreams; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/run-ts.mjs', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

describe('the ClickHouse HTTP endpoint', () => {
  it('answers /ping as a server does', async () => {
    const ping = await fetch(`${fixture.url}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('Ok.\n');
    expect((await fetch(`${fixture.url}/ping`, { method: 'HEAD' })).status).toBe(200);
    expect(await server('default').client.ping()).toEqual({ success: true });
  });

  it('reports a failed statement with the status, header and text a server sends, so the client raises ClickHouseError with its code', async () => {
    const missing = await fetch(`${fixture.url}/?query_id=q-missing`, { method: 'POST', body: 'SELECT * FROM system.no_such_table' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(missing.headers.get('x-clickhouse-query-id')).toBe('q-missing');
    expect(await missing.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);

    const syntax = await fetch(fixture.url, { method: 'POST', body: 'SELEC 1' });
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');

    const ch = server('default');
    const consoleError = vi.spyOn(console, 'error');
    const error = await rejection(ch.query('SELECT * FROM system.no_such_table'));
    // Reported once, to the caller, not also by the client on the console.
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(error).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    expect(classifyError(error)).toBe('unknown');
    const timeout = await rejection(ch.query('SELECT sleep(2) AS v', {}, { maxExecutionTimeS: 1 }));
    expect(timeout).toMatchObject({ code: '159', type: 'TIMEOUT_EXCEEDED' });
    expect(classifyError(timeout)).toBe('retriable');
  });

  it('binds query parameters in the engine, whatever their text', async () => {
    const ch = server('default');
    const hostile = "x' OR 1=1 --\t\\N\n";
    const rows = await ch.query<{ s: string; list: string[]; n: number }>('SELECT {s:String} AS s, {list:Array(String)} AS list, {n:UInt8} + 1 AS n', {
      s: hostile,
      list: ["it's", 'back\\slash', hostile],
      n: 41,
    });
    expect(rows).toEqual([{ s: hostile, list: ["it's", 'back\\slash', hostile], n: 42 }]);
  });

  it('takes compressed request bodies and compresses responses when the client asks', async () => {
    const client = createClient({ url: fixture.url, compression: { request: true, response: true }, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await client.command({ query: 'CREATE DATABASE IF NOT EXISTS srv_gzip' });
      await client.command({ query: 'CREATE TABLE IF NOT EXISTS srv_gzip.t (s String) ENGINE = MergeTree ORDER BY s' });
      await client.insert({ table: 'srv_gzip.t', values: [{ s: 'a' }, { s: 'b\tc' }], format: 'JSONEachRow' });
      const result = await client.query({ query: 'SELECT s FROM srv_gzip.t ORDER BY s', format: 'JSONEachRow' });
      expect(result.response_headers['content-encoding']).toBe('gzip');
      expect(await result.json()).toEqual([{ s: 'a' }, { s: 'b\tc' }]);
    } finally {
      await client.close();
    }
  });

  it('keeps each request’s settings and database to itself, and runs GET requests read-only', async () => {
    const probe = "SELECT currentDatabase(), getSetting('max_threads') = 3";
    const inSystem = await fetch(`${fixture.url}/?database=system&max_threads=3`, { method: 'POST', body: probe });
    expect(await inSystem.text()).toBe('system\t1\n');
    const next = await fetch(fixture.url, { method: 'POST', body: probe });
    expect(await next.text()).toBe('default\t0\n');

    const read = await fetch(`${fixture.url}/?query=${encodeURIComponent('SELECT 1 FORMAT JSONEachRow')}`);
    expect(read.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(await read.text()).toBe('{"1":1}\n');
    const write = await fetch(`${fixture.url}/?query=${encodeURIComponent('CREATE DATABASE srv_get')}`);
    expect(write.headers.get('x-clickhouse-exception-code')).toBe('164');
  });
});

describe('server mode', () => {
  it('applies the migrations, and changes nothing when run again', async () => {
    const ch = server('srv_migrations');
    const first = await runMigrations(ch, DEFAULT_RETENTION);
    expect(first.applied).toEqual(listMigrations().map((m) => m.version));
    const tables = await ch.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: ch.database });
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['requests', 'dead_letters', 'requests_1m', 'requests_1m_mv', 'requests_1h', 'requests_1h_mv', 'schema_migrations']),
    );
    expect(await runMigrations(ch, DEFAULT_RETENTION)).toEqual({ applied: [], ttlChanged: [] });
  });

  it('stores parsed records and dead letters, and a replayed batch only once', async () => {
    const ch = await migratedServer('srv_records');
    const processor = processorFor(ch);
    const batch = referenceBatch({ stream: 'logs', shardId: 'shardId-000000000001', firstSequence: 1000, records: 500, startMs: MINUTE_MS, extraLines: ['not a log line'] });
    await processor.handle(batch);
    expect(processor.counts()).toEqual({ records: 500, deadLetters: 1, batches: 1 });

    const db = ch.database;
    const counts = async (): Promise<number[]> => [
      await scalar(ch, `SELECT count() AS v FROM ${db}.requests`),
      await scalar(ch, `SELECT uniqExact(x_edge_request_id) AS v FROM ${db}.requests`),
      await scalar(ch, `SELECT sum(sampled_requests) AS v FROM ${db}.requests_1m`),
      await scalar(ch, `SELECT sum(sampled_requests) AS v FROM ${db}.requests_1h`),
      await scalar(ch, `SELECT count() AS v FROM ${db}.dead_letters`),
    ];
    expect(await counts()).toEqual([500, 500, 500, 500, 1]);

    // The same range again (a replay after a crash): same token, nothing new stored anywhere.
    await processor.handle(batch);
    expect(await counts()).toEqual([500, 500, 500, 500, 1]);

    const deadLetters = await ch.query<{ input: string; shard_id: string; sequence_number: string }>(`SELECT input, shard_id, sequence_number FROM ${db}.dead_letters`);
    expect(deadLetters).toEqual([{ input: 'not a log line', shard_id: 'shardId-000000000001', sequence_number: '1500' }]);

    // Stored columns equal the JS parse of the same lines.
    const parser = new LogParser(REFERENCE_LAYOUT);
    const columns = REFERENCE_LAYOUT.fields.filter((f) => f.kind !== 'timestamp').map((f) => f.column);
    const stored = await ch.query<Record<string, unknown>>(
      `SELECT toUnixTimestamp64Milli(timestamp) AS ts, ${columns.join(', ')} FROM ${db}.requests
       WHERE x_edge_request_id IN {ids:Array(String)} ORDER BY ts SETTINGS output_format_json_quote_64bit_integers = 0`,
      { ids: ['shardId-000000000001-1000', 'shardId-000000000001-1001'] },
    );
    expect(stored).toHaveLength(2);
    stored.forEach((row, i) => {
      const parsed = parser.parseLine(referenceLine(i, MINUTE_MS + i, `shardId-000000000001-${1000 + i}`), 1);
      if (!parsed.ok) throw new Error(parsed.deadLetter.reason);
      expect(row.ts).toBe(parsed.record.timestampMs);
      for (const spec of REFERENCE_LAYOUT.fields) {
        if (spec.kind !== 'timestamp') expect(row[spec.column], spec.column).toEqual(parsed.record.values[spec.position - 1] ?? null);
      }
    });
  });

  it('reports a payload ClickHouse cannot parse as a data error', async () => {
    const ch = await migratedServer('srv_bad_payload');
    const error = await rejection(ch.insertTsv(`${ch.database}.dead_letters`, Buffer.from('not-a-time\tx\n'), {}));
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(classifyError(error)).toBe('data');
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.dead_letters`)).toBe(0);
  });
});

describe('one store for several processes', () => {
  it('takes writes from another OS process by URL while this one reads and writes', async () => {
    const ch = await migratedServer('srv_multi');
    const writer = spawnTs(['test/helpers/server-mode-writer.ts', fixture.url, ch.database, 'shardId-000000000007', '3', '200']);
    const progress = readline.createInterface({ input: writer.child.stdout })[Symbol.asyncIterator]();
    const ownBatch = referenceBatch({ stream: 'multi', shardId: 'shardId-000000000008', firstSequence: 0, records: 50, startMs: MINUTE_MS });
    for (let batch = 0; batch < 3; batch++) {
      const line = await progress.next();
      if (line.done) throw new Error(`writer process ended early: ${writer.stderr()}`);
      const written = (JSON.parse(line.value) as { records: number }).records;
      // Read between two of the other process's writes; this process writes a batch of its own too.
      if (batch === 1) await processorFor(ch).handle(ownBatch);
      const own = batch >= 1 ? 50 : 0;
      expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.requests`)).toBe(written + own);
      writer.child.stdin.write('next\n');
    }
    expect(await writer.exit, writer.stderr()).toBe(0);
    expect(await scalar(ch, `SELECT uniqExact(x_edge_request_id) AS v FROM ${ch.database}.requests`)).toBe(650);
    expect(await scalar(ch, `SELECT uniqExact(shard_id) AS v FROM ${ch.database}.requests`)).toBe(2);
  });

  it('runs standalone as a process of its own until SIGTERM', async () => {
    const standalone = spawnTs(['test/support/clickhouse-http-fixture.ts', '--port', String(STANDALONE_PORT), '--data-dir', path.join(dataDir, 'standalone')]);
    const url = await readline.createInterface({ input: standalone.child.stdout })[Symbol.asyncIterator]().next();
    expect(url.value, standalone.stderr()).toBe(`http://127.0.0.1:${STANDALONE_PORT}`);
    const ch = server('default', String(url.value));
    expect(await scalar(ch, 'SELECT 40 + {n:UInt8} AS v', { n: 2 })).toBe(42);
    standalone.child.kill('SIGTERM');
    expect(await standalone.exit).toBe(0);
  });
});

describe('aborted requests', () => {
  it('skip a statement whose client gave up while it waited, and finish one already running', async () => {
    const ch = server('default');
    await ch.command('CREATE DATABASE IF NOT EXISTS srv_abort');
    await ch.command('CREATE TABLE IF NOT EXISTS srv_abort.probe (n UInt8) ENGINE = MergeTree ORDER BY n');

    // Waiting behind a slow statement, then abandoned: never runs.
    const slowStarted = statementReaches('abort-slow', 'started');
    const slow = ch.client.query({ query: 'SELECT sleep(1) AS v', format: 'JSONEachRow', query_id: 'abort-slow' });
    await slowStarted;
    const gaveUp = new AbortController();
    const waiting = statementReaches('abort-waiting', 'queued');
    const skipped = statementReaches('abort-waiting', 'skipped');
    const queued = ch.client.command({ query: 'INSERT INTO srv_abort.probe VALUES (1)', abort_signal: gaveUp.signal, query_id: 'abort-waiting' });
    await waiting;
    gaveUp.abort();
    await expect(queued).rejects.toThrow(/aborted/);
    await (await slow).json();
    await skipped;

    // Already running when abandoned: runs to the end, as a server finishes an INSERT whose client left.
    const leaving = new AbortController();
    const started = statementReaches('abort-running', 'started');
    const finished = statementReaches('abort-running', 'finished');
    const running = ch.client.command({ query: 'INSERT INTO srv_abort.probe SELECT 2 FROM numbers(1) WHERE sleep(0.5) = 0', abort_signal: leaving.signal, query_id: 'abort-running' });
    await started;
    leaving.abort();
    await expect(running).rejects.toThrow(/aborted/);
    await finished;
    const rows = await ch.query<{ n: number; c: string }>('SELECT n, count() AS c FROM srv_abort.probe GROUP BY n ORDER BY n');
    expect(rows).toEqual([{ n: 2, c: '1' }]);
  });
});
