/**
 * Row types and column lists of `requests` and `dead_letters`, and the dead-letter encoder (request
 * rows are encoded around their raw line: raw-request-rows.ts). The column lists must match
 * infra/clickhouse/003_requests.sql and 004_dead_letters.sql (checked by
 * test/storage/schema-columns.test.ts); inserts name the columns, so columns added to a table
 * later (with defaults) do not break older writers.
 */
import { FIELDS } from '../fields/catalogue.js';
import type { DeadLetter, Derived, EnrichedRecord } from '../types.js';
import { escapeTsv, tsvCell, tsvEpochMs } from './tsv.js';

export interface RowMeta {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** One record to store, with the source position it came from. */
export interface RequestRow extends RowMeta {
  readonly enriched: EnrichedRecord;
  /**
   * The line's bytes as received (no newline), when its source record held exactly this line:
   * the encoder copies them instead of encoding the line's text again.
   */
  readonly rawBytes?: Uint8Array;
}

/** A dead letter with where and when it was received. */
export interface StoredDeadLetter extends DeadLetter {
  /** Which kind of source read it, e.g. 'kinesis', 'kafka', 'file'. */
  readonly source: string;
  readonly stream: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly receivedAtMs: number;
}

/** Columns of `Derived`, in table order. */
export const DERIVED_COLUMNS = [
  'distribution_id',
  'sampling_rate',
  'source',
  'uri_path',
  'uri_query',
  'country',
  'country_name',
  'continent',
  'country_source',
  'pop_code',
  'pop_city',
  'pop_country',
  'pop_lat',
  'pop_lon',
  'cache_class',
  'geo_blocked',
  'status_class',
  'http_version',
  'is_websocket',
  'content_class',
  'streaming_format',
  'device_type',
  'browser',
  'os',
  'is_bot',
] as const satisfies readonly (keyof Derived)[];

// Compile-time check that DERIVED_COLUMNS names every key of Derived: fails to typecheck otherwise.
type Assert<T extends true> = T;
type _EveryDerivedColumn = Assert<[Exclude<keyof Derived, (typeof DERIVED_COLUMNS)[number]>] extends [never] ? true : false>;

export const META_COLUMNS = ['shard_id', 'sequence_number'] as const;

/** Columns of `requests` in the order `encodeRequestRow` writes them. */
export const REQUEST_COLUMNS: readonly string[] = Object.freeze([
  ...FIELDS.map((f) => f.column),
  ...DERIVED_COLUMNS,
  ...META_COLUMNS,
]);

export const DEAD_LETTER_COLUMNS: readonly string[] = Object.freeze([
  'received_at',
  'source',
  'stream',
  'shard_id',
  'sequence_number',
  'line',
  'field',
  'reason',
  'input',
]);

const text = (value: string | null | undefined): string => (value ? escapeTsv(value) : '');

// DateTime64(3) holds 1900–2299; a dead letter must never fail to parse, or it would be lost.
const MAX_RECEIVED_AT_MS = Date.UTC(2299, 0, 1);

/** Appends one `dead_letters` row (newline-terminated) to `out`. */
export function encodeDeadLetterRow(dl: StoredDeadLetter, out: string[]): void {
  const line = Number.isInteger(dl.line) && dl.line >= 0 && dl.line <= 0xffffffff ? String(dl.line) : '0';
  const receivedAtMs = dl.receivedAtMs >= 0 && dl.receivedAtMs < MAX_RECEIVED_AT_MS ? dl.receivedAtMs : Date.now();
  const cells = [
    tsvEpochMs(receivedAtMs),
    text(dl.source),
    text(dl.stream),
    text(dl.shardId),
    text(dl.sequenceNumber),
    line,
    tsvCell(dl.field),
    text(dl.reason),
    text(dl.input),
  ];
  out.push(cells.join('\t') + '\n');
}

// Rows are turned into bytes in small slices: the row strings die young (cheap for the GC) and
// no JS string grows towards V8's length limit. 256 measured fastest among 16…4096.
const ROWS_PER_SLICE = 256;

function encodeAll<T>(items: readonly T[], encode: (item: T, out: string[]) => void): Buffer {
  const slices: Buffer[] = [];
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) {
    encode(items[i] as T, out);
    if (out.length === ROWS_PER_SLICE) {
      slices.push(Buffer.from(out.join(''), 'utf8'));
      out.length = 0;
    }
  }
  if (out.length > 0) slices.push(Buffer.from(out.join(''), 'utf8'));
  return slices.length === 1 ? (slices[0] as Buffer) : Buffer.concat(slices);
}

/** TabSeparated payload of `deadLetters` for `dead_letters` (columns DEAD_LETTER_COLUMNS). */
export function encodeDeadLetterRows(deadLetters: readonly StoredDeadLetter[]): Buffer {
  return encodeAll(deadLetters, encodeDeadLetterRow);
}
