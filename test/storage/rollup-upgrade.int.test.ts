import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from '../../processor/storage/migrations.js';
import { insertRequestRows } from '../support/request-rows.js';
import { DEFAULT_RETENTION, embedded, scalar, tempDataDir } from './storage-env.js';

const dataDir = tempDataDir('rollup-upgrade');
const oldMigrations = tempDataDir('migrations-011');
const beforeSource = tempDataDir('migrations-030');
const beforeDays = tempDataDir('migrations-043');
const beforeGranules = tempDataDir('migrations-044');
afterAll(() => {
  fs.rmSync(beforeGranules, { recursive: true, force: true });
  fs.rmSync(beforeDays, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(oldMigrations, { recursive: true, force: true });
  fs.rmSync(beforeSource, { recursive: true, force: true });
});

describe('upgrading the rollups (012)', () => {
  it('rebuilds every rollup from the raw rows of a database made by 001–011', async () => {
    for (const file of fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /^0(0\d|1[01])_.*\.sql$/.test(f))) {
      fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(oldMigrations, file));
    }
    const ch = embedded(dataDir, 'upgrade');
    await runMigrations(ch, { ...DEFAULT_RETENTION, dir: oldMigrations });
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    await insertRequestRows(ch, [
      { timestamp: ts(minute), cache_class: 'hit', sc_bytes: 100, sampling_rate: 50 },
      { timestamp: ts(minute + 1_000), cache_class: 'miss', sc_bytes: 300 },
    ]);
    expect(await scalar(ch, 'SELECT sum(sampled_requests) AS v FROM upgrade.requests_1m')).toBe(2);

    const report = await runMigrations(ch, DEFAULT_RETENTION);
    expect(report.applied[0]).toBe(12);
    for (const table of ['requests_1m', 'requests_1h']) {
      expect(await scalar(ch, `SELECT sum(requests) AS v FROM upgrade.${table}`)).toBe(3);
      expect(await scalar(ch, `SELECT sum(hit_bytes) / sum(ratio_bytes) AS v FROM upgrade.${table}`)).toBeCloseTo(200 / 500, 12);
    }
    for (const table of ['requests_1m_dim', 'requests_1h_dim']) {
      expect(await scalar(ch, `SELECT sum(requests) AS v FROM upgrade.${table} WHERE dimension = 'all'`)).toBe(3);
      expect(await scalar(ch, `SELECT sum(requests) AS v FROM upgrade.${table} WHERE dimension = 'cacheStatus' AND value = 'hit'`)).toBe(2);
    }
    // New rows flow through the new views.
    await insertRequestRows(ch, [{ timestamp: ts(minute + 2_000), cache_class: 'hit', sc_bytes: 100 }]);
    expect(await scalar(ch, "SELECT sum(requests) AS v FROM upgrade.requests_1h_dim WHERE dimension = 'all'")).toBe(4);
    await ch.close();
  });

  it('keys the rollups by source (040) without losing rollup rows whose raw rows have expired', async () => {
    for (const file of fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /^0[0-3]\d_.*\.sql$/.test(f))) {
      fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(beforeSource, file));
    }
    const ch = embedded(dataDir, 'upgrade_source');
    await runMigrations(ch, { ...DEFAULT_RETENTION, dir: beforeSource });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    await insertRequestRows(ch, [
      { timestamp: ts(hour), cache_class: 'hit', sc_bytes: 100 },
      { timestamp: ts(hour + 60_000), cache_class: 'miss', sc_bytes: 300 },
    ]);
    // The raw rows are gone (as after their retention); only the rollups hold that traffic now.
    await ch.command('TRUNCATE TABLE upgrade_source.requests');

    const report = await runMigrations(ch, DEFAULT_RETENTION);
    expect(report.applied).toContain(40);
    for (const table of ['requests_1m', 'requests_1h']) {
      expect(await scalar(ch, `SELECT sum(requests) AS v FROM upgrade_source.${table} WHERE source = 'realtime'`), table).toBe(2);
    }
    for (const table of ['requests_1m_dim', 'requests_1h_dim']) {
      expect(await scalar(ch, `SELECT sum(requests) AS v FROM upgrade_source.${table} WHERE dimension = 'all' AND source = 'realtime'`), table).toBe(2);
    }
    // New rows flow through the new views with their source.
    await insertRequestRows(ch, [{ timestamp: ts(hour + 120_000), cache_class: 'hit', sc_bytes: 100, source: 'standard' }]);
    expect(await scalar(ch, "SELECT sum(requests) AS v FROM upgrade_source.requests_1h_dim WHERE dimension = 'all' AND source = 'standard'")).toBe(1);
    expect(await scalar(ch, "SELECT sum(requests) AS v FROM upgrade_source.requests_1h WHERE source = 'realtime'")).toBe(2);
    await ch.close();
  });

  it('fills the day rollup (044) from the hour rows already kept, then through its view', async () => {
    for (const file of fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /^0([0-3]\d|4[0-3])_.*\.sql$/.test(f))) {
      fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(beforeDays, file));
    }
    const ch = embedded(dataDir, 'upgrade_days');
    await runMigrations(ch, { ...DEFAULT_RETENTION, dir: beforeDays });
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
    const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    await insertRequestRows(ch, [
      { timestamp: ts(day + 3_600_000), cache_class: 'hit', sc_bytes: 100, country: 'US', time_to_first_byte: 0.01 },
      { timestamp: ts(day + 5 * 3_600_000), cache_class: 'miss', sc_bytes: 300, country: 'DE', time_to_first_byte: 0.2 },
      { timestamp: ts(day + 30 * 3_600_000), cache_class: 'hit', sc_bytes: 50, country: 'US', time_to_first_byte: 0.03 },
    ]);
    // Only the hour rows are left (raw and minute rows expire first).
    for (const table of ['requests', 'requests_1m', 'requests_1m_dim']) await ch.command(`TRUNCATE TABLE upgrade_days.${table}`);

    const report = await runMigrations(ch, DEFAULT_RETENTION);
    expect(report.applied).toContain(44);
    const perDay = (table: string, where: string): Promise<Array<{ day: string; requests: number; bytes: number; p50: number }>> =>
      ch.query(
        `SELECT toString(toStartOfDay(bucket)) AS day, sum(requests) AS requests, sum(bytes) AS bytes,
                quantileTDigestWeightedMerge(0.5)(ttfb_digest) AS p50
         FROM upgrade_days.${table} WHERE ${where} GROUP BY day ORDER BY day`,
      );
    const fromHours = await perDay('requests_1h_dim', "dimension = 'country' AND value = 'US'");
    expect(fromHours.map((r) => r.requests)).toEqual([1, 1]);
    expect(await perDay('requests_1d_dim', "dimension = 'country' AND value = 'US'")).toEqual(fromHours);
    expect((await perDay('requests_1d_dim', "dimension = 'all'")).map((r) => [r.requests, r.bytes])).toEqual([
      [2, 400],
      [1, 50],
    ]);
    // New rows reach the day rollup through the views.
    await insertRequestRows(ch, [{ timestamp: ts(day + 31 * 3_600_000), cache_class: 'hit', sc_bytes: 10, country: 'US' }]);
    expect((await perDay('requests_1d_dim', "dimension = 'all'")).map((r) => r.requests)).toEqual([2, 2]);
    await ch.close();
  });

  it('recreates the dim rollups with 256-row granules (045), keeping every row and digest, the views feeding them', async () => {
    for (const file of fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /^0([0-3]\d|4[0-4])_.*\.sql$/.test(f))) {
      fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(beforeGranules, file));
    }
    const ch = embedded(dataDir, 'upgrade_granules');
    await runMigrations(ch, { ...DEFAULT_RETENTION, dir: beforeGranules });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 26 * 3_600_000;
    const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    await insertRequestRows(ch, [
      { timestamp: ts(hour), cache_class: 'hit', sc_bytes: 100, country: 'US', time_to_first_byte: 0.01 },
      { timestamp: ts(hour + 60_000), cache_class: 'miss', sc_bytes: 300, country: 'DE', time_to_first_byte: 0.2 },
      { timestamp: ts(hour + 25 * 3_600_000), cache_class: 'hit', sc_bytes: 50, country: 'US', time_to_first_byte: 0.03 },
    ]);
    const tables = ['requests_1m_dim', 'requests_1h_dim', 'requests_1d_dim'];
    const contents = (table: string): Promise<unknown[]> =>
      ch.query(
        `SELECT dimension, value, toString(bucket) AS bucket, sum(requests) AS requests, sum(bytes) AS bytes,
                quantilesTDigestWeightedMerge(0.5, 0.99)(ttfb_digest) AS ttfb
         FROM upgrade_granules.${table} GROUP BY dimension, value, bucket ORDER BY dimension, value, bucket`,
      );
    const before = await Promise.all(tables.map(contents));
    expect(before.every((rows) => rows.length > 0)).toBe(true);

    const report = await runMigrations(ch, DEFAULT_RETENTION);
    expect(report.applied).toContain(45);
    expect(await Promise.all(tables.map(contents))).toEqual(before);
    for (const table of tables) {
      const engine = await ch.query<{ engine_full: string }>(
        "SELECT engine_full FROM system.tables WHERE database = 'upgrade_granules' AND name = {table:String}",
        { table },
      );
      expect(engine[0]?.engine_full, table).toMatch(/\bindex_granularity = 256\b/);
    }
    // New rows reach all three through the recreated views.
    await insertRequestRows(ch, [{ timestamp: ts(hour + 25 * 3_600_000 + 60_000), cache_class: 'hit', sc_bytes: 10, country: 'US' }]);
    for (const table of tables) {
      expect(await scalar(ch, `SELECT sum(requests) AS v FROM upgrade_granules.${table} WHERE dimension = 'all'`), table).toBe(4);
    }
    await ch.close();
  });
});

