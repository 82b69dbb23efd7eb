/**
 * Turns the single-node migration statements into their ClickHouse-cluster form.
 *
 * Sharded tables (`requests`, `dead_letters` and every rollup fed from them) become a replicated
 * `<name>_local` table on each shard plus a Distributed table under the original name, so queries
 * and inserts keep their table names. Materialized views are created on the local tables and write
 * into local rollups: a request and its rollup rows stay on one shard. Every other MergeTree table
 * (migrations, alerts, audit, ledgers: small, read whole) is replicated to every node under its
 * own name. Each statement runs `ON CLUSTER`.
 *
 * Only the statement shapes the migrations use are understood; anything else is an error naming
 * the statement, so a new migration cannot silently skip the cluster.
 */

export interface ClusterLayout {
  /** Cluster name of the server's `remote_servers` configuration. */
  readonly cluster: string;
  readonly database: string;
}

/** Sharding keys of the tables that receive rows from outside: one request stays on one shard. */
export const SHARDING_KEYS: Readonly<Record<string, string>> = {
  requests: 'cityHash64(x_edge_request_id)',
  dead_letters: 'cityHash64(stream, shard_id, sequence_number)',
};
/** Rollups are written by views on the shard of their request; direct inserts (rebuilds) spread. */
const DERIVED_SHARDING_KEY = 'rand()';

export const LOCAL_SUFFIX = '_local';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The sharded tables of a migration history: the entry tables, tables `AS` them, targets of views over them. */
export function shardedTables(statements: readonly string[], database: string): Set<string> {
  const sharded = new Set(Object.keys(SHARDING_KEYS));
  const db = escapeRegExp(database);
  let grew = true;
  while (grew) {
    grew = false;
    for (const statement of statements.map(withoutLeadingComments)) {
      const createAs = new RegExp(`^CREATE TABLE (?:IF NOT EXISTS )?${db}\\.(\\w+)\\s+AS\\s+${db}\\.(\\w+)\\b`, 'i').exec(statement);
      const view = new RegExp(`^CREATE MATERIALIZED VIEW (?:IF NOT EXISTS )?${db}\\.\\w+\\s+TO\\s+${db}\\.(\\w+)`, 'i').exec(statement);
      let table: string | undefined;
      if (createAs?.[1] !== undefined && createAs[2] !== undefined && sharded.has(createAs[2])) table = createAs[1];
      if (view?.[1] !== undefined && referencedTables(statement, database).some((t) => sharded.has(t) && t !== view[1])) table = view[1];
      if (table !== undefined && !sharded.has(table)) {
        sharded.add(table);
        grew = true;
      }
    }
  }
  return sharded;
}

/**
 * The cluster form of one migration's statements. `sharded` comes from shardedTables() over the
 * whole history, so a table created early is treated the way later views need it.
 */
export function clusterStatements(statements: readonly string[], layout: ClusterLayout, sharded: ReadonlySet<string>): string[] {
  checkIdentifier(layout.cluster, 'cluster');
  checkIdentifier(layout.database, 'database');
  return statements.flatMap((statement) => clusterStatement(withoutLeadingComments(statement), layout, sharded));
}

/** A statement without the `--` comment lines before its first keyword. */
function withoutLeadingComments(statement: string): string {
  return statement.replace(/^(\s*--[^\n]*(\n|$))+/, '').trim();
}

