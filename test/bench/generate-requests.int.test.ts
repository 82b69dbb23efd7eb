import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_DATABASE, BENCH_RETENTION, ensureRequestStore, viewsFromRequests } from '../../bench/generate-requests.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { embedded, tempDataDir } from '../storage/storage-env.js';

const dataDir = tempDataDir('bench-store');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const LEVELS = [0.5, 0.95, 0.99];

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

describe('bench store generator', () => {
  it('fills every table the views fill with what the views make of the same rows', async () => {
    const report = await ensureRequestStore({ dataDir, rows: 6000, nowMs: Date.UTC(2026, 9, 1, 12, 30), log: () => undefined });
    expect(report.rowsInWindow).toBe(6000);
    expect(report.rowsAdded).toBe(6000);

    // The same rows inserted into a fresh database, where the views fill the rollups as on ingest.
    const ch = embedded(dataDir, 'view_filled');
    await runMigrations(ch, BENCH_RETENTION);
    await ch.command(`INSERT INTO view_filled.requests SELECT * FROM ${BENCH_DATABASE}.requests`);

    const steps = await viewsFromRequests(ch, 'view_filled');
    const tables = [...new Set(steps.map((s) => s.target))];
    expect(tables).toEqual(expect.arrayContaining(['requests_1m', 'requests_1h', 'requests_1m_dim', 'requests_1h_dim', 'requests_1d_dim', 'standard_hours']));
    const checksum = 'SELECT count() AS n, sum(cityHash64(*)) AS h FROM {db:Identifier}.requests';
    expect(await ch.query(checksum, { db: BENCH_DATABASE })).toEqual(await ch.query(checksum, { db: 'view_filled' }));

    for (const table of tables) {
      const shape = await shapeOf(ch, 'view_filled', table);
      const generated = await mergedRows(ch, BENCH_DATABASE, table, shape);
      const viewed = await mergedRows(ch, 'view_filled', table, shape);
      expect(generated.length, table).toBe(viewed.length);
      if (table !== 'standard_hours') expect(generated.length, table).toBeGreaterThan(0);
      generated.forEach((row, i) => {
        const other = viewed[i]!;
        for (const k of shape.keys) expect(row[k], `${table}.${k}`).toBe(other[k]);
        // Floating-point sums added in another order.
        for (const s of shape.sums) {
          const a = Number(row[s]);
          const b = Number(other[s]);
          expect(Math.abs(a - b), `${table}.${s}: ${a} against ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
        }
        for (const d of shape.digests) {
          const a = row[d] as number[];
          const b = other[d] as number[];
          a.forEach((q, j) => expect(Math.abs(q - b[j]!), `${table}.${d}[${LEVELS[j]}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b[j]!))));
        }
      });
    }
    await ch.close();
    // 31 daily chunks of a few statements each: minutes on a busy machine.
  }, 900_000);
});
