/**
 * `edgewatch import` while `edgewatch start` runs on the same data dir: the server leaves its address
 * and a local admin token in server.json (mode 0600), the command hands the job over through
 * POST /api/v1/imports and follows it, and the rows are in the server's store.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { realtimeLines, standardLog } from './import-fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HTTP_PORT = 47220;
const KINESIS_PORT = 47221;
const HOUR_MS = 3_600_000;

function run(args: string[], env: Record<string, string>): { exit: Promise<number | null>; output: () => string; kill: (signal: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exit, output: () => output, kill: (signal) => child.kill(signal) };
}

describe('import hand-off to a running server', () => {
  it('runs the import inside the server that owns the store', { timeout: 180_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-handoff-'));
    const dataDir = path.join(dir, 'data');
    const env = { EDGEWATCH_DATA_DIR: dataDir, PORT: String(HTTP_PORT), EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT) };
    const server = run(['start'], env);
    const infoFile = path.join(dataDir, 'server.json');
    try {
      const deadline = Date.now() + 120_000;
      while (!fs.existsSync(infoFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(fs.existsSync(infoFile), server.output()).toBe(true);
      expect(fs.statSync(infoFile).mode & 0o777).toBe(0o600);
      const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { url: string; token: string; pid: number };
      expect(info.url).toBe(`http://127.0.0.1:${HTTP_PORT}`);

      const hourMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
      const key = `EHANDOFF0001.${new Date(hourMs).toISOString().slice(0, 13).replace('T', '-')}.u1.gz`;
      fs.writeFileSync(path.join(dir, key), zlib.gzipSync(standardLog(realtimeLines(300, hourMs + HOUR_MS - 1000, HOUR_MS - 2000, 3))));

      const cli = run(['import', path.join(dir, key)], env);
      expect(await cli.exit, cli.output()).toBe(0);
      expect(cli.output()).toContain(`a server runs on this data dir (${info.url}); handing the job to it`);
      expect(cli.output()).toMatch(/imported 300 lines \(0 dead letters\) from 1 objects/);

      const headers = { authorization: `Bearer ${info.token}` };
      const list = (await (await fetch(`${info.url}/api/v1/imports`, { headers })).json()) as { imports: { state: string; progress: { lines: number } }[] };
      expect(list.imports).toHaveLength(1);
      expect(list.imports[0]).toMatchObject({ state: 'succeeded', progress: { lines: 300 } });
      const from = new Date(hourMs).toISOString();
      const to = new Date(hourMs + HOUR_MS).toISOString();
      const summary = (await (
        await fetch(`${info.url}/api/v1/stats/summary?distribution=EHANDOFF0001&source=standard&from=${from}&to=${to}`, { headers })
      ).json()) as { requests: number };
      expect(summary.requests).toBe(300);
      // Bad requests are refused with the reason.
      const bad = await fetch(`${info.url}/api/v1/imports`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: ['relative/path'] }) });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/must be absolute/);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await server.exit, server.output()).toBe(0);
    expect(fs.existsSync(infoFile)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
