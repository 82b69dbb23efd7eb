/**
 * Fills the embedded ClickHouse `requests` table of a benchmark data dir with BENCH_QUERY_ROWS
 * rows (default 100 million) spread over the 30 days up to the current hour, following the traffic
 * model of request-model.ts. Rows are generated inside ClickHouse (`INSERT … SELECT … FROM
 * numbers(…)`), one insert per UTC day or less, into `requests_generated`, a copy no view reads.
 * Then every materialized view fed by `requests` runs once over the chunk, in the order ingest runs
 * them, its own SELECT (as the engine stores it) reading the staged rows of its source and writing
 * the staged rows of its target; last, every staged partition moves into its table (a partition move
 * fires no view). Each view aggregates the whole chunk once instead of once per insert block and
 * cascade, and the rollups equal what the views make of the same rows
 * (test/bench/generate-requests.int.test.ts). What remains costly is building the three t-digest
 * states of every minute-rollup row.
 *
 * A data dir that already holds the rows is reused: only the hours since the last run are added,
 * so the last 30 days keep about the same number of rows. A different row count or span, an older
 * generator, a schema that differs from what the migrations create today, or a gap of more than
 * the span starts over. The span is 30 days; `days` shortens it for small stores (a test's), whose
 * cost is then a few statements per day rather than per row.
 *
 *   node bin/run-ts.mjs bench/generate-requests.ts     (BENCH_QUERY_ROWS, BENCH_QUERY_DATA_DIR)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertIdentifier, createClickHouse, type ClickHouse } from '../processor/storage/clickhouse.js';
import { runMigrations } from '../processor/storage/migrations.js';
import { hourWeight, requestModelParams } from './request-model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Days of the benchmark's window (`days` of ensureRequestStore). */
export const WINDOW_DAYS = 30;
export const WINDOW_HOURS = WINDOW_DAYS * 24;
/** Bumped whenever the generated data changes shape, so an old store is not reused. */
const GENERATOR_VERSION = 1;
const META_FILE = 'bench-store.json';
/** Generated rows are told apart from the simulator's by their shards (a resharded stream's children). */
export const GENERATED_SHARDS = ['shardId-000000000100', 'shardId-000000000101', 'shardId-000000000102', 'shardId-000000000103'];
/** Retention of the bench store: long enough that nothing generated expires while it is reused. */
export const BENCH_RETENTION = { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 } as const;
export const BENCH_DATABASE = 'edgewatch';

export interface RequestStoreOptions {
  readonly dataDir: string;
  /** Rows per window (`days` days). */
  readonly rows: number;
  /** Days of the window, up to `nowMs`; default 30. A store of another span starts over. */
  readonly days?: number;
  /** Most rows per INSERT … SELECT. */
  readonly maxRowsPerInsert?: number;
  readonly database?: string;
  readonly log?: (line: string) => void;
  /** End of the generated window (exclusive), rounded down to the hour; default now. */
  readonly nowMs?: number;
}

export interface RequestStoreReport {
  readonly database: string;
  /** Generated rows in the window (`days` days) before `untilMs`. */
  readonly rowsInWindow: number;
  readonly rowsAdded: number;
  readonly generationS: number;
  /** Rows added per second of generation (inserts, rollups and the final merge). */
  readonly rowsPerS: number;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly reused: boolean;
  readonly diskBytes: number;
}

interface StoreMeta {
  readonly version: number;
  readonly rows: number;
  /** Absent in stores of a generator that knew only 30 days. */
  readonly days?: number;
  readonly database: string;
  /** Row numbers used so far (the next insert starts here). */
  readonly nextRow: number;
  /** Hours [fromMs, untilMs) are generated. */
  readonly fromMs: number;
  readonly untilMs: number;
  /** Generated rows per hour start, for the hours still in the window. */
  readonly hourRows: Record<string, number>;
}

interface Chunk {
  readonly firstRow: number;
  readonly hourStarts: number[];
  /** Cumulative row counts within the chunk, one per hour. */
  readonly hourEnds: number[];
}

/** Generated rows, and the rollup rows the views make of them, are staged in `<table>_generated` tables that no view reads. */
export const STAGING_SUFFIX = '_generated';

