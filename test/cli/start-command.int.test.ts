/**
 * `edgewatch start` as users run it: a process that serves /healthz while traffic flows, and drains
 * and exits 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('edgewatch start', () => {
  it('ingests simulated traffic, reports health, and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-start-'));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'start'], {
      cwd: ROOT,
      env: { ...process.env, EDGEWATCH_DATA_DIR: dataDir, PORT: '46041', EDGEWATCH_LOCAL_KINESIS_PORT: '46042', EDGEWATCH_BATCH_MAX_AGE_MS: '500' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { status: string; recordsIngested: number; shards: unknown[] } | undefined;
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        try {
          const response = await fetch('http://127.0.0.1:46041/healthz');
          health = (await response.json()) as typeof health;
          if (health!.recordsIngested > 0) break;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(health?.status, output).toBe('ok');
      expect(health!.recordsIngested).toBeGreaterThan(0);
      expect(health!.shards).toHaveLength(2);
      expect(output).toContain('dashboard http://127.0.0.1:46041/');

      // No admin token configured: one is generated under the data dir (0600) and, as the output is
      // not a terminal, only its file is named; the API needs it, /metrics shows the pipeline.
      const tokenFile = path.join(dataDir, 'admin-token');
      expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = fs.readFileSync(tokenFile, 'utf8').trim();
      expect(output).toContain(tokenFile);
      expect(output).not.toContain(token);
      expect((await fetch('http://127.0.0.1:46041/api/v1/definitions')).status).toBe(401);
      const authorized = await fetch('http://127.0.0.1:46041/api/v1/definitions', { headers: { authorization: `Bearer ${token}` } });
      expect([401, 403]).not.toContain(authorized.status);
      const metrics = await (await fetch('http://127.0.0.1:46041/metrics')).text();
      expect(metrics).toMatch(/^edgewatch_records_ingested_total [1-9]/m);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain('stopped cleanly');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
