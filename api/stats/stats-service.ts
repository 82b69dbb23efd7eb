/**
 * Runs stats statements for the API: at most `maxConcurrent` at a time (more get 503 with
 * Retry-After instead of piling up in ClickHouse's queue ahead of the writer), every one bounded
 * by max_execution_time and a result-row limit, cancelled when the client goes away (a server
 * kills the query; embedded ClickHouse cannot interrupt one, there max_execution_time bounds it).
 * ClickHouse errors become ApiErrors that carry no SQL.
 */
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { clickHouseCodeOf, ClickHouseTimeoutError, QueueFullError } from '../../processor/storage/errors.js';
import { ApiError } from '../errors.js';
import type { BuiltQuery } from '../query/stats-query.js';
import type { StatsRow } from '../query/summary-metrics.js';

export interface StatsServiceOptions {
  readonly clickhouse: ClickHouse;
  /** API statements running or queued at once; default 4. */
  readonly maxConcurrent?: number;
  /** Most rows one statement may return; default 100 000. */
  readonly maxResultRows?: number;
  /** Overrides the store's max_execution_time for API statements. */
  readonly maxExecutionTimeS?: number;
}

// ClickHouse error codes (ErrorCodes.cpp).
const TIMEOUT_EXCEEDED = 159;
const TOO_MANY_ROWS_OR_BYTES = 396;
const QUERY_WAS_CANCELLED = 394;
const TOO_MANY_SIMULTANEOUS_QUERIES = 202;
const MEMORY_LIMIT_EXCEEDED = 241;

export class StatsService {
  readonly #options: StatsServiceOptions;
  #running = 0;

  constructor(options: StatsServiceOptions) {
    this.#options = options;
  }

  get database(): string {
    return this.#options.clickhouse.database;
  }

  async run(query: BuiltQuery, signal?: AbortSignal): Promise<StatsRow[]> {
    const maxConcurrent = this.#options.maxConcurrent ?? 4;
    if (this.#running >= maxConcurrent) {
      throw new ApiError(503, 'overloaded', 'too many queries are running; retry shortly', undefined, 1);
    }
    const maxRows = this.#options.maxResultRows ?? 100_000;
    // A server stops a read-only query when its HTTP client goes away only with this setting.
    const sql = `${query.sql}\nSETTINGS max_result_rows = ${maxRows}, result_overflow_mode = 'throw', cancel_http_readonly_queries_on_client_close = 1`;
    this.#running++;
    try {
      return await this.#options.clickhouse.query<StatsRow>(sql, query.params, {
        signal,
        maxExecutionTimeS: this.#options.maxExecutionTimeS,
      });
    } catch (err) {
      throw toApiError(err, signal);
    } finally {
      this.#running--;
    }
  }
}

function toApiError(err: unknown, signal: AbortSignal | undefined): Error {
  if (err instanceof QueueFullError) return new ApiError(503, 'overloaded', 'the store is busy; retry shortly', undefined, 1);
  if (err instanceof ClickHouseTimeoutError) {
    return new ApiError(503, 'query_timeout', 'the query took too long; narrow the time range or the filters', undefined, 5);
  }
  const code = clickHouseCodeOf(err);
  if (code === TIMEOUT_EXCEEDED) {
    return new ApiError(503, 'query_timeout', 'the query took too long; narrow the time range or the filters', undefined, 5);
  }
  if (code === TOO_MANY_ROWS_OR_BYTES) return new ApiError(422, 'result_too_large', 'the result is too large; narrow the query or lower limit');
  if (code === TOO_MANY_SIMULTANEOUS_QUERIES || code === MEMORY_LIMIT_EXCEEDED) {
    return new ApiError(503, 'overloaded', 'the store is busy; retry shortly', undefined, 2);
  }
  if (code === QUERY_WAS_CANCELLED || signal?.aborted === true) return new ApiError(499, 'internal', 'the client went away');
  // Anything else is a bug or an outage: the handler logs the cause, the client sees no SQL.
  return new Error('stats query failed', { cause: err });
}
