/**
 * Importing files into embedded ClickHouse: real-time lines (plain) and standard logs (gzip) land in
 * `requests` with the live path's enrichment, a source and a sampling rate; the ledger records each
 * file, a re-run skips finished files, and a repeated chunk is never stored twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeImport, type ImportEnvironment } from '../../ingest/import/import-request.js';
import { ImportLedger } from '../../ingest/import/import-ledger.js';
import { ObjectImporter } from '../../ingest/import/object-importer.js';
import { FileLister } from '../../ingest/import/file-lister.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { IMPORT_LAYOUT, realtimeLines, standardLog, writeLines } from './import-fixtures.js';
import zlib from 'node:zlib';

const HOUR_MS = 3_600_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-import-'));
let ch: ClickHouse;
let writer: ClickHouseWriter;
let env: ImportEnvironment;

const count = async (sql: string, params: Record<string, unknown> = {}): Promise<number> =>
  Number((await ch.query<{ n: string }>(sql, params))[0]?.n ?? 0);

beforeAll(async () => {
  ch = createClickHouse({ mode: 'embedded', dataDir: path.join(dir, 'data'), database: 'edgewatch', maxExecutionTimeS: 120 });
  await runMigrations(ch, { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 });
  writer = new ClickHouseWriter(ch);
  env = {
    clickhouse: ch,
    sink: writer,
    resolveDistribution: (domain) => (domain === null ? '' : `RESOLVED-${domain.slice(0, 4)}`),
    defaultLayout: IMPORT_LAYOUT,
    defaultSamplingRate: 100,
    chunkLines: 300,
  };
});

afterAll(async () => {
  await writer.stop();
  await ch.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('import of files', () => {
  const hourMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 5 * HOUR_MS;
  const lines = realtimeLines(1000, hourMs + HOUR_MS - 1000, HOUR_MS - 2000, 5);

  it('stores real-time lines with the given sampling rate and standard logs (gzip) as complete, with their source', async () => {
    const input = path.join(dir, 'in');
    fs.mkdirSync(path.join(input, 'nested'), { recursive: true });
    writeLines(path.join(input, 'firehose-archive.tsv'), [...lines, 'not\ta\tvalid line\n']);
    const day = new Date(hourMs).toISOString().slice(0, 13).replace('T', '-');
    fs.writeFileSync(path.join(input, 'nested', `E2STANDARD0001.${day}.a1b2c3.gz`), zlib.gzipSync(standardLog(lines.slice(0, 400))));

    const summary = await executeImport({ inputs: [input], concurrency: 2, samplingRate: 10 }, env);
    expect(summary.failed).toEqual([]);
    expect(summary.objectsTotal).toBe(2);
    expect(summary.lines).toBe(1001 + 400);
    expect(summary.deadLetters).toBe(1);

    const bySource = await ch.query<{ source: string; n: string; rate: number; dist: string }>(
      'SELECT source, count() AS n, any(sampling_rate) AS rate, any(distribution_id) AS dist FROM edgewatch.requests GROUP BY source ORDER BY source',
    );
    expect(bySource.map((r) => [r.source, Number(r.n), Number(r.rate)])).toEqual([
      ['realtime', 1000, 10],
      ['standard', 400, 100],
    ]);
    // Standard logs: the distribution ID of the key; real-time lines: resolved from the domain.
    expect(bySource[1]!.dist).toBe('E2STANDARD0001');
    expect(bySource[0]!.dist).toMatch(/^RESOLVED-/);
    // The same requests read from either source give the same enrichment.
    const enriched = await ch.query<{ source: string; k: string }>(
      `SELECT source, groupArray(k) AS k FROM (
         SELECT source, concat(x_edge_request_id, cs_uri_stem, ifNull(uri_query, ''), pop_code, country, cache_class, browser, toString(sc_status), toString(timestamp)) AS k
         FROM edgewatch.requests ORDER BY x_edge_request_id) GROUP BY source ORDER BY source`,
    );
    // Standard logs have whole seconds: compare the requests they hold, on everything but the milliseconds.
    const rt = await ch.query<{ a: string; b: string }>(
      `SELECT r.cs_host AS a, s.cs_host AS b FROM edgewatch.requests AS r INNER JOIN edgewatch.requests AS s ON r.x_edge_request_id = s.x_edge_request_id
       WHERE r.source = 'realtime' AND s.source = 'standard' AND (r.cs_uri_stem != s.cs_uri_stem OR r.pop_code != s.pop_code OR r.cache_class != s.cache_class
         OR r.browser != s.browser OR r.x_host_header != s.x_host_header OR r.cs_host != s.cs_host OR toStartOfSecond(r.timestamp) != s.timestamp)`,
    );
    expect(enriched).toHaveLength(2);
    expect(rt).toEqual([]);
    expect(await count("SELECT count() AS n FROM edgewatch.dead_letters WHERE source = 'import'")).toBe(1);

    // Every file is in the ledger as finished.
    const ledger = await ch.query<{ uri: string; lines: string; finished: number }>('SELECT uri, lines, finished FROM edgewatch.imported_objects FINAL ORDER BY uri');
    expect(ledger.map((r) => [path.basename(r.uri), Number(r.lines), Number(r.finished)])).toEqual([
      ['firehose-archive.tsv', 1001, 1],
      [`E2STANDARD0001.${day}.a1b2c3.gz`, 400, 1],
    ]);

    // A re-run skips both files and stores nothing again, also when a file was downloaded again (new mtime).
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(input, 'firehose-archive.tsv'), later, later);
    const again = await executeImport({ inputs: [input], concurrency: 2, samplingRate: 10 }, env);
    expect(again.objectsSkipped).toBe(2);
    expect(again.lines).toBe(0);
    expect(await count('SELECT count() AS n FROM edgewatch.requests')).toBe(1400);
  });

  it('never stores a chunk twice when an unfinished import runs again from the start', async () => {
    const file = path.join(dir, 'resume.tsv');
    const resumeLines = realtimeLines(900, hourMs - 1000, HOUR_MS - 2000, 9);
    writeLines(file, resumeLines);
    const ledger = new ImportLedger(ch);
    const importer = new ObjectImporter({ sink: writer, ledger, realtime: { layout: IMPORT_LAYOUT, samplingRate: 100 }, resolveDistribution: () => 'EDIST', chunkLines: 300 });
    const objects = []; for await (const o of new FileLister(file).list()) objects.push(o);
    const object = objects[0]!;
    await importer.import(object, () => undefined);
    // As after a crash before the ledger's last row: the object is known but not finished, no chunk recorded.
    await ledger.record({ uri: object.uri, etag: object.etag, size: object.size, format: 'realtime', chunkLines: 300, chunksDone: 0, lines: 0, deadLetters: 0, finished: false });
    const result = await importer.import(object, () => undefined);
    expect(result.status).toBe('imported');
    expect(await count("SELECT count() AS n FROM edgewatch.requests WHERE distribution_id = 'EDIST'")).toBe(900);
    // And with two chunks recorded as done, only the last one is read again.
    await ledger.record({ uri: object.uri, etag: object.etag, size: object.size, format: 'realtime', chunkLines: 300, chunksDone: 2, lines: 600, deadLetters: 0, finished: false });
    const resumed = await importer.import(object, () => undefined);
    expect(resumed).toMatchObject({ resumedChunks: 2, lines: 300 });
    expect(await count("SELECT count() AS n FROM edgewatch.requests WHERE distribution_id = 'EDIST'")).toBe(900);
    expect((await ledger.get(object.uri, object.etag))?.lines).toBe(900);
  });
  it('counts bytes as their lines are stored, not as far as parsing has read ahead', async () => {
    // Chunks of ~2.4 MB against 1 MB file reads (and as much buffered): bytes counted when read would
    // run two chunks ahead.
    const many = realtimeLines(12_000, hourMs + HOUR_MS - 1000, HOUR_MS - 2000, 9);
    const file = path.join(dir, 'progress-bytes.tsv');
    writeLines(file, many);
    const offsets = [0];
    for (const line of many) offsets.push(offsets[offsets.length - 1]! + Buffer.byteLength(line));
    const seen: { lines: number; bytesRead: number }[] = [];
    await executeImport({ inputs: [file], concurrency: 1, format: 'realtime' }, { ...env, chunkLines: 2_000 }, {
      onProgress: (p) => seen.push({ lines: p.lines, bytesRead: p.bytesRead }),
    });
    const during = seen.filter((p) => p.lines > 0 && p.lines < many.length);
    expect(during.length).toBeGreaterThan(2);
    for (const p of during) expect(p.bytesRead - offsets[p.lines]!, `at ${p.lines} lines`).toBeLessThanOrEqual(2 * 1024 * 1024 + 65_536);
    expect(seen[seen.length - 1]).toMatchObject({ lines: many.length, bytesRead: offsets[many.length] });
  });
});