const INSERT_SQL = (db: string): string => `
INSERT INTO ${db}.requests${STAGING_SUFFIX} (
  timestamp, c_ip, time_to_first_byte, sc_status, sc_bytes, cs_method, cs_protocol, cs_host, cs_uri_stem, cs_bytes,
  x_edge_location, x_edge_request_id, x_host_header, time_taken, cs_protocol_version, c_ip_version, cs_user_agent,
  cs_referer, cs_uri_query, x_edge_response_result_type, ssl_protocol, ssl_cipher, x_edge_result_type, sc_content_type,
  sc_content_len, c_port, x_edge_detailed_result_type, c_country, cache_behavior_path_pattern, origin_fbl, origin_lbl, asn,
  distribution_id, sampling_rate, source, uri_path, uri_query, country, country_name, continent, country_source,
  pop_code, pop_city, pop_country, pop_lat, pop_lon, cache_class, geo_blocked, status_class, http_version, is_websocket,
  content_class, streaming_format, device_type, browser, os, is_bot, shard_id, sequence_number)
SELECT
  fromUnixTimestamp64Milli(toInt64({hour_starts:Array(Int64)}[hi] + cityHash64(n, 1) % 3600000), 'UTC'),
  if(ipv6,
     lower(concat('2a02:', hex(toUInt16(cityHash64(viewer, 3) % 65536)), ':', hex(toUInt16(cityHash64(viewer, 4) % 65536)),
                  '::', hex(toUInt16(cityHash64(viewer, 5) % 65536)))),
     IPv4NumToString(toUInt32(cityHash64(viewer, 2) % 4294967296))),
  ttfb,
  status,
  sent_bytes,
  {methods:Array(String)}[{content_method_tables:Array(UInt8)}[(cc - 1) * 1000 + 1 + cityHash64(n, 19) % 1000]],
  protocol,
  if(cityHash64(n, 20) % 100 < 6, {dist_domains:Array(String)}[di], {dist_hosts:Array(String)}[di]),
  uri_path,
  toUInt64(250 + cityHash64(n, 21) % 900),
  {pop_locations:Array(String)}[1 + {pop_location_offsets:Array(UInt32)}[pi] + cityHash64(n, 22) % {pop_location_counts:Array(UInt32)}[pi]],
  replaceAll(replaceAll(base64Encode(concat(reinterpretAsString(cityHash64(n, 30)), reinterpretAsString(cityHash64(n, 31)),
    reinterpretAsString(cityHash64(n, 32)), reinterpretAsString(cityHash64(n, 33)), reinterpretAsString(cityHash64(n, 34)))), '+', '-'), '/', '_'),
  {dist_domains:Array(String)}[di],
  time_taken,
  {http_versions:Array(String)}[hv],
  if(ipv6, 'IPv6', 'IPv4'),
  {client_agents:Array(String)}[cli],
  if(content = 'html' OR cityHash64(n, 23) % 100 >= 50, NULL, concat('https://', {dist_hosts:Array(String)}[di], '/')),
  uri_query,
  {cache_response_types:Array(String)}[kc],
  if(protocol = 'http', NULL, if(cityHash64(n, 24) % 100 < 84, 'TLSv1.3', 'TLSv1.2')),
  if(protocol = 'http', NULL, if(cityHash64(n, 24) % 100 < 84, 'TLS_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256')),
  {cache_result_types:Array(String)}[kc],
  nullIf({content_types:Array(String)}[cc], ''),
  if(sent_bytes > 400, sent_bytes - 400, 0),
  toUInt16(1024 + cityHash64(n, 25) % 64000),
  detailed,
  {country_codes:Array(String)}[ci],
  {dist_behaviors:Array(String)}[(di - 1) * {content_class_count:UInt8} + cc],
  origin_fbl,
  if(origin_fbl IS NULL, NULL, round(origin_fbl + sent_bytes / 2.0e7, 3)),
  {country_asns:Array(UInt32)}[ci],
  {dist_ids:Array(String)}[di],
  {dist_rates:Array(UInt8)}[di],
  'kinesis',
  uri_path,
  uri_query,
  {country_codes:Array(String)}[ci],
  {country_names:Array(String)}[ci],
  {country_continents:Array(String)}[ci],
  'log',
  {pop_codes:Array(String)}[pi],
  {pop_cities:Array(String)}[pi],
  {pop_countries:Array(String)}[pi],
  {pop_lats:Array(Float32)}[pi],
  {pop_lons:Array(Float32)}[pi],
  {cache_classes:Array(String)}[kc],
  toUInt8(blocked),
  if(status = 0, '000', concat(toString(intDiv(status, 100)), 'xx')),
  {http_version_names:Array(String)}[hv],
  toUInt8(content = 'websocket'),
  content,
  if(content IN ('video_segment', 'video_manifest'), ['hls', 'hls', 'hls', 'dash', 'dash', 'smooth'][1 + object_id % 6], ''),
  {client_devices:Array(String)}[cli],
  {client_browsers:Array(String)}[cli],
  {client_oses:Array(String)}[cli],
  {client_bots:Array(UInt8)}[cli],
  {shards:Array(String)}[1 + n % 4],
  concat('4963', leftPad(toString(n), 52, '0'))
FROM
(
    SELECT
      number AS n,
      arrayFirstIndex(c -> c > n - {first_row:UInt64}, {hour_ends:Array(UInt64)}) AS hi,
      {dist_table:Array(UInt8)}[1 + cityHash64(n, 2) % 1000] AS di,
      {country_table:Array(UInt16)}[1 + cityHash64(n, 3) % 10000] AS ci,
      {country_blocked:Array(UInt8)}[ci] = 1 AND cityHash64(n, 4) % 100 < {geo_blocked_percent:UInt8} AS blocked,
      -- A few requests reach a POP outside their region (routing, DNS resolvers far from the viewer).
      if(cityHash64(n, 5) % 100 < 4,
         toUInt16(1 + cityHash64(n, 6) % length({pop_codes:Array(String)})),
         {country_pops:Array(UInt16)}[1 + {country_pop_offsets:Array(UInt32)}[ci] + cityHash64(n, 6) % {country_pop_counts:Array(UInt32)}[ci]]) AS pi,
      {dist_content_tables:Array(UInt8)}[(di - 1) * 1000 + 1 + cityHash64(n, 7) % 1000] AS cc,
      {content_classes:Array(String)}[cc] AS content,
      if(blocked, {error_class:UInt8}, {content_cache_tables:Array(UInt8)}[(cc - 1) * 1000 + 1 + cityHash64(n, 8) % 1000]) AS kc,
      {cache_outcome_tables:Array(UInt8)}[(kc - 1) * 100 + 1 + cityHash64(n, 9) % 100] AS outcome,
      if(blocked, toUInt16(403), if(content = 'websocket' AND kc != {error_class:UInt8}, toUInt16(101), {outcome_statuses:Array(UInt16)}[outcome])) AS status,
      if(blocked, 'ClientGeoBlocked', {outcome_detailed:Array(String)}[outcome]) AS detailed,
      {dist_client_tables:Array(UInt8)}[(di - 1) * 1000 + 1 + cityHash64(n, 10) % 1000] AS cli,
      {http_version_table:Array(UInt8)}[1 + cityHash64(n, 11) % 1000] AS hv,
      cityHash64(n, 12) % 5000000 AS viewer,
      cityHash64(viewer, 1) % 100 < 22 AS ipv6,
      -- Log-uniform ids: a few objects get most requests, as on a real site.
      toUInt32(floor(exp(((cityHash64(n, 13) % 1000000) / 1000000.0) * log({content_objects:Array(UInt32)}[cc])))) AS object_id,
      sqrt(-2 * log((cityHash64(n, 14) % 1000000 + 0.5) / 1000000.0)) * cos(2 * pi() * (cityHash64(n, 15) % 1000000) / 1000000.0) AS z_size,
      sqrt(-2 * log((cityHash64(n, 16) % 1000000 + 0.5) / 1000000.0)) * cos(2 * pi() * (cityHash64(n, 17) % 1000000) / 1000000.0) AS z_time,
      if(content = 'websocket', 'wss', if(cityHash64(n, 18) % 100 < 3, 'http', 'https')) AS protocol,
      multiIf(status = 0, toUInt64(0),
              status = 304 OR status BETWEEN 300 AND 399, toUInt64(180 + cityHash64(n, 26) % 300),
              status >= 400 OR kc = {error_class:UInt8}, toUInt64(300 + cityHash64(n, 26) % 900),
              toUInt64(exp({content_log_median:Array(Float64)}[cc] + {content_sigma:Array(Float64)}[cc] * z_size))) AS sent_bytes,
      -- Requests that went to the origin: misses and origin errors (seconds, as CloudFront logs them).
      if(kc = {miss_class:UInt8} OR (kc = {error_class:UInt8} AND startsWith(detailed, 'Origin')),
         round(0.015 + exp(log(0.06) + 0.8 * z_time), 3), NULL) AS origin_fbl,
      greatest(0.001, round(if(origin_fbl IS NULL, exp(log(0.004) + 0.6 * z_time), origin_fbl + 0.002), 3)) AS ttfb,
      if(content = 'websocket', round(30 + (cityHash64(n, 27) % 3600000) / 1000.0, 3),
         round(ttfb + sent_bytes / exp(log(4.0e6) - 0.5 * z_time), 3)) AS time_taken,
      concat({dist_paths:Array(String)}[(di - 1) * {content_class_count:UInt8} + cc], toString(object_id), {content_suffixes:Array(String)}[cc]) AS uri_path,
      if(content = 'api' AND cityHash64(n, 28) % 100 < 30, concat('page=', toString(cityHash64(n, 29) % 20)), NULL) AS uri_query
    FROM numbers({first_row:UInt64}, {row_count:UInt64})
)`;

