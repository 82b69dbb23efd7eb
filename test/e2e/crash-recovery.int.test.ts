/**
 * Exactly once across a crash: the process is killed after a batch is inserted and before its
 * checkpoint is committed. On restart the same range is re-read, re-cut into the same batch and
 * re-inserted with the same deduplication token, so ClickHouse keeps each request once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HELPER = path.join(ROOT, 'test/helpers/crash-pipeline.ts');

function runHelper(mode: 'crash' | 'drain', dataDir: string) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), HELPER, mode, dataDir, '46021'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
}

describe('crash between insert and checkpoint', () => {
  it('loses nothing and duplicates nothing after a restart', { timeout: 300_000 }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-crash-'));
    try {
      const crashed = runHelper('crash', dataDir);
      expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
      const marker = JSON.parse(fs.readFileSync(path.join(dataDir, 'crashed-batch.json'), 'utf8')) as { shard: string };
      const checkpoint = JSON.parse(fs.readFileSync(path.join(dataDir, 'checkpoints', 'edgewatch-local.json'), 'utf8')) as unknown;
      // The killed batch is still recorded as in flight: the restart must replay exactly that range.
      expect(JSON.stringify(checkpoint)).toContain(marker.shard);
      expect(JSON.stringify(checkpoint)).toContain('inFlight');

      const drained = runHelper('drain', dataDir);
      expect(drained.status, drained.stderr).toBe(0);
      const result = JSON.parse(drained.stdout.trim().split('\n').at(-1)!) as {
        inStream: number;
        rows: number;
        distinct: number;
        rollup: number;
        batchesWritten: number;
        deadLetters: unknown[];
      };
      expect(result.deadLetters).toEqual([]);
      expect(result.inStream).toBeGreaterThan(0);
      expect(result.distinct).toBe(result.inStream);
      expect(result.rows).toBe(result.inStream);
      expect(result.rollup).toBe(result.inStream);
      expect(result.batchesWritten).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
