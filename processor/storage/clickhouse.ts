/**
 * The one handle on ClickHouse: embedded (chdb, in-process) or a server by URL, behind the same
 * `@clickhouse/client` API.
 *
 * Every statement goes through a bounded FIFO queue and carries max_execution_time. Embedded, there
 * are two queues, each with its own chdb connection to the same data directory: one for reads
 * (`query`) and one for writes (inserts and `command`). A chdb connection runs one statement at a
 * time, so with one connection a query arriving during a batch insert waited the whole insert (150–
 * 500 ms with the rollup views); with two, queries and inserts never wait for each other, and
 * neither starves. A server has one queue of `maxConcurrentStatements`. The queues' waits are
 * measured (`queueStats()`). How a payload is inserted in each mode is explained in tsv-insert.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { BoundedQueue, type QueueStats } from './bounded-queue.js';
import { ClickHouseTimeoutError } from './errors.js';
import { insertTarget, requestBodyInserter, spoolFileInserter, type ColumnInfo, type InsertTarget, type TsvInserter } from './tsv-insert.js';

export type ClickHouseConfig = (
  | { readonly mode: 'embedded'; readonly dataDir: string }
  | { readonly mode: 'server'; readonly url: string; readonly username?: string; readonly password?: string }
) & {
  /** Database holding every edgewatch table (a plain identifier). */
  readonly database: string;
  /** Sent with every statement as max_execution_time. */
  readonly maxExecutionTimeS: number;
  /** Statements run at once on a server (default 4). Embedded: one read and one write at a time. */
  readonly maxConcurrentStatements?: number;
  /** Statements allowed to wait; beyond that a call fails with QueueFullError. Default 1000. */
  readonly maxQueuedStatements?: number;
};

export interface StatementOptions {
  /** Overrides the configured max_execution_time for this statement. */
  readonly maxExecutionTimeS?: number;
  readonly signal?: AbortSignal;
}

export type QueryParams = Record<string, unknown>;