export interface ViewStep {
  readonly view: string;
  readonly source: string;
  readonly target: string;
  /** The view's SELECT as the engine stores it. */
  readonly select: string;
}

/**
 * Every materialized view fed, directly or through other views, by `requests`, in the order ingest
 * runs them (a view after the view that fills its source).
 */
export async function viewsFromRequests(ch: ClickHouse, database: string): Promise<ViewStep[]> {
  const tables = await ch.query<{ name: string; engine: string; views: string[]; as_select: string; create_table_query: string }>(
    'SELECT name, engine, dependencies_table AS views, as_select, create_table_query FROM system.tables WHERE database = {db:String}',
    { db: database },
  );
  const byName = new Map(tables.map((t) => [t.name, t]));
  const steps: ViewStep[] = [];
  const queue = ['requests'];
  for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
    for (const view of [...(byName.get(source)?.views ?? [])].sort()) {
      const row = byName.get(view);
      const target = new RegExp(`^CREATE MATERIALIZED VIEW \\S+ TO ${database}\\.(\\w+) `).exec(row?.create_table_query ?? '')?.[1];
      if (row?.engine !== 'MaterializedView' || target === undefined) throw new Error(`${database}.${view} (fed by ${source}) is not a materialized view into a table`);
      steps.push({ view, source, target: assertIdentifier(target, 'view target'), select: row.as_select });
      queue.push(target);
    }
  }
  return steps;
}

