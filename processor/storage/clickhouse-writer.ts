/**
 * Stores batches of enriched records and dead letters in ClickHouse, durably and exactly once.
 *
 * A batch's requests go in with `insert_deduplication_token = token`, its dead letters with
 * `${token}:dl` (another table, so one token never names two different blocks of one table),
 * and the rollup views deduplicate with them. `write` resolves only when both inserts are done.
 *
 * Failures are classified first: retriable ones (network, timeouts, overload) are retried with
 * exponential backoff and jitter until they succeed or the writer stops; data errors are never
 * retried and surface as DataError so the caller can dead-letter the batch; other errors get a
 * few attempts, then surface as StorageWriteError.
 */
import type { ClickHouse } from './clickhouse.js';
import { LOCAL_SUFFIX } from './cluster-ddl.js';
import { classifyError, clickHouseCodeOf, DataError, StorageWriteError, WriterStoppedError } from './errors.js';
import { BoundedQueue } from './bounded-queue.js';
import { FULL_LAYOUT, type Layout } from '../fields/layout.js';
import { encodeRawRequestRows, rawInsertShape } from './raw-request-rows.js';
import { DEAD_LETTER_COLUMNS, encodeDeadLetterRows, type RequestRow, type StoredDeadLetter } from './row-encoder.js';

export interface WriteBatch {
  /** Deduplication token from the batch's source range: see batchToken(). */
  readonly token: string;
  readonly rows: readonly RequestRow[];
  readonly deadLetters: readonly StoredDeadLetter[];
  /** Layout of the rows' raw lines (all rows of a batch share one); default: every field. */
  readonly layout?: Layout;
}

/** Structured logger, as pino's. */
export interface WriterLogger {
  warn(fields: object, message: string): void;
}

export interface ClickHouseWriterOptions {
  /** Batches being inserted at once; callers beyond that wait. Default 1 embedded, 2 server. */
  readonly maxInFlight?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. Default 100. */
  readonly initialBackoffMs?: number;
  /** Default 10 000. */
  readonly maxBackoffMs?: number;
  /** Attempts for errors that are neither retriable nor data errors. Default 3. */
  readonly maxUnknownAttempts?: number;
  readonly logger?: WriterLogger;
  /**
   * On a ClickHouse cluster: insert through the Distributed tables (synchronously, so the
   * deduplication token reaches the shards) or straight into the local tables of the server this
   * client talks to. Absent on a single node.
   */
  readonly clusterInsert?: 'distributed' | 'local';
}

export interface WriterStats {
  readonly batchesWritten: number;
  /** Rows of successful inserts; a replay that ClickHouse deduplicated counts again. */
  readonly rowsWritten: number;
  readonly deadLettersWritten: number;
  /** Failed insert attempts, whatever happened next. */
  readonly insertErrors: number;
  readonly retries: number;
  readonly dataErrors: number;
  /** Epoch ms of the last successful insert; null before the first. */
  readonly lastInsertAtMs: number | null;
  /** Epoch ms of the last failed insert attempt; null before the first. */
  readonly lastErrorAtMs: number | null;
  readonly inFlight: number;
  readonly waiting: number;
  /** Total time callers waited for an in-flight slot. */
  readonly waitMsTotal: number;
}

export class ClickHouseWriter {
  private readonly slots: BoundedQueue;
  private readonly requestsTable: string;
  private readonly deadLettersTable: string;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnknownAttempts: number;
  private readonly wakeSleepers = new Set<() => void>();
  private stopped = false;
  private batchesWritten = 0;
  private rowsWritten = 0;
  private deadLettersWritten = 0;
  private insertErrors = 0;
  private retries = 0;
  private dataErrors = 0;
  private lastInsertAtMs: number | null = null;
  private lastErrorAtMs: number | null = null;

  constructor(
    private readonly ch: ClickHouse,
    private readonly options: ClickHouseWriterOptions = {},
  ) {
    this.slots = new BoundedQueue(options.maxInFlight ?? (ch.mode === 'embedded' ? 1 : 2));
    const suffix = options.clusterInsert === 'local' ? LOCAL_SUFFIX : '';
    this.requestsTable = `${ch.database}.requests${suffix}`;
    this.deadLettersTable = `${ch.database}.dead_letters${suffix}`;
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxUnknownAttempts = options.maxUnknownAttempts ?? 3;
  }

