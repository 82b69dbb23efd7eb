/**
 * Parses CloudFront real-time log lines of one layout into typed records.
 *
 * Pure: no I/O. A line that cannot be read becomes a dead letter carrying the raw line, the field to
 * blame and the reason; nothing throws out of a batch and nothing disappears.
 */
import { FIELD_COUNT, F, type FieldSpec } from '../fields/catalogue.js';
import type { Layout } from '../fields/layout.js';
import type { DeadLetter, FieldValue, ParsedRecord } from '../types.js';
import { KNOWN_VALUES } from './known-values.js';
import { percentDecode } from './percent-decode.js';

export type LineResult = { ok: true; record: ParsedRecord } | { ok: false; deadLetter: DeadLetter };

export interface PayloadResult {
  readonly records: ParsedRecord[];
  readonly deadLetters: DeadLetter[];
  /** Line number of the last line read (to continue numbering across payloads). */
  readonly lastLine: number;
}

/** Unknown values of enumerated fields seen so far: field name → value → count. */
export type UnknownValueCounts = ReadonlyMap<string, ReadonlyMap<string, number>>;

// DateTime64(3) holds 1900–2299; CloudFront timestamps are far inside [2000, 2200).
const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1);
// Bound on distinct unknown values tracked per field, so attacker-chosen values cannot grow memory.
const MAX_UNKNOWN_VALUES_PER_FIELD = 100;

class FieldError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

