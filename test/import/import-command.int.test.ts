/**
 * `npx edgewatch import` as a user runs it: progress lines and a summary, and exactly once across a
 * crash — the process is killed with SIGKILL mid-import, run again, and the table holds each line once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClickHouse } from '../../processor/storage/clickhouse.js';
import { IMPORT_LAYOUT, realtimeLines, writeLines } from './import-fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LINES = 4000;

function start(args: string[], dataDir: string): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'import', ...args], {
    cwd: ROOT,
    env: { ...process.env, EDGEWATCH_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, output: () => output, exit };
}

describe('edgewatch import', () => {
  it('imports again after kill -9 mid-import and stores every line exactly once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-import-cli-'));
    const dataDir = path.join(dir, 'data');
    const file = path.join(dir, 'archive.tsv.gz');
    const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    writeLines(file, realtimeLines(LINES, endMs, 3_600_000, 21));
    const args = [file, '--fields', IMPORT_LAYOUT.names.join(','), '--chunk-lines', '200', '--concurrency', '1'];

    const first = start(args, dataDir);
    // Killed as soon as some chunks are durable (a progress line counts only those) and more are under way.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/import: 0\/1 objects · [1-9][\d,]* lines/.test(first.output())) {
          clearInterval(timer);
          first.child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      first.exit.then(() => {
        clearInterval(timer);
        reject(new Error(`the import ended before it could be killed:\n${first.output()}`));
      }, reject);
    });
    expect(await first.exit).toBeNull();
    const killedAt = /· ([\d,]+) lines/.exec(first.output())?.[1];
    expect(Number(killedAt?.replace(/,/g, ''))).toBeLessThan(LINES);

    const second = start(args, dataDir);
    expect(await second.exit, second.output()).toBe(0);
    expect(second.output()).toMatch(/imported [\d,]+ lines \(0 dead letters\) from 1 objects in [\d.]+ s: [\d,]+ lines\/s/);

    // A server.json left behind by a server that is gone (here: a live pid, nothing listening) is not trusted.
    fs.writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:47230', pid: process.pid, token: 'x'.repeat(32) }), { mode: 0o600 });
    const third = start(args, dataDir);
    expect(await third.exit, third.output()).toBe(0);
    expect(third.output()).toMatch(/no server answers at http:\/\/127\.0\.0\.1:47230/);
    expect(third.output()).toMatch(/imported 0 lines .*1 already imported, skipped/);

    const ch = createClickHouse({ mode: 'embedded', dataDir, database: 'edgewatch', maxExecutionTimeS: 60 });
    try {
      const rows = await ch.query<{ n: string; ids: string }>('SELECT count() AS n, uniqExact(x_edge_request_id) AS ids FROM edgewatch.requests');
      expect(Number(rows[0]?.n)).toBe(LINES);
      expect(Number(rows[0]?.ids)).toBe(LINES);
      const rollup = await ch.query<{ n: string }>('SELECT sum(sampled_requests) AS n FROM edgewatch.requests_1m');
      expect(Number(rollup[0]?.n)).toBe(LINES);
    } finally {
      await ch.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains bad arguments', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-import-cli-'));
    const run = start(['x.tsv', '--format', 'w3c'], path.join(dir, 'data'));
    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/--format must be one of standard, realtime/);
  });
});
