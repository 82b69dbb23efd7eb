/**
 * Raw batches of real CloudFront log lines: the two records of test/fixtures/reference-records.tsv
 * (40 fields, timestamp … cs-headers-count without s-ip), each copy with a recent timestamp (rows past
 * a table's TTL are dropped on insert) and a request ID of its own.
 */
import fs from 'node:fs';
import type { RawBatch } from '../../processor/batch.js';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf, type Layout } from '../../processor/fields/layout.js';

export const REFERENCE_LAYOUT: Layout = layoutOf(FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name));

const REFERENCE_LINES = fs
  .readFileSync(new URL('../fixtures/reference-records.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.split('\t').length === REFERENCE_LAYOUT.fields.length);
const TIMESTAMP = REFERENCE_LAYOUT.names.indexOf('timestamp');
const REQUEST_ID = REFERENCE_LAYOUT.names.indexOf('x-edge-request-id');

/** Reference line `i` (cycling through the file) with the given timestamp and request ID. */
export function referenceLine(i: number, timestampMs: number, requestId: string): string {
  const fields = (REFERENCE_LINES[i % REFERENCE_LINES.length] ?? '').split('\t');
  fields[TIMESTAMP] = (timestampMs / 1000).toFixed(3);
  fields[REQUEST_ID] = requestId;
  return fields.join('\t');
}

export interface ReferenceBatchOptions {
  readonly stream: string;
  readonly shardId: string;
  /** Sequence number of the first record; records follow one by one. */
  readonly firstSequence: number;
  readonly records: number;
  /** Timestamp of the first record; each next one is 1 ms later. */
  readonly startMs: number;
  /** Extra lines (e.g. malformed ones) appended as records of their own. */
  readonly extraLines?: readonly string[];
}

/** One batch of `records` reference lines (request IDs `<shardId>-<sequence>`), one line per record. */
export function referenceBatch(options: ReferenceBatchOptions): RawBatch {
  const lines = Array.from({ length: options.records }, (_, i) =>
    referenceLine(i, options.startMs + i, `${options.shardId}-${options.firstSequence + i}`),
  );
  lines.push(...(options.extraLines ?? []));
  const records = lines.map((line, i) => ({ data: Buffer.from(`${line}\n`), sequenceNumber: String(options.firstSequence + i), arrivalMs: options.startMs }));
  return {
    stream: options.stream,
    shardId: options.shardId,
    firstSequence: String(options.firstSequence),
    lastSequence: String(options.firstSequence + lines.length - 1),
    records,
  };
}
