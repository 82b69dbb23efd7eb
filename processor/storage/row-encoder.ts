/**
 * Enriched records and dead letters → TabSeparated rows for `requests` and `dead_letters`.
 *
 * Pure and on the hot path: one string per row, concatenated cell by cell, and a Buffer per
 * slice of rows. The column lists must match infra/clickhouse/003_requests.sql and
 * 004_dead_letters.sql (checked by test/storage/schema-columns.test.ts); inserts name the
 * columns, so columns added to a table later (with defaults) do not break older writers.
 */
import { FIELD_COUNT, FIELDS } from '../fields/catalogue.js';
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
const flag = (value: 0 | 1): string => (value === 1 ? '1' : '0');

// Scratch cells of one row, reused: joining an array of cells is several times faster in V8
// than growing a string cell by cell (which leaves a rope of small strings for the GC).
const requestCells: string[] = new Array<string>(REQUEST_COLUMNS.length).fill('');
const DERIVED_AT = FIELD_COUNT;

/** Appends one `requests` row (newline-terminated) to `out`. */
export function encodeRequestRow(rec: EnrichedRecord, meta: RowMeta, out: string[]): void {
  const values = rec.record.values;
  const d = rec.derived;
  const c = requestCells;
  // Catalogue index 0 is `timestamp`, taken from the exact epoch-ms copy.
  c[0] = tsvEpochMs(rec.record.timestampMs);
  for (let i = 1; i < FIELD_COUNT; i++) c[i] = tsvCell(values[i]);
  // Same order as DERIVED_COLUMNS; written out by hand because this runs for every record.
  let k = DERIVED_AT;
  c[k++] = text(d.distribution_id);
  c[k++] = tsvCell(d.sampling_rate);
  c[k++] = text(d.source);
  c[k++] = tsvCell(d.uri_path);
  c[k++] = tsvCell(d.uri_query);
  c[k++] = text(d.country);
  c[k++] = text(d.country_name);
  c[k++] = text(d.continent);
  c[k++] = text(d.country_source);
  c[k++] = text(d.pop_code);
  c[k++] = text(d.pop_city);
  c[k++] = text(d.pop_country);
  c[k++] = tsvCell(d.pop_lat);
  c[k++] = tsvCell(d.pop_lon);
  c[k++] = text(d.cache_class);
  c[k++] = flag(d.geo_blocked);
  c[k++] = text(d.status_class);
  c[k++] = text(d.http_version);
  c[k++] = flag(d.is_websocket);
  c[k++] = text(d.content_class);
  c[k++] = text(d.streaming_format);
  c[k++] = text(d.device_type);
  c[k++] = text(d.browser);
  c[k++] = text(d.os);
  c[k++] = flag(d.is_bot);
  c[k++] = text(meta.shardId);
  c[k++] = text(meta.sequenceNumber);
  out.push(c.join('\t') + '\n');
}

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

/** TabSeparated payload of `rows` for `requests` (columns REQUEST_COLUMNS). */
export function encodeRequestRows(rows: readonly RequestRow[]): Buffer {
  return encodeAll(rows, (row, out) => encodeRequestRow(row.enriched, row, out));
}

/** TabSeparated payload of `deadLetters` for `dead_letters` (columns DEAD_LETTER_COLUMNS). */
export function encodeDeadLetterRows(deadLetters: readonly StoredDeadLetter[]): Buffer {
  return encodeAll(deadLetters, encodeDeadLetterRow);
}