function isDigits(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `1600299221.087` → 1600299221087, without float rounding. */
function parseTimestamp(text: string): number {
  const dot = text.indexOf('.');
  const end = dot === -1 ? text.length : dot;
  if (!isDigits(text, 0, end) || end > 12) return NaN;
  let ms = Number(text.slice(0, end)) * 1000;
  if (dot !== -1) {
    const frac = text.slice(dot + 1);
    if (frac.length === 0 || frac.length > 3 || !isDigits(frac, 0, frac.length)) return NaN;
    ms += Number(frac.padEnd(3, '0'));
  }
  return ms;
}

/** Non-negative decimal (`0.253`, `12`); NaN when malformed. */
function parseUnsignedDecimal(text: string): number {
  const dot = text.indexOf('.');
  if (dot === -1) return isDigits(text, 0, text.length) ? Number(text) : NaN;
  if (!isDigits(text, 0, dot) || !isDigits(text, dot + 1, text.length)) return NaN;
  return Number(text);
}

function parseDecimal(text: string): number {
  return text.charCodeAt(0) === 45 /* - */ ? -parseUnsignedDecimal(text.slice(1)) : parseUnsignedDecimal(text);
}

function readValue(spec: FieldSpec, raw: string): FieldValue {
  switch (spec.kind) {
    case 'string':
      return percentDecode(raw);
    case 'status': {
      if (raw.length !== 3 || !isDigits(raw, 0, 3)) throw new FieldError(spec.name, `not an HTTP status: ${raw}`);
      return Number(raw);
    }
    case 'uint': {
      if (!isDigits(raw, 0, raw.length)) throw new FieldError(spec.name, `not a non-negative integer: ${raw}`);
      const n = Number(raw);
      if (n > (spec.max ?? Number.MAX_SAFE_INTEGER)) throw new FieldError(spec.name, `integer out of range: ${raw}`);
      return n;
    }
    case 'seconds': {
      const n = parseUnsignedDecimal(raw);
      if (Number.isNaN(n)) throw new FieldError(spec.name, `not a duration in seconds: ${raw}`);
      return n;
    }
    case 'decimal': {
      const n = parseDecimal(raw);
      if (!Number.isFinite(n)) throw new FieldError(spec.name, `not a number: ${raw}`);
      return n;
    }
    case 'timestamp': {
      const ms = parseTimestamp(raw);
      if (Number.isNaN(ms)) throw new FieldError(spec.name, `not an epoch timestamp: ${raw}`);
      if (ms < MIN_TIMESTAMP_MS || ms >= MAX_TIMESTAMP_MS) throw new FieldError(spec.name, `timestamp out of range: ${raw}`);
      return ms;
    }
  }
}

/** Number of tab-separated fields in `text`, counting no further than `limit + 1`. */
function countFields(text: string, limit: number): number {
  let count = 1;
  for (let at = text.indexOf('\t'); at !== -1 && count <= limit; at = text.indexOf('\t', at + 1)) count++;
  if (count > limit) return text.split('\t').length;
  return count;
}

function truncateForReason(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

export interface LogParserOptions {
  /**
   * Catalogue indexes of the string fields to decode; other string fields are left null in
   * `values` (the record is `partial`) and stay readable from `rawLine`. Enumerated fields are
   * always decoded. Default: every field.
   */
  readonly decodeOnly?: ReadonlySet<number>;
}

export class LogParser {
  readonly #fields: readonly FieldSpec[];
  /** Per layout slot: decode this string field now. */
  readonly #decodeSlot: readonly boolean[];
  readonly #partial: boolean;
  readonly #timestampSlot: number;
  readonly #stemSlot: number;
  readonly #unknown = new Map<string, Map<string, number>>();
  #unknownTotal = 0;

  constructor(
    readonly layout: Layout,
    options: LogParserOptions = {},
  ) {
    this.#fields = layout.fields;
    const only = options.decodeOnly;
    this.#decodeSlot = layout.fields.map((f) => only === undefined || f.enumerated === true || only.has(f.position - 1));
    this.#partial = layout.fields.some((f, slot) => f.kind === 'string' && !this.#decodeSlot[slot]);
    this.#timestampSlot = layout.fields.findIndex((f) => f.position - 1 === F.timestamp);
    this.#stemSlot = layout.fields.findIndex((f) => f.position - 1 === F.cs_uri_stem);
  }

  /** Parses one line (without its trailing newline; a trailing `\r` is tolerated). */
  parseLine(line: string, lineNumber: number): LineResult {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const fields = this.#fields;
    // Scan tab positions instead of splitting: fields that are neither read nor decoded here are
    // never copied out of the line (storage sends the line itself to ClickHouse).
    const count = countFields(text, fields.length);
    if (count !== fields.length) {
      return this.#dead(lineNumber, line, null, `expected ${fields.length} fields, got ${count}`);
    }
    const values: FieldValue[] = new Array<FieldValue>(FIELD_COUNT).fill(null);
    let rawStem = '-';
    try {
      let start = 0;
      for (let i = 0; i < fields.length; i++) {
        let end = text.indexOf('\t', start);
        if (end === -1) end = text.length;
        const spec = fields[i]!;
        const empty = end === start || (end === start + 1 && text.charCodeAt(start) === 45); /* - */
        if (empty) {
          if (i === this.#timestampSlot) throw new FieldError(spec.name, 'timestamp is missing');
        } else if (i === this.#stemSlot || spec.kind !== 'string' || this.#decodeSlot[i]) {
          const raw = text.slice(start, end);
          if (i === this.#stemSlot) rawStem = raw;
          if (spec.kind !== 'string' || this.#decodeSlot[i]) {
            const value = readValue(spec, raw);
            values[spec.position - 1] = value;
            if (spec.enumerated === true) this.#checkKnown(spec.name, value as string);
          }
        }
        start = end + 1;
      }
    } catch (err) {
      if (err instanceof FieldError) return this.#dead(lineNumber, line, err.field, err.message);
      throw err;
    }
    const timestampMs = this.#timestampSlot >= 0 ? (values[F.timestamp] as number) : 0;

    let uriPath: string | null = null;
    let uriQuery: string | null = null;
    if (rawStem !== '-') {
      // Split before decoding: an encoded `%3F` is part of the path, not the query separator.
      const q = rawStem.indexOf('?');
      if (q === -1) {
        uriPath = (values[F.cs_uri_stem] as string | null) ?? percentDecode(rawStem);
      } else {
        uriPath = percentDecode(rawStem.slice(0, q));
        uriQuery = percentDecode(rawStem.slice(q + 1));
      }
    }
    return { ok: true, record: { values, timestampMs, uriPath, uriQuery, rawLine: text, partial: this.#partial } };
  }

  /**
   * Parses one Kinesis record payload: one or more newline-terminated lines. Blank lines carry nothing
   * and are skipped; every other line becomes a record or a dead letter.
   */
  parsePayload(payload: string, firstLineNumber = 1): PayloadResult {
    const records: ParsedRecord[] = [];
    const deadLetters: DeadLetter[] = [];
    let lineNumber = firstLineNumber - 1;
    let start = 0;
    while (start < payload.length) {
      let end = payload.indexOf('\n', start);
      if (end === -1) end = payload.length;
      lineNumber++;
      const line = payload.slice(start, end);
      start = end + 1;
      if (line.length === 0 || line === '\r') continue;
      const result = this.parseLine(line, lineNumber);
      if (result.ok) records.push(result.record);
      else deadLetters.push(result.deadLetter);
    }
    return { records, deadLetters, lastLine: lineNumber };
  }

  /** Unknown values of enumerated fields, kept as written and counted here. */
  unknownValues(): UnknownValueCounts {
    return this.#unknown;
  }

  get unknownValueTotal(): number {
    return this.#unknownTotal;
  }

  #checkKnown(field: string, value: string): void {
    if (KNOWN_VALUES[field]?.has(value) !== false) return;
    this.#unknownTotal++;
    let counts = this.#unknown.get(field);
    if (!counts) {
      counts = new Map();
      this.#unknown.set(field, counts);
    }
    const seen = counts.get(value);
    if (seen !== undefined) counts.set(value, seen + 1);
    else if (counts.size < MAX_UNKNOWN_VALUES_PER_FIELD) counts.set(value, 1);
  }

  #dead(line: number, input: string, field: string | null, reason: string): LineResult {
    return { ok: false, deadLetter: { line, input, field, reason: truncateForReason(reason) } };
  }
}
