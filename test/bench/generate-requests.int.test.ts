import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENCH_DATABASE,
  BENCH_RETENTION,
  createStagingTables,
  dropStagingTables,
  ensureRequestStore,
  publishStagedRows,
  STAGING_SUFFIX,
  viewsFromRequests,
  type RequestStoreReport,
} from '../../bench/generate-requests.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { embedded, tempDataDir } from '../storage/storage-env.js';

const dataDir = tempDataDir('bench-store');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

// Two days up to 12:00 on the 1st of a month: three daily chunks, one partial at each end, and
// partitions of two months. The generator's cost is per day, the rollups' meaning is not.
const NOW_MS = Date.UTC(2026, 9, 1, 12, 30);
const DAYS = ['2026-09-29', '2026-09-30', '2026-10-01'];
let report: RequestStoreReport;
beforeAll(async () => {
  report = await ensureRequestStore({ dataDir, rows: 6000, days: 2, nowMs: NOW_MS, log: () => undefined });
}, 600_000);

const LEVELS = [0.5, 0.95, 0.99];
/** Count and hash of the raw rows (cityHash64(*) would be NULL: every row has a NULL column). */
const CHECKSUM = "SELECT count() AS n, sum(cityHash64(formatRow('TabSeparated', *))) AS h FROM {db:Identifier}.requests";

interface TableShape {
  readonly keys: string[];
  readonly sums: string[];
  readonly digests: string[];
}

async function shapeOf(ch: ClickHouse, database: string, table: string): Promise<TableShape> {
  const columns = await ch.query<{ name: string; type: string }>(
    'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String} ORDER BY position',
    { db: database, table },
  );
  return {
    keys: columns.filter((c) => !c.type.includes('AggregateFunction(')).map((c) => c.name),
    sums: columns.filter((c) => c.type.startsWith('SimpleAggregateFunction(')).map((c) => c.name),
    digests: columns.filter((c) => c.type.startsWith('AggregateFunction(')).map((c) => c.name),
  };
}

/** Rows of a rollup table per key, measures merged (a table not yet merged in the background reads the same). */
async function mergedRows(ch: ClickHouse, database: string, table: string, shape: TableShape): Promise<Record<string, unknown>[]> {
  const select = [
    ...shape.keys.map((k) => `toString(${k}) AS ${k}`),
    ...shape.sums.map((s) => `toFloat64(sum(${s})) AS ${s}`),
    ...shape.digests.map((d) => `quantilesTDigestWeightedMerge(${LEVELS.join(', ')})(${d}) AS ${d}`),
  ];
  const keys = shape.keys.join(', ');
  return ch.query(`SELECT ${select.join(', ')} FROM ${database}.${table} GROUP BY ${keys} ORDER BY ${keys}`);
}

/**
 * Values that differ between two row lists of one table, row by row: keys exactly, sums and
 * quantiles within rounding. Collected, then asserted once: one expect per value costs more than
 * the rest of the test.
 */
function differences(table: string, shape: TableShape, generated: Record<string, unknown>[], viewed: Record<string, unknown>[]): string[] {
  const out: string[] = [];
  const near = (a: number, b: number, relative: number): boolean => Math.abs(a - b) <= relative * Math.max(1, Math.abs(b));
  generated.forEach((row, i) => {
    const other = viewed[i]!;
    for (const k of shape.keys) if (!Object.is(row[k], other[k])) out.push(`${table}[${i}].${k}: ${String(row[k])} against ${String(other[k])}`);
    // Floating-point sums added in another order.
    for (const s of shape.sums) {
      const a = Number(row[s]);
      const b = Number(other[s]);
      if (!near(a, b, 1e-12)) out.push(`${table}[${i}].${s}: ${a} against ${b}`);
    }
    for (const d of shape.digests) {
      const a = row[d] as number[];
      const b = other[d] as number[];
      a.forEach((q, j) => {
        if (!near(q, b[j]!, 1e-9)) out.push(`${table}[${i}].${d}[${LEVELS[j]}]: ${q} against ${b[j]}`);
      });
    }
  });
  return out;
}

