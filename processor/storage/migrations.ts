/**
 * Applies the numbered SQL migrations of infra/clickhouse/ in order and records each version in
 * `schema_migrations`; then brings every table's TTL to the configured number of days, so a
 * changed retention applies on the next start. Running it again changes nothing.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ClickHouse } from './clickhouse.js';
import { clusterStatements, LOCAL_SUFFIX, shardedTables } from './cluster-ddl.js';
import { rollupTemplateValues } from './rollup-sql.js';
import { renderSql, splitStatements } from './sql-template.js';

export interface RetentionDays {
  /** Raw `requests` rows. */
  readonly rawTtlDays: number;
  /** `requests_1m`, `requests_1m_dim`. */
  readonly minuteTtlDays: number;
  /** `requests_1h`, `requests_1h_dim`, `requests_1d_dim`. */
  readonly hourTtlDays: number;
  /** `dead_letters`; default 30. */
  readonly deadLetterTtlDays?: number;
}

export interface MigrationOptions extends RetentionDays {
  /** Folder of `NNN_name.sql` files; default infra/clickhouse/ of this repository. */
  readonly dir?: string;
  /**
   * A ClickHouse cluster (from the server's `remote_servers`): every statement runs ON CLUSTER, with
   * replicated local tables and Distributed tables over them (processor/storage/cluster-ddl.ts).
   */
  readonly cluster?: string;
}

/** A migration's statements as they are sent, for one database (and cluster, if any). */
export interface RenderedMigration extends Migration {
  readonly statements: readonly string[];
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
}

export interface MigrationReport {
  /** Versions applied by this run. */
  readonly applied: readonly number[];
  /** Tables whose TTL was changed by this run. */
  readonly ttlChanged: readonly string[];
}

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../infra/clickhouse/', import.meta.url));

const MIGRATION_FILE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
const MAX_TTL_DAYS = 36_500;

/** The migration files of `dir`, by version; two files with one version are an error. */
export function listMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of fs.readdirSync(dir)) {
    const match = MIGRATION_FILE.exec(file);
    if (!match?.[1] || !match[2]) continue;
    migrations.push({ version: Number(match[1]), name: match[2], file: path.join(dir, file) });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new Error(`two migrations with version ${migrations[i]?.version} in ${dir}`);
    }
  }
  return migrations;
}

