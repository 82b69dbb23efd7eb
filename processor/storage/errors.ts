/**
 * Storage errors and their classification, by ClickHouse error code or network error code,
 * never by message text.
 *
 * - retriable: the same insert can succeed later (network, timeouts, overload, too many parts);
 * - data: the payload itself is wrong (a value ClickHouse cannot parse), so a retry fails again;
 * - unknown: anything else (schema or access problems, errors without a code).
 */

export type ErrorClass = 'retriable' | 'data' | 'unknown';

// ClickHouse error codes (src/Common/ErrorCodes.cpp), checked with errorCodeToName().
const RETRIABLE_CODES: ReadonlySet<number> = new Set([
  159, // TIMEOUT_EXCEEDED
  160, // TOO_SLOW
  173, // CANNOT_ALLOCATE_MEMORY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  225, // NO_ZOOKEEPER
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  243, // NOT_ENOUGH_SPACE
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  439, // CANNOT_SCHEDULE_TASK
  473, // DEADLOCK_AVOIDED
  733, // TABLE_IS_BEING_RESTARTED
  735, // QUERY_WAS_CANCELLED_BY_CLIENT
  999, // KEEPER_EXCEPTION
  1000, // POCO_EXCEPTION (socket errors inside the server)
]);

const DATA_CODES: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  153, // ILLEGAL_DIVISION (raised by a view computing on the rows)
  190, // SIZES_OF_ARRAYS_DONT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  407, // DECIMAL_OVERFLOW
  691, // UNKNOWN_ELEMENT_OF_ENUM
]);

const RETRIABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // Our own: the client-side deadline fired, or the query queue was full.
  'CLICKHOUSE_TIMEOUT',
  'QUEUE_FULL',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The ClickHouse error code of an error, if it carries one: `ClickHouseError.code` ('241') from
 * `@clickhouse/client`, or `clickhouseCode` (241) from chdb's raw insert. Looks one `cause` deep.
 */
export function clickHouseCodeOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 2; e = e.cause, depth++) {
    if (typeof e.clickhouseCode === 'number') return e.clickhouseCode;
    if (typeof e.code === 'string' && /^\d+$/.test(e.code)) return Number(e.code);
  }
  return undefined;
}

function networkCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 2; e = e.cause, depth++) {
    if (typeof e.code === 'string' && RETRIABLE_NETWORK_CODES.has(e.code)) return e.code;
  }
  return undefined;
}

export function classifyError(err: unknown): ErrorClass {
  const code = clickHouseCodeOf(err);
  if (code !== undefined) {
    if (RETRIABLE_CODES.has(code)) return 'retriable';
    if (DATA_CODES.has(code)) return 'data';
    return 'unknown';
  }
  return networkCodeOf(err) !== undefined ? 'retriable' : 'unknown';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The rows of an insert cannot be stored as they are; never retried. The caller dead-letters them. */
export class DataError extends Error {
  readonly clickhouseCode: number | undefined;
  constructor(
    readonly token: string,
    readonly table: string,
    cause: unknown,
  ) {
    const code = clickHouseCodeOf(cause);
    super(`ClickHouse rejected the rows of batch ${token} for ${table} (code ${code ?? 'none'}): ${messageOf(cause)}`, {
      cause,
    });
    this.name = 'DataError';
    this.clickhouseCode = code;
  }
}

/** An insert failed for a reason that is neither transient nor the data's fault (schema, access…). */
export class StorageWriteError extends Error {
  readonly clickhouseCode: number | undefined;
  constructor(
    readonly token: string,
    readonly table: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    const code = clickHouseCodeOf(cause);
    super(`insert of batch ${token} into ${table} failed after ${attempts} attempt(s) (code ${code ?? 'none'}): ${messageOf(cause)}`, {
      cause,
    });
    this.name = 'StorageWriteError';
    this.clickhouseCode = code;
  }
}

/** The writer was stopped while the batch was waiting or retrying; the batch is not durable. */
export class WriterStoppedError extends Error {
  constructor(readonly token: string) {
    super(`ClickHouse writer stopped before batch ${token} was stored`);
    this.name = 'WriterStoppedError';
  }
}

/** The client-side deadline of a statement passed (the server's max_execution_time did not fire). */
export class ClickHouseTimeoutError extends Error {
  readonly code = 'CLICKHOUSE_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`ClickHouse statement did not finish within ${timeoutMs} ms`);
    this.name = 'ClickHouseTimeoutError';
  }
}

/** Too many statements are waiting for ClickHouse; try again later. */
export class QueueFullError extends Error {
  readonly code = 'QUEUE_FULL';
  constructor(readonly maxQueued: number) {
    super(`ClickHouse queue is full (${maxQueued} statements waiting)`);
    this.name = 'QueueFullError';
  }
}