export interface ClickHouse {
  /**
   * The underlying client. Statements sent through it directly bypass the queue and the
   * max_execution_time guard; prefer `query`, `command` and `insertTsv`.
   */
  readonly client: ClickHouseClient;
  readonly database: string;
  readonly mode: 'embedded' | 'server';
  /**
   * Inserts a TabSeparated payload. `settings` are per-insert (e.g. insert_deduplication_token);
   * `columns` names the payload's columns in order (all table columns when omitted).
   */
  insertTsv(
    table: string,
    payload: Buffer,
    settings: Readonly<Record<string, string | number>>,
    columns?: readonly string[],
  ): Promise<void>;
  /**
   * Inserts a TabSeparated payload of another shape: `shape.structure` names and types the
   * payload's columns, `shape.select` computes the table's `shape.columns` from them.
   */
  insertTsvSelect(
    table: string,
    payload: Buffer,
    settings: Readonly<Record<string, string | number>>,
    shape: { readonly columns: readonly string[]; readonly structure: string; readonly select: string },
  ): Promise<void>;
  /**
   * Runs a SELECT and returns its rows as JSONEachRow: 64-bit integers (count(), UInt64 sums)
   * arrive as strings, whatever the server version. Bind values with `{name:Type}` placeholders
   * and `params`; put other settings in a `SETTINGS` clause (in embedded mode a `SET` statement
   * would outlive the statement).
   */
  query<T>(sql: string, params?: QueryParams, opts?: StatementOptions): Promise<T[]>;
  /** Runs a statement without a result (DDL, ALTER, INSERT … VALUES with params). */
  command(sql: string, params?: QueryParams, opts?: StatementOptions): Promise<void>;
  /** Every queue's figures, summed. */
  queueStats(): QueueStats;
  /** Each queue's figures by name: `reads` and `writes` embedded, `statements` on a server. */
  queueStatsByName(): Readonly<Record<string, QueueStats>>;
  /** Waits for queued statements, then closes the client (and the embedded engine). */
  close(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Throws unless `name` is a plain identifier, safe to put into SQL text unquoted. */
export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${what} must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got ${JSON.stringify(name)}`);
  return name;
}

function assertTableName(table: string): void {
  const parts = table.split('.');
  if (parts.length > 2) throw new Error(`table must be "table" or "database.table", got ${JSON.stringify(table)}`);
  for (const part of parts) assertIdentifier(part, 'table name');
}

// The client-side deadline trails max_execution_time, so the server normally reports the timeout
// itself (code 159) and this one only catches a server or connection that stopped answering.
const DEADLINE_GRACE_MS = 10_000;

/**
 * Runs `fn` with an AbortSignal that fires at the deadline or with the caller's signal. A deadline
 * abort is reported as ClickHouseTimeoutError, so it can be classified without reading messages.
 */
async function withDeadline<T>(timeoutMs: number, external: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  // A caller that gave up while the statement waited in the queue: do not run it at all.
  external?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  timer.unref();
  const onExternalAbort = (): void => controller.abort(external?.reason);
  external?.addEventListener('abort', onExternalAbort, { once: true });
  try {
    return await fn(controller.signal);
  } catch (err) {
    if (timedOut) throw new ClickHouseTimeoutError(timeoutMs);
    throw err;
  } finally {
    clearTimeout(timer);
    external?.removeEventListener('abort', onExternalAbort);
  }
}

function checkConfig(config: ClickHouseConfig): void {
  assertIdentifier(config.database, 'ClickHouse database');
  if (!(Number.isFinite(config.maxExecutionTimeS) && config.maxExecutionTimeS > 0)) {
    throw new RangeError(`maxExecutionTimeS must be a positive number, got ${config.maxExecutionTimeS}`);
  }
  if (config.mode === 'embedded' && !path.isAbsolute(config.dataDir)) {
    throw new Error(`embedded ClickHouse needs an absolute dataDir, got ${JSON.stringify(config.dataDir)}`);
  }
}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** The queues statements wait in: reads and writes share one on a server, not embedded. */
interface Lanes {
  readonly reads: BoundedQueue;
  readonly writes: BoundedQueue;
  readonly byName: Readonly<Record<string, BoundedQueue>>;
}

function sumStats(all: readonly QueueStats[]): QueueStats {
  return all.reduce(
    (a, b) => ({
      running: a.running + b.running,
      queued: a.queued + b.queued,
      waitMsTotal: a.waitMsTotal + b.waitMsTotal,
      completed: a.completed + b.completed,
      rejected: a.rejected + b.rejected,
    }),
    { running: 0, queued: 0, waitMsTotal: 0, completed: 0, rejected: 0 },
  );
}

export function createClickHouse(config: ClickHouseConfig): ClickHouse {
  checkConfig(config);
  const maxQueued = config.maxQueuedStatements ?? 1000;
  let client: ClickHouseClient;
  let readClient: ClickHouseClient;
  let insert: TsvInserter;
  let lanes: Lanes;
  if (config.mode === 'embedded') {
    const dir = path.join(config.dataDir, 'clickhouse');
    fs.mkdirSync(dir, { recursive: true });
    // chdb implements the Connection of @clickhouse/client-common; @clickhouse/client bundles its
    // own copy of the same interface, so the two declarations differ only by package. Connections
    // to one path share the engine, so the reader sees every committed write at once.
    const connect = (): ClickHouseClient => createClient({ connection: createChdbConnection({ path: dir }) as unknown as ClientConnection });
    client = connect();
    readClient = connect();
    insert = spoolFileInserter(client, path.join(config.dataDir, 'clickhouse-spool'));
    const reads = new BoundedQueue(1, maxQueued);
    const writes = new BoundedQueue(1, maxQueued);
    lanes = { reads, writes, byName: { reads, writes } };
  } else {
    const concurrency = config.maxConcurrentStatements ?? 4;
    client = createClient({
      url: config.url,
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      request_timeout: config.maxExecutionTimeS * 1000 + 2 * DEADLINE_GRACE_MS,
      max_open_connections: concurrency,
      // Every failure reaches the caller as an error, logged there with its context; the client's own
      // console lines would repeat each one (a retried insert many times) outside the structured log.
      log: { level: ClickHouseLogLevel.OFF },
    });
    readClient = client;
    insert = requestBodyInserter(client);
    const statements = new BoundedQueue(concurrency, maxQueued);
    lanes = { reads: statements, writes: statements, byName: { statements } };
  }

  const guard = <T>(lane: BoundedQueue, opts: StatementOptions | undefined, fn: (maxExecutionTimeS: number, signal: AbortSignal) => Promise<T>): Promise<T> => {
    const seconds = opts?.maxExecutionTimeS ?? config.maxExecutionTimeS;
    return lane.run(() => withDeadline(seconds * 1000 + DEADLINE_GRACE_MS, opts?.signal, (signal) => fn(seconds, signal)));
  };

  function query<T>(sql: string, params: QueryParams = {}, opts?: StatementOptions): Promise<T[]> {
    return guard(lanes.reads, opts, async (seconds, signal) => {
      const result = await readClient.query({
        query: sql,
        format: 'JSONEachRow',
        query_params: params,
        // Pinned: the default differs between ClickHouse versions (chdb 3.4 has 0, older servers 1).
        clickhouse_settings: { max_execution_time: seconds, output_format_json_quote_64bit_integers: 1 },
        abort_signal: signal,
      });
      return result.json<T>();
    });
  }

  // Insert targets by table and column list; the table's columns are read once per handle.
  const targets = new Map<string, Promise<InsertTarget>>();
  const loadTarget = async (table: string, columns: readonly string[] | undefined): Promise<InsertTarget> => {
    const [database, name] = table.includes('.') ? table.split('.') : [config.database, table];
    const tableColumns = await query<ColumnInfo>(
      `SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {name:String}
       AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY position`,
      { database, name },
    );
    if (tableColumns.length === 0) throw new Error(`ClickHouse table ${table} does not exist`);
    return insertTarget(`${database}.${name}`, tableColumns, columns);
  };
  const targetFor = (table: string, columns: readonly string[] | undefined): Promise<InsertTarget> => {
    const key = `${table}\0${columns?.join(',') ?? '*'}`;
    let target = targets.get(key);
    if (!target) {
      target = loadTarget(table, columns);
      targets.set(key, target);
      void target.catch(() => targets.delete(key));
    }
    return target;
  };

  return {
    client,
    database: config.database,
    mode: config.mode,
    async insertTsv(table, payload, settings, columns) {
      assertTableName(table);
      if (payload.length === 0) return;
      const target = await targetFor(table, columns);
      await guard(lanes.writes, undefined, (seconds, signal) => insert(target, payload, { ...settings, max_execution_time: seconds }, signal));
    },
    async insertTsvSelect(table, payload, settings, shape) {
      assertTableName(table);
      if (payload.length === 0) return;
      const qualified = table.includes('.') ? table : `${config.database}.${table}`;
      const target: InsertTarget = { table: qualified, columns: shape.columns, structure: shape.structure, select: shape.select };
      await guard(lanes.writes, undefined, (seconds, signal) => insert(target, payload, { ...settings, max_execution_time: seconds }, signal));
    },
    query,
    async command(sql, params = {}, opts) {
      await guard(lanes.writes, opts, (seconds, signal) =>
        client.command({ query: sql, query_params: params, clickhouse_settings: { max_execution_time: seconds }, abort_signal: signal }),
      );
    },
    queueStats: () => sumStats(Object.values(lanes.byName).map((lane) => lane.stats())),
    queueStatsByName: () => Object.fromEntries(Object.entries(lanes.byName).map(([name, lane]) => [name, lane.stats()])),
    async close() {
      await Promise.all(Object.values(lanes.byName).map((lane) => lane.onIdle()));
      if (readClient !== client) await readClient.close();
      await client.close();
    },
  };
}
