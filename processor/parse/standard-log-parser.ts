/**
 * CloudFront standard access logs (the W3C-style files with `#Version` and `#Fields` headers) →
 * real-time log lines, so that one parser, one enrichment and one storage path serve both.
 *
 * The field list comes from each file's `#Fields` line. Names are mapped onto real-time names with
 * the traps of reference §1.9 in mind:
 * - `cs(Host)` is the distribution's CloudFront domain (real-time `x-host-header`), and the standard
 *   `x-host-header` is the viewer's Host header (real-time `cs-host`);
 * - the standard `cs-uri-stem` has no query string: the real-time one is `stem?query`;
 * - `date` + `time` (UTC) become `timestamp` (epoch seconds with three decimals).
 * Fields with no real-time equivalent are left out. Pure: no I/O.
 */
import { fieldByName } from '../fields/catalogue.js';
import { layoutOf, type Layout } from '../fields/layout.js';

/** Standard-log names that differ from their real-time equivalent. */
const RENAMED: Readonly<Record<string, string>> = {
  'cs(Host)': 'x-host-header',
  'x-host-header': 'cs-host',
  'cs(Referer)': 'cs-referer',
  'cs(User-Agent)': 'cs-user-agent',
  'cs(Cookie)': 'cs-cookie',
};

/** Standard-log fields read to build others, never copied themselves. */
const COMPOSED = new Set(['date', 'time']);

export type StandardLineResult =
  | { readonly kind: 'header'; readonly layout: Layout | null }
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'error'; readonly reason: string; readonly field: string | null };

/** A file's `#Fields` header, compiled into a converter of its data lines. */
export interface StandardFieldMap {
  /** Real-time layout of the converted lines. */
  readonly layout: Layout;
  /** Standard-log fields dropped because real-time logs have no such field. */
  readonly unmapped: readonly string[];
  readonly convert: (line: string) => StandardLineResult;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** Epoch seconds of `YYYY-MM-DD` at 00:00 UTC; NaN when malformed. Memoised: a file holds a day or two. */
function makeDateParser(): (text: string) => number {
  let lastText = '';
  let lastValue = NaN;
  return (text) => {
    if (text === lastText) return lastValue;
    const m = DATE.exec(text);
    let value = NaN;
    if (m) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const ms = Date.UTC(y, mo - 1, d);
      const check = new Date(ms);
      if (check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d) value = ms / 1000;
    }
    lastText = text;
    lastValue = value;
    return value;
  };
}

/** `HH:MM:SS[.fff]` → `[seconds of the day, milliseconds text]`; null when malformed. */
function parseTime(text: string): [number, string] | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || mi > 59 || s > 60) return null;
  return [h * 3600 + mi * 60 + s, (m[4] ?? '').padEnd(3, '0')];
}

/** Compiles the names of a `#Fields` line. Throws when the header cannot give a usable record. */
export function compileStandardFields(names: readonly string[]): StandardFieldMap {
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  const dateAt = index.get('date');
  const timeAt = index.get('time');
  if (dateAt === undefined || timeAt === undefined) throw new Error('#Fields must name both date and time');

  // Real-time field name → column of the standard line it is read from.
  const sourceOf = new Map<string, number>();
  const unmapped: string[] = [];
  names.forEach((name, i) => {
    if (COMPOSED.has(name)) return;
    const target = RENAMED[name] ?? name;
    if (target === 'timestamp' || fieldByName(target) === undefined) {
      unmapped.push(name);
      return;
    }
    if (!sourceOf.has(target)) sourceOf.set(target, i);
  });
  const layout = layoutOf(['timestamp', ...sourceOf.keys()]);
  const stemAt = sourceOf.get('cs-uri-stem');
  const queryAt = index.get('cs-uri-query');
  const picks = layout.names.map((name) => (name === 'timestamp' ? -1 : (sourceOf.get(name) ?? -1)));
  const stemSlot = layout.names.indexOf('cs-uri-stem');
  const expected = names.length;
  const parseDate = makeDateParser();

  const convert = (line: string): StandardLineResult => {
    const values = line.split('\t');
    if (values.length !== expected) {
      return { kind: 'error', reason: `expected ${expected} fields (#Fields), got ${values.length}`, field: null };
    }
    const day = parseDate(values[dateAt] ?? '');
    if (Number.isNaN(day)) return { kind: 'error', reason: `not a date: ${(values[dateAt] ?? '').slice(0, 32)}`, field: 'date' };
    const time = parseTime(values[timeAt] ?? '');
    if (time === null) return { kind: 'error', reason: `not a time: ${(values[timeAt] ?? '').slice(0, 32)}`, field: 'time' };
    const out = new Array<string>(picks.length);
    for (let i = 0; i < picks.length; i++) {
      const p = picks[i]!;
      out[i] = p < 0 ? `${day + time[0]}.${time[1]}` : (values[p] ?? '-');
    }
    if (stemSlot >= 0 && stemAt !== undefined && queryAt !== undefined) {
      const query = values[queryAt] ?? '-';
      // Raw (still encoded) text on both sides, so the `?` stays the separator the parser splits on.
      if (query !== '-' && query !== '' && out[stemSlot] !== '-') out[stemSlot] = `${out[stemSlot]}?${query}`;
    }
    return { kind: 'line', line: out.join('\t') };
  };
  return { layout, unmapped, convert };
}

/**
 * Reads one standard log file line by line: `#Version` and other comments are skipped, `#Fields`
 * (re)defines the columns, every other line is converted with the current definition.
 */
export class StandardLogReader {
  #map: StandardFieldMap | null = null;

  get layout(): Layout | null {
    return this.#map?.layout ?? null;
  }

  get unmapped(): readonly string[] {
    return this.#map?.unmapped ?? [];
  }

  read(rawLine: string): StandardLineResult {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('#')) {
      if (!line.startsWith('#Fields:')) return { kind: 'header', layout: this.layout };
      const names = line.slice('#Fields:'.length).trim().split(/\s+/).filter((n) => n !== '');
      try {
        this.#map = compileStandardFields(names);
      } catch (err) {
        this.#map = null;
        return { kind: 'error', reason: `unusable #Fields line: ${(err as Error).message}`, field: null };
      }
      return { kind: 'header', layout: this.#map.layout };
    }
    if (this.#map === null) return { kind: 'error', reason: 'data line before any #Fields line', field: null };
    return this.#map.convert(line);
  }
}

/** The field list of the standard log format as CloudFront writes it (33 fields). */
export const STANDARD_FIELDS_V1: readonly string[] = [
  'date', 'time', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status',
  'cs(Referer)', 'cs(User-Agent)', 'cs-uri-query', 'cs(Cookie)', 'x-edge-result-type', 'x-edge-request-id',
  'x-host-header', 'cs-protocol', 'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher',
  'x-edge-response-result-type', 'cs-protocol-version', 'fle-status', 'fle-encrypted-fields', 'c-port',
  'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type', 'sc-content-len', 'sc-range-start',
  'sc-range-end',
];
