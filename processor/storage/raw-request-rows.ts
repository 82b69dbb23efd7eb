/**
 * `requests` payloads built around the raw log line: ClickHouse parses and decodes the line's
 * fields itself (in parallel, in C++), and JS appends only what enrichment derived.
 *
 * Why: decoding and re-encoding every field of a ~1.3 KB line in JS cost more than everything else
 * on the hot path. The parser still validates every field (a line ClickHouse would refuse never gets
 * here: it is a dead letter), and the conversions below mirror the parser's rules exactly: `-` and
 * empty text are NULL, text is percent-decoded once, numbers as validated.
 */
import type { FieldSpec } from '../fields/catalogue.js';
import type { Layout } from '../fields/layout.js';
import type { Derived } from '../types.js';
import { DERIVED_COLUMNS, META_COLUMNS, type RequestRow } from './row-encoder.js';
import { escapeTsv, TSV_NULL, tsvCell } from './tsv.js';

export interface RawInsertShape {
  /** Target columns of `requests`, in select order. */
  readonly columns: readonly string[];
  /** The payload's columns: `raw_<field> String, …, ts_ms Int64, <derived>, <meta>`. */
  readonly structure: string;
  /** Expressions computing `columns` from the payload. */
  readonly select: string;
}

/** Payload types of the derived columns (plain types; the insert converts to the table's). */
const DERIVED_INPUT_TYPES: Readonly<Record<keyof Derived, string>> = {
  distribution_id: 'String',
  sampling_rate: 'UInt8',
  source: 'String',
  uri_path: 'Nullable(String)',
  uri_query: 'Nullable(String)',
  country: 'String',
  country_name: 'String',
  continent: 'String',
  country_source: 'String',
  pop_code: 'String',
  pop_city: 'String',
  pop_country: 'String',
  pop_lat: 'Nullable(Float32)',
  pop_lon: 'Nullable(Float32)',
  cache_class: 'String',
  geo_blocked: 'UInt8',
  status_class: 'String',
  http_version: 'String',
  is_websocket: 'UInt8',
  content_class: 'String',
  streaming_format: 'String',
  device_type: 'String',
  browser: 'String',
  os: 'String',
  is_bot: 'UInt8',
};

function conversion(spec: FieldSpec): string {
  const input = `raw_${spec.column}`;
  switch (spec.kind) {
    case 'timestamp':
      return "fromUnixTimestamp64Milli(ts_ms, 'UTC')";
    case 'string':
      return `if(${input} IN ('-', ''), NULL, decodeURLComponent(${input}))`;
    case 'status':
      return `toUInt16OrNull(${input})`;
    case 'uint': {
      const base = /^Nullable\((U?Int\d+)\)$/.exec(spec.clickhouseType)?.[1];
      if (base === undefined) throw new Error(`no integer conversion for ${spec.name} (${spec.clickhouseType})`);
      return `to${base}OrNull(${input})`;
    }
    case 'seconds':
    case 'decimal':
      return `toFloat64OrNull(${input})`;
  }
}

const shapes = new Map<string, RawInsertShape>();

export function rawInsertShape(layout: Layout): RawInsertShape {
  const key = layout.names.join(',');
  let shape = shapes.get(key);
  if (!shape) {
    const structure = [
      ...layout.fields.map((f) => `raw_${f.column} String`),
      'ts_ms Int64',
      ...DERIVED_COLUMNS.map((c) => `${c} ${DERIVED_INPUT_TYPES[c]}`),
      ...META_COLUMNS.map((c) => `${c} String`),
    ];
    const needsTimestamp = !layout.fields.some((f) => f.kind === 'timestamp');
    const columns = [...(needsTimestamp ? ['timestamp'] : []), ...layout.fields.map((f) => f.column), ...DERIVED_COLUMNS, ...META_COLUMNS];
    const select = [
      ...(needsTimestamp ? ["fromUnixTimestamp64Milli(ts_ms, 'UTC')"] : []),
      ...layout.fields.map(conversion),
      ...DERIVED_COLUMNS,
      ...META_COLUMNS,
    ];
    shape = Object.freeze({ columns, structure: structure.join(', '), select: select.join(', ') });
    shapes.set(key, shape);
  }
  return shape;
}