describe('bench store generator', () => {
  it('fills every table the views fill with what the views make of the same rows', async () => {
    expect(report.rowsInWindow).toBe(6000);
    expect(report.rowsAdded).toBe(6000);
    expect(report.untilMs - report.fromMs).toBe(2 * 86_400_000);

    // The same rows inserted into a fresh database, where the views fill the rollups as on ingest.
    const ch = embedded(dataDir, 'view_filled');
    await runMigrations(ch, BENCH_RETENTION);
    await ch.command(`INSERT INTO view_filled.requests SELECT * FROM ${BENCH_DATABASE}.requests`);

    const steps = await viewsFromRequests(ch, 'view_filled');
    const tables = [...new Set(steps.map((s) => s.target))];
    expect(tables).toEqual(expect.arrayContaining(['requests_1m', 'requests_1h', 'requests_1m_dim', 'requests_1h_dim', 'requests_1d_dim', 'standard_hours']));
    const generatedSum = await ch.query<{ n: string; h: string | null }>(CHECKSUM, { db: BENCH_DATABASE });
    expect(generatedSum[0]?.h).toEqual(expect.any(String));
    expect(generatedSum).toEqual(await ch.query(CHECKSUM, { db: 'view_filled' }));
    const spread = await ch.query<{ days: string[] }>(`SELECT arraySort(groupUniqArray(toString(toDate(timestamp)))) AS days FROM ${BENCH_DATABASE}.requests`);
    expect(spread[0]?.days).toEqual(DAYS);

    for (const table of tables) {
      const shape = await shapeOf(ch, 'view_filled', table);
      const generated = await mergedRows(ch, BENCH_DATABASE, table, shape);
      const viewed = await mergedRows(ch, 'view_filled', table, shape);
      expect(generated.length, table).toBe(viewed.length);
      if (table !== 'standard_hours') expect(generated.length, table).toBeGreaterThan(0);
      const mismatches = differences(table, shape, generated, viewed);
      expect(mismatches.slice(0, 20), `${table}: ${mismatches.length} values differ`).toEqual([]);
    }
    await ch.close();
  }, 600_000);

  it('moves each staged partition once, not again with the empty part a move leaves behind', async () => {
    const ch = embedded(dataDir, 'publish_check');
    await runMigrations(ch, BENCH_RETENTION);
    const steps = await viewsFromRequests(ch, 'publish_check');
    await createStagingTables(ch, 'publish_check', steps);
    let alters: string[] = [];
    const recording: ClickHouse = {
      ...ch,
      command: (sql, params, opts) => {
        if (sql.startsWith('ALTER')) alters.push(sql);
        return ch.command(sql, params, opts);
      },
    };
    for (const day of DAYS) {
      alters = [];
      await ch.command(
        `INSERT INTO publish_check.requests${STAGING_SUFFIX} SELECT * FROM ${BENCH_DATABASE}.requests WHERE toDate(timestamp) = {day:Date}`,
        { day },
      );
      await publishStagedRows(recording, 'publish_check', steps);
      const moved = alters.map((sql) => [...sql.matchAll(/MOVE PARTITION ID '(\w+)' TO TABLE publish_check\.(\w+)/g)].map((m) => `${m[2]}:${m[1]}`)).flat();
      const id = day.replaceAll('-', '');
      expect(moved.sort(), day).toEqual(
        [`requests:${id}`, `requests_1m:${id}`, `requests_1m_dim:${id}`, ...['requests_1d_dim', 'requests_1h', 'requests_1h_dim'].map((t) => `${t}:${id.slice(0, 6)}`)].sort(),
      );
    }
    await dropStagingTables(ch, 'publish_check', steps);
    expect(await ch.query(CHECKSUM, { db: 'publish_check' })).toEqual(await ch.query(CHECKSUM, { db: BENCH_DATABASE }));
    await ch.close();
  }, 600_000);

  // Last: it adds hours to the store the other tests read.
  it('merges only the partitions a top-up added to, leaving merged days as they are', async () => {
    const partsQuery = `SELECT table, partition_id AS partition, groupArray(name) AS names FROM system.parts
      WHERE database = {db:String} AND active AND table LIKE 'requests_%' AND NOT endsWith(table, {staging:String})
      GROUP BY table, partition_id ORDER BY table, partition_id`;
    const partsOf = async (): Promise<Array<{ table: string; partition: string; names: string[] }>> => {
      const ch = embedded(dataDir, BENCH_DATABASE);
      try {
        return await ch.query(partsQuery, { db: BENCH_DATABASE, staging: STAGING_SUFFIX });
      } finally {
        await ch.close();
      }
    };
    const before = await partsOf();
    const topUp = await ensureRequestStore({ dataDir, rows: 6000, days: 2, nowMs: NOW_MS + 2 * 3_600_000, log: () => undefined });
    expect(topUp.reused).toBe(true);
    expect(topUp.rowsAdded).toBeGreaterThan(0);
    const after = await partsOf();
    // The top-up's hours are on 2026-10-01: the days before and September's partitions keep their parts.
    const untouched = (p: { partition: string }): boolean => p.partition < '202610';
    expect(after.filter(untouched)).toEqual(before.filter(untouched));
    expect(after.filter(untouched).length).toBeGreaterThan(0);
    // Every rollup partition is one part again, the added hours merged in.
    const rollups = after.filter((p) => p.table !== 'requests');
    expect(rollups.filter((p) => p.names.length !== 1)).toEqual([]);
    expect(rollups.filter((p) => !untouched(p)).every((p) => !before.some((b) => b.table === p.table && b.partition === p.partition && b.names[0] === p.names[0]))).toBe(true);
  }, 600_000);
});
