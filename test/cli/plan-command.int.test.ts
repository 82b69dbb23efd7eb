/**
 * `edgewatch plan`: the capacity plan printed with its formulas, as JSON with --json, and exit code 2
 * with a message for bad input.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCapacity, type CapacityPlan } from '../../processor/capacity/capacity-plan.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function plan(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'plan', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EDGEWATCH_DATA_DIR: '/nonexistent' } });
}

describe('edgewatch plan', () => {
  it('prints every figure with its formula and the monthly cost with each price source', () => {
    const result = plan('--requests-per-second', '50000', '--sampling', '10', '--retention-days', '7');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Capacity plan for 50,000 requests/s, 10 % sampling, 64 fields, 7 days retention');
    expect(out).toMatch(/log lines per second\s+5,000 lines\/s/);
    expect(out).toContain('= 50,000 requests/s × 10 % sampling = 5,000 lines/s');
    for (const label of ['average record size', 'Kinesis shards', 'ingest workers', 'process workers', 'Kafka partitions', 'ClickHouse rows per day', 'ClickHouse compressed bytes per day']) {
      expect(out).toContain(label);
    }
    expect(out).toMatch(/ClickHouse raw rows on disk at 7 days retention\s+[\d,.]+ GiB/);
    expect(out).toContain('CloudFront real-time logs: USD 131.40');
    expect(out).toContain('reference §1.8');
    expect(out).toContain('Measured constants: node bin/run-ts.mjs bench/capacity-bench.ts');
  });

  it('prints the same plan as /api/v1/plan with --json', () => {
    const result = plan('--requests-per-second', '1200', '--fields', 'timestamp,c-ip,sc-status', '--stream-mode', 'on-demand', '--json');
    expect(result.status).toBe(0);
    const body = JSON.parse(result.stdout) as CapacityPlan;
    expect(body).toEqual(JSON.parse(JSON.stringify(planCapacity({ requestsPerSecond: 1200, fields: ['timestamp', 'c-ip', 'sc-status'], streamMode: 'on-demand' }))));
    expect(body.costs.unknown).toHaveLength(3);
  });

  it.each([
    [[], '--requests-per-second is required'],
    [['--requests-per-second', 'lots'], "requests-per-second: 'lots' is not a number"],
    [['--requests-per-second', '10', '--sampling', '0'], 'sampling: must be a whole number from 1 to 100'],
    [['--requests-per-second', '10', '--fields', 'timestamp,bogus'], 'unknown real-time log field: bogus'],
    [['--requests-per-second', '10', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 for %j', (args, message) => {
    const result = plan(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('is listed in the command help', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), '--help'], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/plan\s+capacity plan/);
  });
});