/** True when text holds a character TabSeparated must escape (tabs and newlines were split on). */
function needsEscaping(text: string): boolean {
  return text.indexOf('\\') !== -1 || text.indexOf('\r') !== -1 || text.indexOf('\0') !== -1;
}

function bytesNeedEscaping(bytes: Uint8Array): boolean {
  return bytes.indexOf(0x5c) !== -1 || bytes.indexOf(0x0d) !== -1 || bytes.indexOf(0x00) !== -1;
}

/** A decoded value back in raw form, so ClickHouse's decoding gives it back unchanged. */
function rawFromValue(spec: FieldSpec, value: string | number | null): string {
  if (value === null) return '-';
  if (typeof value === 'number') return spec.kind === 'timestamp' ? '-' : String(value);
  if (value === '-') return '%2D';
  return escapeTsv(value.indexOf('%') === -1 ? value : value.replace(/%/g, '%25'));
}

/** The row's raw fields as text, for rows whose received bytes cannot be copied as they are. */
function rawText(row: RequestRow, layout: Layout): string {
  const record = row.enriched.record;
  if (record.rawLine !== null) {
    return needsEscaping(record.rawLine) ? record.rawLine.split('\t').map(escapeTsv).join('\t') : record.rawLine;
  }
  // Built in code rather than parsed from a line: write the values in raw form.
  return layout.fields.map((spec) => rawFromValue(spec, record.values[spec.position - 1] ?? null)).join('\t');
}

const text = (value: string): string => (value === '' ? '' : escapeTsv(value));

function derivedCells(d: Derived): string {
  // DERIVED_COLUMNS order, written out: this runs for every record.
  return [
    text(d.distribution_id),
    d.sampling_rate,
    text(d.source),
    tsvCell(d.uri_path),
    tsvCell(d.uri_query),
    text(d.country),
    text(d.country_name),
    text(d.continent),
    text(d.country_source),
    text(d.pop_code),
    text(d.pop_city),
    text(d.pop_country),
    d.pop_lat === null ? TSV_NULL : d.pop_lat,
    d.pop_lon === null ? TSV_NULL : d.pop_lon,
    d.cache_class,
    d.geo_blocked,
    text(d.status_class),
    text(d.http_version),
    d.is_websocket,
    d.content_class,
    d.streaming_format,
    d.device_type,
    text(d.browser),
    text(d.os),
    d.is_bot,
  ].join('\t');
}

/** A growable byte buffer for one payload. */
class PayloadBuilder {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes: number) {
    this.#buffer = Buffer.allocUnsafe(Math.max(initialBytes, 1024));
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buffer.set(data, this.#length);
    this.#length += data.length;
  }

  text(data: string): void {
    this.#reserve(data.length * 3);
    this.#length += this.#buffer.write(data, this.#length, 'utf8');
  }

  finish(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}

/**
 * TabSeparated payload of `rows` in the shape `rawInsertShape(layout)` describes. Rows parsed from a
 * line must come from a parser of this layout (a batch has one layout).
 */
export function encodeRawRequestRows(rows: readonly RequestRow[], layout: Layout): Buffer {
  const payload = new PayloadBuilder(rows.length * 1600);
  for (const row of rows) {
    const { record, derived } = row.enriched;
    const raw = row.rawBytes;
    // Received bytes go in as they are: cheaper than encoding the line's text again.
    if (raw !== undefined && !bytesNeedEscaping(raw)) payload.bytes(raw);
    else payload.text(rawText(row, layout));
    payload.text(`\t${Math.round(record.timestampMs)}\t${derivedCells(derived)}\t${escapeTsv(row.shardId)}\t${escapeTsv(row.sequenceNumber)}\n`);
  }
  return payload.finish();
}
