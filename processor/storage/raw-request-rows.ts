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

// Characters that need TabSeparated escaping inside a line already split on tabs and newlines.
const NEEDS_ESCAPING = /[\\\r\0]/;

/** A decoded value back in raw form, so ClickHouse's decoding gives it back unchanged. */
function rawFromValue(spec: FieldSpec, value: string | number | null): string {
  if (value === null) return '-';
  if (typeof value === 'number') return spec.kind === 'timestamp' ? '-' : String(value);
  if (value === '-') return '%2D';
  return escapeTsv(value.indexOf('%') === -1 ? value : value.replace(/%/g, '%25'));
}

function rawPart(row: RequestRow, layout: Layout): string {
  const record = row.enriched.record;
  const fields = record.rawFields;
  if (record.rawLine !== null && fields !== null && fields.length === layout.fields.length) {
    if (!NEEDS_ESCAPING.test(record.rawLine)) return record.rawLine;
    return fields.map(escapeTsv).join('\t');
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

const ROWS_PER_SLICE = 256;

/** TabSeparated payload of `rows` in the shape `rawInsertShape(layout)` describes. */
export function encodeRawRequestRows(rows: readonly RequestRow[], layout: Layout): Buffer {
  const slices: Buffer[] = [];
  const out: string[] = [];
  for (const row of rows) {
    const { record, derived } = row.enriched;
    out.push(`${rawPart(row, layout)}\t${Math.round(record.timestampMs)}\t${derivedCells(derived)}\t${escapeTsv(row.shardId)}\t${escapeTsv(row.sequenceNumber)}\n`);
    if (out.length === ROWS_PER_SLICE) {
      slices.push(Buffer.from(out.join(''), 'utf8'));
      out.length = 0;
    }
  }
  if (out.length > 0) slices.push(Buffer.from(out.join(''), 'utf8'));
  return slices.length === 1 ? slices[0]! : Buffer.concat(slices);
}