function clusterStatement(statement: string, layout: ClusterLayout, sharded: ReadonlySet<string>): string[] {
  const { cluster, database } = layout;
  const db = escapeRegExp(database);
  const onCluster = `ON CLUSTER ${cluster}`;

  const createDatabase = /^CREATE DATABASE (IF NOT EXISTS )?(\w+)\s*$/i.exec(statement);
  if (createDatabase) return [`CREATE DATABASE ${createDatabase[1] ?? ''}${createDatabase[2]} ${onCluster}`];

  const createTable = new RegExp(`^CREATE TABLE (IF NOT EXISTS )?${db}\\.(\\w+)\\s+([\\s\\S]*)$`, 'i').exec(statement);
  if (createTable?.[2] !== undefined && createTable[3] !== undefined) {
    return createTableStatements(createTable[1] ?? '', createTable[2], createTable[3], layout, sharded);
  }

  const createView = new RegExp(`^CREATE MATERIALIZED VIEW (IF NOT EXISTS )?${db}\\.(\\w+)\\s+TO\\s+([\\s\\S]*)$`, 'i').exec(statement);
  if (createView?.[2] !== undefined && createView[3] !== undefined) {
    // Views live on every shard and read and write the local tables there.
    return [`CREATE MATERIALIZED VIEW ${createView[1] ?? ''}${database}.${createView[2]} ${onCluster} TO ${localize(createView[3], database, sharded)}`];
  }

  const drop = new RegExp(`^DROP (TABLE|VIEW) (IF EXISTS )?${db}\\.(\\w+)\\s*$`, 'i').exec(statement);
  if (drop?.[1] !== undefined && drop[3] !== undefined) {
    const kind = drop[1].toUpperCase();
    const ifExists = drop[2] ?? '';
    const dropOne = (name: string): string => `DROP ${kind} ${ifExists}${database}.${name} ${onCluster} SYNC`;
    return kind === 'TABLE' && sharded.has(drop[3]) ? [dropOne(drop[3]), dropOne(`${drop[3]}${LOCAL_SUFFIX}`)] : [dropOne(drop[3])];
  }

  const alter = new RegExp(`^ALTER TABLE ${db}\\.(\\w+)\\s+([\\s\\S]*)$`, 'i').exec(statement);
  if (alter?.[1] !== undefined && alter[2] !== undefined) {
    if (!sharded.has(alter[1])) return [`ALTER TABLE ${database}.${alter[1]} ${onCluster} ${alter[2]}`];
    // Column changes go to both; the Distributed table has no sorting key, TTL, index or settings.
    const local = `ALTER TABLE ${database}.${alter[1]}${LOCAL_SUFFIX} ${onCluster} ${alter[2]}`;
    const columnClauses = splitTopLevel(alter[2]).filter((clause) => /^(ADD|DROP|MODIFY|RENAME) COLUMN\b/i.test(clause));
    return columnClauses.length === 0 ? [local] : [local, `ALTER TABLE ${database}.${alter[1]} ${onCluster} ${columnClauses.join(', ')}`];
  }

  // Runs once, through the Distributed tables: reads every shard, writes by the sharding key.
  if (new RegExp(`^INSERT INTO ${db}\\.\\w+\\b`, 'i').test(statement)) return [statement];

  throw new Error(`cannot render this migration statement for a cluster (unknown shape):\n${statement.slice(0, 300)}`);
}

function createTableStatements(ifNotExists: string, table: string, rest: string, layout: ClusterLayout, sharded: ReadonlySet<string>): string[] {
  const { cluster, database } = layout;
  const onCluster = `ON CLUSTER ${cluster}`;
  if (!/\bENGINE\s*=/i.test(rest)) throw new Error(`CREATE TABLE ${database}.${table} has no ENGINE clause; cannot render it for a cluster`);
  const isSharded = sharded.has(table);
  const localName = isSharded ? `${table}${LOCAL_SUFFIX}` : table;
  const zooPath = isSharded ? `/clickhouse/tables/{shard}/${database}/${localName}` : `/clickhouse/tables/all/${database}/${localName}`;
  const replicated = replicateEngine(localize(rest, database, sharded), zooPath, `${database}.${table}`);
  const local = `CREATE TABLE ${ifNotExists}${database}.${localName} ${onCluster} ${replicated}`;
  if (!isSharded) return [local];
  const key = SHARDING_KEYS[table] ?? DERIVED_SHARDING_KEY;
  const distributed =
    `CREATE TABLE ${ifNotExists}${database}.${table} ${onCluster} AS ${database}.${localName}\n` +
    `ENGINE = Distributed(${cluster}, ${database}, ${localName}, ${key})`;
  return [local, distributed];
}

/** `ENGINE = XMergeTree[(args)]` → `ENGINE = ReplicatedXMergeTree('path', '{replica}'[, args])`. */
function replicateEngine(rest: string, zooPath: string, table: string): string {
  const engine = /\bENGINE\s*=\s*(\w*)MergeTree\b(\s*\(([^)]*)\))?/i;
  const match = engine.exec(rest);
  if (match === null) throw new Error(`${table} does not use a MergeTree engine; cannot render it for a cluster`);
  const variant = match[1] ?? '';
  if (variant.toLowerCase().startsWith('replicated')) throw new Error(`${table} is already replicated`);
  const args = match[3]?.trim();
  const replicatedArgs = [`'${zooPath}'`, "'{replica}'", ...(args ? [args] : [])].join(', ');
  return rest
    .replace(engine, `ENGINE = Replicated${variant}MergeTree(${replicatedArgs})`)
    .replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
}

/** Points references to sharded tables at their local tables. */
function localize(sql: string, database: string, sharded: ReadonlySet<string>): string {
  return sql.replace(new RegExp(`\\b${escapeRegExp(database)}\\.(\\w+)\\b`, 'g'), (whole, name: string) =>
    sharded.has(name) ? `${database}.${name}${LOCAL_SUFFIX}` : whole,
  );
}

function referencedTables(sql: string, database: string): string[] {
  return [...sql.matchAll(new RegExp(`\\b${escapeRegExp(database)}\\.(\\w+)\\b`, 'g'))].map((m) => m[1] ?? '');
}

/** Splits on commas outside parentheses and quotes; trims each part. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

function checkIdentifier(value: string, what: string): void {
  if (!IDENTIFIER.test(value)) throw new RangeError(`${what} must be a plain identifier, got ${JSON.stringify(value)}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
