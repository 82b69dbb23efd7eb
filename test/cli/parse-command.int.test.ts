/**
 * `npx edgewatch parse`: stdin lines → JSON on stdout, dead letters on stderr, exit 0.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../processor/fields/catalogue.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REFERENCE = fs.readFileSync(path.join(ROOT, 'test/fixtures/reference-records.tsv'), 'utf8');
// The reference records carry positions 1–41 without s-ip; list them scrambled, as a user might.
const FIELDS_OF_REFERENCE = FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name).reverse();
const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-parse-'));

function parse(args: string[], input: string) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'parse', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, EDGEWATCH_DATA_DIR: DATA_DIR },
  });
}

describe('edgewatch parse', () => {
  it('prints one JSON object per valid line keyed by column names, and dead letters on stderr', () => {
    const input = `${REFERENCE}not\ta\tlog\tline\n`;
    const result = parse(['--fields', FIELDS_OF_REFERENCE.join(','), '--sampling-rate', '25'], input);
    expect(result.status).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    const [first, second] = rows;
    expect(first).toMatchObject({
      timestamp: '2020-09-16T23:33:41.087Z',
      c_ip: '174.204.64.230',
      sc_status: 304,
      x_edge_location: 'SEA19-C2',
      cs_cookie: null,
      time_taken: 0.14,
      sampling_rate: 25,
      cache_class: 'refresh_hit',
      country: 'US',
      country_source: 'log',
      pop_code: 'SEA',
      device_type: 'mobile',
      http_version: '2',
      distribution_id: '',
    });
    expect(first!.cs_user_agent).toMatch(/^Mozilla\/5\.0 \(iPhone; CPU/);
    expect(first).not.toHaveProperty('s_ip');
    expect(second).toMatchObject({ uri_path: '/i', cs_method: 'GET', cache_class: 'miss', sc_content_type: 'image/gif' });

    const errors = result.stderr.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(errors).toEqual([{ line: 3, reason: 'expected 40 fields, got 4', input: 'not\ta\tlog\tline' }]);
  });

  it('names the field to blame', () => {
    const result = parse(['--fields', 'sc-status,timestamp'], '1700000000.000\t20x\n');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr.trim().split('\n').at(-1)!)).toEqual({
      line: 1,
      reason: 'not an HTTP status: 20x',
      field: 'sc-status',
      input: '1700000000.000\t20x',
    });
  });

  it('defaults to the local log config (positions 1–64)', () => {
    const line = FIELDS.filter((f) => f.position <= 64)
      .map((f) => (f.name === 'timestamp' ? '1700000000.123' : '-'))
      .join('\t');
    const result = parse([], `${line}\n`);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ timestamp: '2023-11-14T22:13:20.123Z', sampling_rate: 100, cmcd_version: null });
  });

  it('is the package bin, so `npx edgewatch` runs it in the repository', () => {
    const result = spawnSync('npx', ['--no-install', 'edgewatch', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/usage: edgewatch <command>/);
    expect(result.stdout).toMatch(/parse/);
    expect(result.stdout).toMatch(/replay/);
  });

  it('rejects unknown fields and bad sampling rates with exit code 2', () => {
    expect(parse(['--fields', 'timestamp,cs(Host)'], '').status).toBe(2);
    expect(parse(['--sampling-rate', '0'], '').status).toBe(2);
    expect(parse(['--sampling-rate', '101'], '').status).toBe(2);
  });
});