/** The view's SELECT reading the staged rows of its source instead of the table. */
function selectFromStaged(step: ViewStep, database: string): string {
  const from = new RegExp(`FROM ${database}\\.${step.source} AS `, 'g');
  // Each view names its source once (infra/clickhouse); anything else is not a view this knows how to rerun.
  if ((step.select.match(from) ?? []).length !== 1) throw new Error(`view ${step.view} does not read ${database}.${step.source} exactly once`);
  return step.select.replace(from, `FROM ${database}.${step.source}${STAGING_SUFFIX} AS `);
}

/** Creates an empty staging table for `requests` and every table the views fill (left-overs of an interrupted run go). */
export async function createStagingTables(ch: ClickHouse, database: string, steps: readonly ViewStep[]): Promise<void> {
  for (const table of ['requests', ...new Set(steps.map((s) => s.target))]) {
    await ch.command(`DROP TABLE IF EXISTS ${database}.${table}${STAGING_SUFFIX}`);
    await ch.command(`CREATE TABLE ${database}.${table}${STAGING_SUFFIX} AS ${database}.${table}`);
  }
}

export async function dropStagingTables(ch: ClickHouse, database: string, steps: readonly ViewStep[]): Promise<void> {
  for (const table of ['requests', ...new Set(steps.map((s) => s.target))]) await ch.command(`DROP TABLE IF EXISTS ${database}.${table}${STAGING_SUFFIX}`);
}

/**
 * Runs every view, in order, over the staged rows of its source into the staged rows of its target,
 * then moves every staged partition into its table (a partition move fires no view). One
 * aggregation per view over the whole chunk, instead of one per insert block and cascade.
 */
