/**
 * Log files for import tests and the import benchmark: real-time lines from the edge simulator's
 * traffic model, and the same requests written as a CloudFront standard access log.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf, type Layout } from '../../processor/fields/layout.js';
import { STANDARD_FIELDS_V1 } from '../../processor/parse/standard-log-parser.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';

/** 44 fields: positions 1–46 without the two continuous-deployment fields. */
export const IMPORT_LAYOUT: Layout = layoutOf(
  FIELDS.filter((f) => f.position <= 46 && f.name !== 'primary-distribution-id' && f.name !== 'primary-distribution-dns-name').map((f) => f.name),
);

/** `count` real-time lines (with `\n`), timestamps spread over the `spanMs` before `endMs`. */
export function realtimeLines(count: number, endMs: number, spanMs: number, seed = 11, layout: Layout = IMPORT_LAYOUT): string[] {
  const generator = createTrafficGenerator({ seed, distributions: DEMO_DISTRIBUTIONS, layout, startMs: endMs - spanMs });
  const out: string[] = [];
  const perCall = 5000;
  for (let done = 0; done < count; ) {
    const n = Math.min(perCall, count - done);
    const stepEnd = endMs - spanMs + ((done + n) / count) * spanMs;
    out.push(...generator.linesAt(stepEnd, n, (n / count) * spanMs));
    done += n;
  }
  return out;
}

/** Writes lines to `file`, gzip-compressed when the name ends in `.gz`. */
export function writeLines(file: string, lines: readonly string[]): void {
  const text = lines.join('');
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(text) : text);
}

const pad = (n: number): string => n.toString().padStart(2, '0');

/**
 * The real-time lines (of IMPORT_LAYOUT) as a standard log: `#Version` and `#Fields` headers, then
 * one line per request in the standard format's field order and naming (reference §1.9: hosts
 * swapped, the stem without its query, date and time instead of the epoch timestamp).
 */
export function standardLog(lines: readonly string[], layout: Layout = IMPORT_LAYOUT): string {
  const at = new Map(layout.names.map((n, i) => [n, i]));
  const value = (fields: string[], name: string): string => {
    const i = at.get(name);
    return i === undefined ? '-' : (fields[i] ?? '-');
  };
  const out = ['#Version: 1.0', `#Fields: ${STANDARD_FIELDS_V1.join(' ')}`];
  for (const line of lines) {
    const fields = line.replace(/\n$/, '').split('\t');
    const ms = Math.floor(Number(value(fields, 'timestamp')) * 1000);
    const d = new Date(ms);
    const stem = value(fields, 'cs-uri-stem');
    const q = stem.indexOf('?');
    const row = STANDARD_FIELDS_V1.map((name) => {
      switch (name) {
        case 'date':
          return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
        case 'time':
          return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
        case 'cs(Host)':
          return value(fields, 'x-host-header');
        case 'x-host-header':
          return value(fields, 'cs-host');
        case 'cs-uri-stem':
          return q === -1 ? stem : stem.slice(0, q);
        case 'cs(Referer)':
          return value(fields, 'cs-referer');
        case 'cs(User-Agent)':
          return value(fields, 'cs-user-agent');
        case 'cs(Cookie)':
          return value(fields, 'cs-cookie');
        default:
          return value(fields, name);
      }
    });
    out.push(row.join('\t'));
  }
  return `${out.join('\n')}\n`;
}
