/**
 * Replay of real CloudFront real-time log lines into a stream: each line is converted from the
 * field set it was recorded with to the target stream's layout, then written through a RecordSink
 * (one payload per line, batches of at most 500 like Kinesis PutRecords), optionally rate-limited.
 *
 * Lines are attacker-controlled text: a line that does not match the source layout is skipped with
 * its reason, never written, and never allowed to smuggle a second record in through a line break.
 */
import type { Layout } from '../../processor/fields/layout.js';
import type { RecordSink } from '../source.js';

export type ConvertResult = { readonly ok: true; readonly line: string } | { readonly ok: false; readonly reason: string };

export type LineConverter = (line: string) => ConvertResult;

function stripLineEnd(line: string): string {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}

/**
 * Converts lines written with the `from` layout into lines of the `to` layout: fields are picked by
 * name, a target field the source lacks becomes `-`, source fields the target lacks are dropped.
 * Output lines end with `\n`.
 */
export function createLineConverter(from: Layout, to: Layout): LineConverter {
  const sourceIndex = new Map(from.names.map((name, i) => [name, i]));
  const picks = to.names.map((name) => sourceIndex.get(name) ?? -1);
  const identity = picks.length === from.names.length && picks.every((p, i) => p === i);
  const expected = from.names.length;
  return (raw: string): ConvertResult => {
    const line = stripLineEnd(raw);
    if (line.length === 0) return { ok: false, reason: 'empty line' };
    if (line.includes('\n') || line.includes('\r')) return { ok: false, reason: 'line break inside the line' };
    const values = line.split('\t');
    if (values.length !== expected) {
      return { ok: false, reason: `expected ${expected} tab-separated fields (source layout), got ${values.length}` };
    }
    if (identity) return { ok: true, line: line + '\n' };
    let out = '';
    for (let i = 0; i < picks.length; i++) {
      const p = picks[i] ?? -1;
      const value = p < 0 ? '-' : (values[p] ?? '-');
      out = i === 0 ? value : out + '\t' + value;
    }
    return { ok: true, line: out + '\n' };
  };
}

export interface ReplayProgress {
  /** Lines written to the sink so far. */
  readonly lines: number;
  /** Lines skipped (not convertible). */
  readonly skipped: number;
  readonly elapsedMs: number;
  /** Lines written per second since the start. */
  readonly ratePerSecond: number;
}

export interface ReplayLineError {
  /** 1-based line number within the input. */
  readonly line: number;
  readonly reason: string;
}

export interface ReplaySummary {
  readonly lines: number;
  readonly skipped: number;
  /** The first `maxErrors` skipped lines with their reasons. */
  readonly errors: readonly ReplayLineError[];
  /** Skipped lines beyond `maxErrors` (not listed in `errors`). */
  readonly errorsOmitted: number;
  readonly elapsedMs: number;
  /** True when `signal` stopped the replay before the input ended. */
  readonly aborted: boolean;
}

export interface ReplayOptions {
  readonly input: AsyncIterable<string> | Iterable<string>;
  readonly convert: LineConverter;
  readonly sink: RecordSink;
  /** Lines per second; unlimited when absent. */
  readonly ratePerSecond?: number;
  /** Payloads per `putRecords` call, 1–500 (default 500, the PutRecords limit). */
  readonly batchSize?: number;
  /** How many line errors the summary lists (default 100). */
  readonly maxErrors?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Stops reading; lines already read are still written. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A sink write failed: the replay stopped. `summary` counts what was written before. */
export class ReplayWriteError extends Error {
  constructor(
    readonly summary: ReplaySummary,
    cause: unknown,
  ) {
    super(`replay stopped after ${summary.lines} lines: the record sink failed (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    this.name = 'ReplayWriteError';
  }
}

export const MAX_BATCH_RECORDS = 500;
/** PutRecords accepts 5 MiB per call; stay well below it whatever the line lengths. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export async function replayLines(options: ReplayOptions): Promise<ReplaySummary> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const rate = options.ratePerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${rate}`);
  const batchSize = options.batchSize ?? MAX_BATCH_RECORDS;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_RECORDS) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_RECORDS}, got ${batchSize}`);
  }
  // When rate-limited, send about 100 ms of lines at a time so the pace stays smooth.
  const effectiveBatch = rate === undefined ? batchSize : Math.min(batchSize, Math.max(1, Math.ceil(rate / 10)));
  const maxErrors = options.maxErrors ?? 100;

  const startMs = now();
  let lineNumber = 0;
  let written = 0;
  let skipped = 0;
  let omitted = 0;
  let aborted = false;
  const errors: ReplayLineError[] = [];
  let batch: Buffer[] = [];
  let batchBytes = 0;

  const summary = (): ReplaySummary => ({ lines: written, skipped, errors: [...errors], errorsOmitted: omitted, elapsedMs: now() - startMs, aborted });

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    if (rate !== undefined) {
      const dueMs = startMs + (written / rate) * 1000;
      const waitMs = dueMs - now();
      if (waitMs > 0) await sleep(waitMs);
    }
    const payloads = batch;
    batch = [];
    batchBytes = 0;
    try {
      await options.sink.putRecords(payloads);
    } catch (err) {
      throw new ReplayWriteError(summary(), err);
    }
    written += payloads.length;
    if (options.onProgress) {
      const elapsedMs = now() - startMs;
      options.onProgress({ lines: written, skipped, elapsedMs, ratePerSecond: elapsedMs > 0 ? (written * 1000) / elapsedMs : 0 });
    }
  };

  for await (const raw of options.input) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    lineNumber++;
    const result = options.convert(raw);
    if (!result.ok) {
      skipped++;
      if (errors.length < maxErrors) errors.push({ line: lineNumber, reason: result.reason });
      else omitted++;
      continue;
    }
    const payload = Buffer.from(result.line, 'utf8');
    if (batchBytes + payload.length > MAX_BATCH_BYTES) await flush();
    batch.push(payload);
    batchBytes += payload.length;
    if (batch.length >= effectiveBatch) await flush();
  }
  await flush();
  return summary();
}