export async function publishStagedRows(ch: ClickHouse, database: string, steps: readonly ViewStep[]): Promise<void> {
  for (const step of steps) {
    await ch.command(`INSERT INTO ${database}.${step.target}${STAGING_SUFFIX} ${selectFromStaged(step, database)}`, {}, { maxExecutionTimeS: 3600 });
  }
  const tables = ['requests', ...new Set(steps.map((s) => s.target))];
  // A move leaves an empty active part behind in the source partition: parts without rows are not
  // moved again, or every later chunk would move every earlier day once more (as empty parts).
  const staged = await ch.query<{ table: string; ids: string[] }>(
    `SELECT table, arraySort(groupUniqArray(partition_id)) AS ids FROM system.parts
     WHERE database = {db:String} AND table IN {tables:Array(String)} AND active AND rows > 0 GROUP BY table ORDER BY table`,
    { db: database, tables: tables.map((t) => `${t}${STAGING_SUFFIX}`) },
  );
  for (const { table, ids } of staged) {
    for (const id of ids) if (!/^\w+$/.test(id)) throw new Error(`unexpected partition id ${id} in ${database}.${table}`);
    const target = table.slice(0, -STAGING_SUFFIX.length);
    const moves = ids.map((id) => `MOVE PARTITION ID '${id}' TO TABLE ${database}.${target}`);
    await ch.command(`ALTER TABLE ${database}.${table} ${moves.join(', ')}`, {}, { maxExecutionTimeS: 3600 });
  }
}

function readMeta(dataDir: string): StoreMeta | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, META_FILE), 'utf8')) as StoreMeta;
  } catch {
    return null;
  }
}

function writeMeta(dataDir: string, meta: StoreMeta): void {
  const file = path.join(dataDir, META_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 1));
  fs.renameSync(`${file}.tmp`, file);
}

/** Rows of each hour in [fromMs, untilMs), in proportion to the diurnal and weekly curve, `rows` per window of `hours`. */
function hourPlan(fromMs: number, untilMs: number, rows: number, windowEndMs: number, hours: number): Array<[number, number]> {
  // The weights are normalised over the window before its end, so a full window holds `rows`.
  const windowHours = Array.from({ length: hours }, (_, i) => windowEndMs - (hours - i) * HOUR_MS);
  const total = windowHours.reduce((s, h) => s + hourWeight(h), 0);
  const plan: Array<[number, number]> = [];
  let carry = 0;
  for (let h = fromMs; h < untilMs; h += HOUR_MS) {
    const exact = (rows * hourWeight(h)) / total + carry;
    const count = Math.round(exact);
    carry = exact - count;
    plan.push([h, count]);
  }
  return plan;
}

/** Inserts of whole hours, at most `maxRows` rows each (an hour with more is one insert), never crossing a UTC day (a partition). */
function chunksOf(plan: ReadonlyArray<[number, number]>, firstRow: number, maxRows: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk | null = null;
  let row = firstRow;
  for (const [hourMs, count] of plan) {
    const used = current?.hourEnds.at(-1) ?? 0;
    const sameDay = current !== null && Math.floor(current.hourStarts[0]! / DAY_MS) === Math.floor(hourMs / DAY_MS);
    if (current === null || !sameDay || used + count > maxRows) {
      if (current !== null) chunks.push(current);
      current = { firstRow: row, hourStarts: [], hourEnds: [] };
    }
    current.hourStarts.push(hourMs);
    current.hourEnds.push((current.hourEnds.at(-1) ?? 0) + count);
    row += count;
  }
  if (current !== null) chunks.push(current);
  return chunks;
}

