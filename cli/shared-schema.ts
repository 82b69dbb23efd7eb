/**
 * Schema migrations on a ClickHouse server that several processors share. Processors started together
 * would run the same migration at once, and a migration that replaces tables (drop, create) run twice
 * in parallel can leave a table missing. So one runs them at a time: creating the lock table succeeds
 * for exactly one processor (the others get TABLE_ALREADY_EXISTS and wait); the holder migrates and
 * drops the lock. A lock left by a processor that died is taken over once it is older than
 * STALE_LOCK_MS.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouse } from '../processor/storage/clickhouse.js';
import { clickHouseCodeOf } from '../processor/storage/errors.js';
import { runMigrations, type MigrationOptions, type MigrationReport } from '../processor/storage/migrations.js';
import type { Logger } from './logger.js';

const TABLE_ALREADY_EXISTS = 57;
const LOCK_TABLE = 'schema_migration_lock';
// Migrations take seconds; a lock this old belongs to a processor that died while migrating.
const STALE_LOCK_MS = 10 * 60_000;
const WAIT_STEP_MS = 500;
const WAIT_LIMIT_MS = 15 * 60_000;

interface LockRow {
  readonly holder: string;
  readonly acquired_at_ms: string;
}

export async function migrateSharedSchema(clickhouse: ClickHouse, options: MigrationOptions, log: Logger): Promise<MigrationReport> {
  // clickhouse.database is a checked plain identifier (createClickHouse refuses anything else).
  const lock = `${clickhouse.database}.${LOCK_TABLE}`;
  const holder = `${os.hostname()}:${process.pid}`;
  await clickhouse.command(`CREATE DATABASE IF NOT EXISTS ${clickhouse.database}`);
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let waiting = false;
  for (;;) {
    try {
      await clickhouse.command(`CREATE TABLE ${lock} (holder String, acquired_at_ms UInt64) ENGINE = Log`);
      break;
    } catch (err) {
      if (clickHouseCodeOf(err) !== TABLE_ALREADY_EXISTS) throw err;
    }
    const [row] = await clickhouse.query<LockRow>(`SELECT holder, toString(acquired_at_ms) AS acquired_at_ms FROM ${lock} LIMIT 1`).catch(() => []);
    const ageMs = row === undefined ? 0 : Date.now() - Number(row.acquired_at_ms);
    if (ageMs > STALE_LOCK_MS) {
      log.warn({ lock, holder: row?.holder, ageMs }, 'taking over a schema migration lock left by a processor that stopped');
      await clickhouse.command(`DROP TABLE IF EXISTS ${lock}`);
      continue;
    }
    if (!waiting) {
      waiting = true;
      log.info({ lock, holder: row?.holder ?? 'unknown' }, 'another processor is migrating the schema; waiting for it');
    }
    if (Date.now() > deadline) throw new Error(`the schema migration lock ${lock} is still held by ${row?.holder ?? 'an unknown processor'}; drop it if that processor is gone`);
    // A timer that keeps the process alive: nothing else does while it waits here.
    await sleep(WAIT_STEP_MS + Math.random() * WAIT_STEP_MS);
  }
  try {
    await clickhouse.command(`INSERT INTO ${lock} (holder, acquired_at_ms) VALUES ({holder:String}, {at:UInt64})`, { holder, at: Date.now() });
    return await runMigrations(clickhouse, options);
  } finally {
    await clickhouse.command(`DROP TABLE IF EXISTS ${lock}`);
  }
}