  /**
   * Resolves once the batch is durably stored. Rejects with DataError (dead-letter the rows; its
   * `table` says whether requests or dead letters were refused — requests go first, so a refused
   * dead-letter insert means the requests are stored), StorageWriteError (needs an operator) or
   * WriterStoppedError (not stored; replay it). A fallback write for the range (its rows as dead
   * letters) needs a token that a replay derives again, e.g. the same one.
   */
  async write(batch: WriteBatch): Promise<void> {
    if (this.stopped) throw new WriterStoppedError(batch.token);
    if (batch.rows.length === 0 && batch.deadLetters.length === 0) return;
    // Encode before taking an insert slot, so encoding the next batch overlaps the insert under way.
    const layout = batch.layout ?? FULL_LAYOUT;
    const requests = batch.rows.length > 0 ? encodeRawRequestRows(batch.rows, layout) : null;
    const deadLetters = batch.deadLetters.length > 0 ? encodeDeadLetterRows(batch.deadLetters) : null;
    await this.slots.run(async () => {
      if (this.stopped) throw new WriterStoppedError(batch.token);
      if (requests !== null) {
        const shape = rawInsertShape(layout);
        await this.insert(this.requestsTable, batch.token, (settings) => this.ch.insertTsvSelect(this.requestsTable, requests, settings, shape));
        this.rowsWritten += batch.rows.length;
      }
      if (deadLetters !== null) {
        const token = `${batch.token}:dl`;
        await this.insert(this.deadLettersTable, token, (settings) => this.ch.insertTsv(this.deadLettersTable, deadLetters, settings, DEAD_LETTER_COLUMNS));
        this.deadLettersWritten += batch.deadLetters.length;
      }
      this.batchesWritten++;
    });
  }

  /** Stops retrying and taking batches; resolves when the inserts under way have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.wakeSleepers]) wake();
    await this.slots.onIdle();
  }

  stats(): WriterStats {
    const slots = this.slots.stats();
    return {
      batchesWritten: this.batchesWritten,
      rowsWritten: this.rowsWritten,
      deadLettersWritten: this.deadLettersWritten,
      insertErrors: this.insertErrors,
      retries: this.retries,
      dataErrors: this.dataErrors,
      lastInsertAtMs: this.lastInsertAtMs,
      lastErrorAtMs: this.lastErrorAtMs,
      inFlight: slots.running,
      waiting: slots.queued,
      waitMsTotal: slots.waitMsTotal,
    };
  }

  private async insert(table: string, token: string, run: (settings: Readonly<Record<string, string | number>>) => Promise<void>): Promise<void> {
    const settings = {
      insert_deduplication_token: token,
      insert_deduplicate: 1,
      // Replays must also be dropped by the rollup views, not only by the raw table.
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // Async inserts ignore the token unless async_insert_deduplicate is on; keep inserts synchronous.
      async_insert: 0,
      // A Distributed insert returns once every shard has the rows, deduplicated by the token there.
      ...(this.options.clusterInsert === 'distributed' ? { distributed_foreground_insert: 1 } : {}),
      // Embedded, the engine shares this process's cores with parsing: one thread per insert leaves
      // a core to parse the next batch meanwhile.
      ...(this.ch.mode === 'embedded' ? { max_threads: 1, max_insert_threads: 1 } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await run(settings);
        this.lastInsertAtMs = Date.now();
        return;
      } catch (err) {
        this.insertErrors++;
        this.lastErrorAtMs = Date.now();
        const kind = classifyError(err);
        if (kind === 'data') {
          this.dataErrors++;
          throw new DataError(token, table, err);
        }
        if (kind === 'unknown' && attempt >= this.maxUnknownAttempts) throw new StorageWriteError(token, table, attempt, err);
        if (this.stopped) throw new WriterStoppedError(token);
        const delayMs = this.backoffMs(attempt);
        this.options.logger?.warn(
          { component: 'clickhouse-writer', table, token, attempt, delayMs, errorClass: kind, code: clickHouseCodeOf(err), err },
          'ClickHouse insert failed; retrying',
        );
        this.retries++;
        await this.sleep(delayMs);
        if (this.stopped) throw new WriterStoppedError(token);
      }
    }
  }

  /** Exponential, capped, with "equal jitter": half fixed, half random, so writers spread out. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeSleepers.delete(wake);
        resolve();
      };
      // Not unref'd: a pending retry is work in progress that must keep the process alive; stop() clears it.
      const timer = setTimeout(wake, ms);
      this.wakeSleepers.add(wake);
    });
  }
}