/** Tables and views of a database, as created, with the database name left out. */
async function schemaOf(ch: ClickHouse, database: string): Promise<string> {
  const rows = await ch.query<{ name: string; query: string }>(
    `SELECT name, replaceAll(create_table_query, concat({db:String}, '.'), '') AS query
     FROM system.tables WHERE database = {db:String} AND NOT endsWith(name, {staging:String}) ORDER BY name`,
    { db: database, staging: STAGING_SUFFIX },
  );
  return crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

/**
 * True when the store's schema is what the migrations create today: they are applied to an empty
 * scratch database on the same engine and the two are compared. A migration edited after the store
 * was generated would otherwise leave rollups that no longer match the code that reads them.
 */
async function schemaIsCurrent(ch: ClickHouse): Promise<boolean> {
  const scratch = `${ch.database}_schema_check`;
  await ch.command(`DROP DATABASE IF EXISTS ${scratch}`);
  try {
    await runMigrations({ ...ch, database: scratch }, BENCH_RETENTION);
    return (await schemaOf(ch, ch.database)) === (await schemaOf(ch, scratch));
  } finally {
    await ch.command(`DROP DATABASE IF EXISTS ${scratch}`);
  }
}

/** Removes the store's database and its record, leaving the rest of the data dir. */
function wipe(dataDir: string): void {
  fs.rmSync(path.join(dataDir, 'clickhouse'), { recursive: true, force: true });
  fs.rmSync(path.join(dataDir, META_FILE), { force: true });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function generatedRows(ch: ClickHouse, database: string, fromMs: number, untilMs: number): Promise<number> {
  const [row] = await ch.query<{ n: string }>(
    `SELECT count() AS n FROM ${database}.requests
     WHERE shard_id IN {shards:Array(String)} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({until:Int64})`,
    { shards: GENERATED_SHARDS, from: fromMs, until: untilMs },
    { maxExecutionTimeS: 600 },
  );
  return Number(row?.n ?? 0);
}

/** Makes sure `dataDir` holds `rows` generated rows in the `days` (default 30) days up to the current hour. */
export async function ensureRequestStore(opts: RequestStoreOptions): Promise<RequestStoreReport> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const database = opts.database ?? BENCH_DATABASE;
  const maxRows = opts.maxRowsPerInsert ?? 4_000_000;
  const untilMs = Math.floor((opts.nowMs ?? Date.now()) / HOUR_MS) * HOUR_MS;
  const days = opts.days ?? WINDOW_DAYS;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number of at least 1, got ${days}`);
  const windowHours = days * 24;
  const windowFromMs = untilMs - windowHours * HOUR_MS;
  fs.mkdirSync(opts.dataDir, { recursive: true });

  let meta = readMeta(opts.dataDir);
  const metaDays = meta?.days ?? WINDOW_DAYS;
  if (meta !== null && (meta.version !== GENERATOR_VERSION || meta.rows !== opts.rows || metaDays !== days || meta.database !== database || meta.untilMs < windowFromMs)) {
    log(`bench store: ${opts.dataDir} holds other data (${meta.rows} rows per ${metaDays} days, generator ${meta.version}, until ${new Date(meta.untilMs).toISOString()}); starting over`);
    meta = null;
  }
  if (meta === null) wipe(opts.dataDir);

  let ch = createClickHouse({ mode: 'embedded', dataDir: opts.dataDir, database, maxExecutionTimeS: 3600 });
  await runMigrations(ch, BENCH_RETENTION);
  if (meta !== null) {
    const from = meta.fromMs;
    const expected = Object.entries(meta.hourRows).reduce((s, [h, c]) => (Number(h) >= from ? s + c : s), 0);
    const stored = await generatedRows(ch, database, meta.fromMs, meta.untilMs);
    const problem =
      stored !== expected
        ? `${stored} generated rows stored where ${expected} were recorded (an insert cut short?)`
        : !(await schemaIsCurrent(ch))
          ? 'its schema differs from what the migrations create now'
          : null;
    if (problem !== null) {
      log(`bench store: ${problem}; starting over`);
      await ch.close();
      wipe(opts.dataDir);
      meta = null;
      ch = createClickHouse({ mode: 'embedded', dataDir: opts.dataDir, database, maxExecutionTimeS: 3600 });
      await runMigrations(ch, BENCH_RETENTION);
    }
  }
  try {
    const reused = meta !== null;
    const fromMs = meta?.untilMs ?? windowFromMs;
    const plan = hourPlan(fromMs, untilMs, opts.rows, untilMs, windowHours);
    const toAdd = plan.reduce((s, [, c]) => s + c, 0);
    const chunks = chunksOf(plan, meta?.nextRow ?? 0, maxRows);
    const params = requestModelParams();
    const sql = INSERT_SQL(database);
    const views = await viewsFromRequests(ch, database);
    // Left over from an interrupted run: its rows were never counted, so they go.
    await createStagingTables(ch, database, views);
    const started = performance.now();
    if (toAdd > 0) {
      log(
        reused
          ? `bench store: adding ${toAdd} rows for the ${plan.length} hours since the last run`
          : `bench store: generating ${opts.rows} rows over ${days} days into ${opts.dataDir} (${chunks.length} inserts)`,
      );
    }
    let hourRows: Record<string, number> = { ...(meta?.hourRows ?? {}) };
    let added = 0;
    for (const chunk of chunks) {
      const rowCount = chunk.hourEnds.at(-1) ?? 0;
      await ch.command(
        sql,
        { ...params, shards: GENERATED_SHARDS, first_row: chunk.firstRow, row_count: rowCount, hour_starts: chunk.hourStarts, hour_ends: chunk.hourEnds },
        { maxExecutionTimeS: 3600 },
      );
      await publishStagedRows(ch, database, views);
      added += rowCount;
      chunk.hourStarts.forEach((h, k) => {
        hourRows[h] = chunk.hourEnds[k]! - (k === 0 ? 0 : chunk.hourEnds[k - 1]!);
      });
      // Progress is recorded after every insert; an insert cut short is caught by the count check.
      writeMeta(opts.dataDir, {
        version: GENERATOR_VERSION,
        rows: opts.rows,
        days,
        database,
        nextRow: chunk.firstRow + rowCount,
        fromMs: meta?.fromMs ?? windowFromMs,
        untilMs: chunk.hourStarts.at(-1)! + HOUR_MS,
        hourRows,
      });
      const elapsed = (performance.now() - started) / 1000;
      log(`bench store: ${added}/${toAdd} rows (${Math.round(added / elapsed)} rows/s, ${elapsed.toFixed(0)} s)`);
    }
    await dropStagingTables(ch, database, views);
    // Rollup rows of one key are merged in the background; a store that has run for a while has
    // merged them, so the queries measured here should not pay for merges that have not happened yet.
    // Partitions already merged to one part are left alone: a top-up merges only the days it added.
    if (added > 0) {
      const rollups = await ch.query<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = {db:String} AND engine = 'AggregatingMergeTree' ORDER BY name",
        { db: database },
      );
      for (const { name } of rollups) {
        log(`bench store: merging ${name}`);
        await ch.command(`OPTIMIZE TABLE ${database}.${assertIdentifier(name, 'rollup table')} FINAL SETTINGS optimize_skip_merged_partitions = 1`, {}, { maxExecutionTimeS: 3600 });
      }
    }
    const generationS = (performance.now() - started) / 1000;
    // Hours that left the window no longer count.
    hourRows = Object.fromEntries(Object.entries(hourRows).filter(([h]) => Number(h) >= windowFromMs));
    const final = readMeta(opts.dataDir);
    if (final !== null) writeMeta(opts.dataDir, { ...final, fromMs: windowFromMs, hourRows });
    const rowsInWindow = Object.values(hourRows).reduce((s, c) => s + c, 0);
    return { database, rowsInWindow, rowsAdded: added, generationS, rowsPerS: generationS > 0 ? added / generationS : 0, fromMs: windowFromMs, untilMs, reused, diskBytes: dirBytes(path.join(opts.dataDir, 'clickhouse')) };
  } finally {
    await ch.close();
  }
}

export const DEFAULT_BENCH_ROWS = 100_000_000;

/** BENCH_QUERY_ROWS and BENCH_QUERY_DATA_DIR, with their defaults. */
export function benchStoreSettings(env: NodeJS.ProcessEnv = process.env): { rows: number; dataDir: string } {
  const rows = Number(env.BENCH_QUERY_ROWS ?? DEFAULT_BENCH_ROWS);
  if (!Number.isInteger(rows) || rows < WINDOW_HOURS) throw new RangeError(`BENCH_QUERY_ROWS must be a whole number of at least ${WINDOW_HOURS}, got ${env.BENCH_QUERY_ROWS}`);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = path.resolve(env.BENCH_QUERY_DATA_DIR ?? path.join(root, '.cache', 'bench', `requests-${rows}`));
  return { rows, dataDir };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { rows, dataDir } = benchStoreSettings();
  const report = await ensureRequestStore({ rows, dataDir });
  process.stdout.write(`bench_store_rows ${report.rowsInWindow}\n`);
  process.stdout.write(`bench_store_generation_s ${report.generationS.toFixed(0)}\n`);
  process.stdout.write(`bench_store_generation_rows_per_s ${report.rowsPerS.toFixed(0)}\n`);
  process.stdout.write(`bench_store_disk_mb ${(report.diskBytes / 1_048_576).toFixed(0)}\n`);
}