function checkDays(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TTL_DAYS) {
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_TTL_DAYS}, got ${value}`);
  }
  return value;
}

interface TtlTarget {
  readonly table: string;
  /** The TTL expression of the table's CREATE statement, without the interval. */
  readonly expression: string;
  readonly days: number;
}

function ttlTargets(days: Required<RetentionDays>): TtlTarget[] {
  return [
    { table: 'requests', expression: 'toDateTime(timestamp)', days: days.rawTtlDays },
    { table: 'dead_letters', expression: 'toDateTime(received_at)', days: days.deadLetterTtlDays },
    { table: 'requests_1m', expression: 'bucket', days: days.minuteTtlDays },
    { table: 'requests_1h', expression: 'bucket', days: days.hourTtlDays },
    { table: 'requests_1m_dim', expression: 'bucket', days: days.minuteTtlDays },
    { table: 'requests_1h_dim', expression: 'bucket', days: days.hourTtlDays },
    { table: 'requests_1d_dim', expression: 'bucket', days: days.hourTtlDays },
  ];
}

function checkedRetention(opts: RetentionDays): Required<RetentionDays> {
  return {
    rawTtlDays: checkDays(opts.rawTtlDays, 'rawTtlDays'),
    minuteTtlDays: checkDays(opts.minuteTtlDays, 'minuteTtlDays'),
    hourTtlDays: checkDays(opts.hourTtlDays, 'hourTtlDays'),
    deadLetterTtlDays: checkDays(opts.deadLetterTtlDays ?? 30, 'deadLetterTtlDays'),
  };
}

async function hasMigrationsTable(ch: ClickHouse): Promise<boolean> {
  const rows = await ch.query<{ n: string | number }>(
    "SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'schema_migrations'",
    { db: ch.database },
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

async function appliedVersions(ch: ClickHouse): Promise<Set<number>> {
  if (!(await hasMigrationsTable(ch))) return new Set();
  const rows = await ch.query<{ version: number }>(`SELECT DISTINCT version FROM ${ch.database}.schema_migrations`);
  return new Set(rows.map((r) => Number(r.version)));
}

async function recordVersion(ch: ClickHouse, migration: Migration): Promise<void> {
  await ch.command(
    `INSERT INTO ${ch.database}.schema_migrations (version, name, applied_at) VALUES ({version:UInt32}, {name:String}, now())`,
    { version: migration.version, name: migration.name },
  );
}

/** Days of the `TTL … + toIntervalDay(N)` clause in a table's engine description. */
function ttlDaysOf(engineFull: string): number | undefined {
  const match = /\bTTL\b.*?toIntervalDay\((\d+)\)/.exec(engineFull);
  return match?.[1] ? Number(match[1]) : undefined;
}

async function applyRetention(ch: ClickHouse, days: Required<RetentionDays>, cluster: string | undefined): Promise<string[]> {
  // On a cluster the TTL belongs to the replicated local tables (the Distributed ones hold no data).
  const targets = ttlTargets(days).map((t) => (cluster === undefined ? t : { ...t, table: `${t.table}${LOCAL_SUFFIX}` }));
  const rows = await ch.query<{ name: string; engine_full: string }>(
    'SELECT name, engine_full FROM system.tables WHERE database = {db:String} AND name IN {names:Array(String)}',
    { db: ch.database, names: targets.map((t) => t.table) },
  );
  const current = new Map(rows.map((r) => [r.name, ttlDaysOf(r.engine_full)]));
  const changed: string[] = [];
  for (const target of targets) {
    if (!current.has(target.table) || current.get(target.table) === target.days) continue;
    const onCluster = cluster === undefined ? '' : ` ON CLUSTER ${cluster}`;
    await ch.command(`ALTER TABLE ${ch.database}.${target.table}${onCluster} MODIFY TTL ${target.expression} + INTERVAL ${target.days} DAY`);
    changed.push(target.table);
  }
  return changed;
}

/** Every migration's statements, rendered for a database and, when given, a cluster. */
export function renderMigrations(database: string, opts: MigrationOptions): RenderedMigration[] {
  const days = checkedRetention(opts);
  const values = {
    database,
    raw_ttl_days: days.rawTtlDays,
    minute_ttl_days: days.minuteTtlDays,
    hour_ttl_days: days.hourTtlDays,
    dead_letter_ttl_days: days.deadLetterTtlDays,
    ...rollupTemplateValues(),
  };
  const rendered = listMigrations(opts.dir).map((migration) => ({
    ...migration,
    statements: splitStatements(renderSql(fs.readFileSync(migration.file, 'utf8'), values)),
  }));
  if (opts.cluster === undefined) return rendered;
  const layout = { cluster: opts.cluster, database };
  // Which tables are sharded follows from the whole history (a view added later decides a table's role).
  const sharded = shardedTables(rendered.flatMap((m) => m.statements), database);
  return rendered.map((m) => ({ ...m, statements: clusterStatements(m.statements, layout, sharded) }));
}

export async function runMigrations(ch: ClickHouse, opts: MigrationOptions): Promise<MigrationReport> {
  const days = checkedRetention(opts);
  const migrations = renderMigrations(ch.database, opts);
  const done = await appliedVersions(ch);
  const applied: number[] = [];
  // Versions applied before schema_migrations exists (the database itself) are recorded once it does.
  const unrecorded: Migration[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements) await ch.command(statement);
    applied.push(migration.version);
    unrecorded.push(migration);
    if (await hasMigrationsTable(ch)) {
      for (const pending of unrecorded.splice(0)) await recordVersion(ch, pending);
    }
  }
  if (unrecorded.length > 0) {
    throw new Error(`migrations ${unrecorded.map((m) => m.version).join(', ')} ran but no schema_migrations table exists to record them`);
  }
  const ttlChanged = await applyRetention(ch, days, opts.cluster);
  return { applied, ttlChanged };
}
