/**
 * Embedded ClickHouse for one storage test file: a temp data dir per file (chdb binds one per
 * process) and a database per test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations, type RetentionDays } from '../../processor/storage/migrations.js';

export const DEFAULT_RETENTION: RetentionDays = { rawTtlDays: 30, minuteTtlDays: 30, hourTtlDays: 400 };

export function tempDataDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `edgewatch-${prefix}-`));
}

export function embedded(dataDir: string, database: string): ClickHouse {
  return createClickHouse({ mode: 'embedded', dataDir, database, maxExecutionTimeS: 60 });
}

export async function migrated(dataDir: string, database: string, retention: RetentionDays = DEFAULT_RETENTION): Promise<ClickHouse> {
  const ch = embedded(dataDir, database);
  await runMigrations(ch, retention);
  return ch;
}

/** A count() or sum() read back as a number (64-bit integers arrive as strings). */
export async function scalar(ch: ClickHouse, sql: string, params: Record<string, unknown> = {}): Promise<number> {
  const rows = await ch.query<{ v: string | number | null }>(sql, params);
  return Number(rows[0]?.v ?? Number.NaN);
}
