/**
 * The processor stage's handler: a raw batch from a source → parse → enrich → one durable write.
 *
 * The batch's deduplication token comes from its source range, so a batch replayed after a crash is
 * written with the same token and ClickHouse drops the repeat. The returned promise resolves only when
 * the batch's rows and dead letters are durable; only then does the source commit its position.
 */
import { isUtf8 } from 'node:buffer';
import { createEnricher, ENRICHMENT_INPUTS, type Enricher } from './enrich/enrich.js';
import type { Layout } from './fields/layout.js';
import { LogParser } from './parse/log-parser.js';
import type { RawBatch } from './batch.js';
import type { DeadLetter } from './types.js';
import { batchToken } from './storage/batch-token.js';
import { DataError } from './storage/errors.js';
import type { WriteBatch } from './storage/clickhouse-writer.js';
import type { RequestRow, StoredDeadLetter } from './storage/row-encoder.js';

/** A row source's current layout and sampling rate (from its real-time log config). */
export interface LogFormat {
  readonly layout: Layout;
  readonly samplingRate: number;
  /**
   * Layouts the config had before a field change, whose records may still be in the stream. A line is
   * parsed by the layout whose field count it has (counts differ: the control plane sees to it).
   */
  readonly previous?: readonly LogFormat[];
}

/** Where processed batches go (the ClickHouse writer). Resolves once the write is durable. */
export interface BatchSink {
  write(batch: WriteBatch): Promise<void>;
}

export interface ProcessedCounts {
  readonly records: number;
  readonly deadLetters: number;
  readonly batches: number;
}

/** Observes every processed batch (live counters, metrics). Called after the write is durable. */
export type BatchObserver = (rows: readonly RequestRow[], deadLetters: readonly StoredDeadLetter[]) => void;

export interface BatchProcessorOptions {
  readonly sink: BatchSink;
  /** The format of a stream's records; read per batch so log-config changes take effect. */
  readonly formatOf: (stream: string) => LogFormat;
  readonly resolveDistribution: (domain: string | null) => string;
  /** Kind of source, stored with dead letters: 'kinesis', 'kafka', … */
  readonly sourceKind: string;
  readonly observer?: BatchObserver;
  readonly now?: () => number;
}

interface LayoutState {
  readonly parser: LogParser;
  readonly enrich: Enricher;
}

interface FormatState {
  readonly key: string;
  /** The current layout first, then retired ones. */
  readonly layouts: readonly LayoutState[];
  /** Field count → index in `layouts`. */
  readonly byFieldCount: ReadonlyMap<number, number>;
}

/** Rows parsed with one layout: a write carries one layout, so a batch may make several writes. */
export interface LayoutGroup {
  readonly layout: Layout;
  readonly rows: RequestRow[];
}

/** Number of tab-separated fields of the first line of `text`. */
function firstLineFieldCount(text: string): number {
  let end = text.indexOf('\n');
  if (end === -1) end = text.length;
  let count = 1;
  for (let at = text.indexOf('\t'); at !== -1 && at < end; at = text.indexOf('\t', at + 1)) count++;
  return count;
}

// ignoreBOM: the text must hold exactly the received bytes, which storage may copy as they are.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A one-line payload without its line ending; undefined unless it is valid UTF-8 (then the text differs). */
function lineBytes(data: Uint8Array): Uint8Array | undefined {
  let end = data.length;
  if (end > 0 && data[end - 1] === 0x0a) end--;
  if (end > 0 && data[end - 1] === 0x0d) end--;
  const bytes = data.subarray(0, end);
  if (bytes.indexOf(0x0a) !== -1) return undefined;
  return isUtf8(bytes) ? bytes : undefined;
}

export class BatchProcessor {
  readonly #options: BatchProcessorOptions;
  readonly #formats = new Map<string, FormatState>();
  #records = 0;
  #deadLetters = 0;
  #batches = 0;

  constructor(options: BatchProcessorOptions) {
    this.#options = options;
  }

  readonly handle = async (batch: RawBatch): Promise<void> => {
    const { rows, deadLetters, layout, groups } = this.process(batch);
    const token = batchToken(batch.stream, batch.shardId, batch.firstSequence, batch.lastSequence);
    try {
      if (groups.length <= 1) {
        await this.#options.sink.write({ token, rows, deadLetters, layout });
      } else {
        // Around a field change a batch holds rows of two layouts: one write per layout, each with a
        // token derived from the range and the layout, so a replay re-cuts the same writes.
        for (const [i, group] of groups.entries()) {
          const groupToken = i === 0 ? token : `${token}:fields-${group.layout.fields.length}`;
          await this.#options.sink.write({ token: groupToken, rows: group.rows, deadLetters: i === 0 ? deadLetters : [], layout: group.layout });
        }
      }
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      // ClickHouse refused the rows themselves: keep every line of the batch as a dead letter instead.
      // A token of its own: a token must never be reused for different rows.
      const reason = `storage rejected the batch: ${err.message}`;
      const all = [...deadLetters, ...this.#recordsAsDeadLetters(batch, rows, reason)];
      await this.#options.sink.write({ token: `${token}:rejected`, rows: [], deadLetters: all });
      this.#count([], all);
      return;
    }
    this.#count(rows, deadLetters);
  };

  /**
   * Parses and enriches a batch without writing it (pure apart from the parser's counters). `groups`
   * holds the rows by layout, the current layout's first; `rows` all of them.
   */
  process(batch: RawBatch): { rows: RequestRow[]; deadLetters: StoredDeadLetter[]; layout: Layout; groups: LayoutGroup[] } {
    const state = this.#formatState(batch.stream);
    const byLayout: RequestRow[][] = state.layouts.map(() => []);
    const deadLetters: StoredDeadLetter[] = [];
    const receivedAtMs = (this.#options.now ?? Date.now)();
    for (const raw of batch.records) {
      const text = utf8.decode(raw.data);
      // A record holds one line (as CloudFront writes); its field count picks the layout. A count no
      // layout has is parsed by the current one, which dead-letters it with the counts it expected.
      const index = state.layouts.length === 1 ? 0 : (state.byFieldCount.get(firstLineFieldCount(text)) ?? 0);
      const layout = state.layouts[index]!;
      const result = layout.parser.parsePayload(text);
      // One line per record: storage can copy the received bytes.
      const rawBytes = result.records.length === 1 && result.deadLetters.length === 0 ? lineBytes(raw.data) : undefined;
      const rows = byLayout[index]!;
      for (const record of result.records) {
        rows.push({ enriched: { record, derived: layout.enrich(record) }, shardId: batch.shardId, sequenceNumber: raw.sequenceNumber, rawBytes });
      }
      for (const dl of result.deadLetters) {
        const reason = state.layouts.length === 1 || dl.field !== null ? dl.reason : `${dl.reason} (the log config's layouts have ${[...state.byFieldCount.keys()].join(' or ')} fields)`;
        deadLetters.push(this.#stored({ ...dl, reason }, batch, raw.sequenceNumber, receivedAtMs));
      }
    }
    const current: LayoutGroup = { layout: state.layouts[0]!.parser.layout, rows: byLayout[0]! };
    const withRows = state.layouts.map((l, i) => ({ layout: l.parser.layout, rows: byLayout[i]! })).filter((g) => g.rows.length > 0);
    // No rows at all: one (empty) write of the current layout, for the dead letters.
    const groups = withRows.length === 0 ? [current] : withRows;
    const rows = groups.length === 1 ? groups[0]!.rows : groups.flatMap((g) => g.rows);
    return { rows, deadLetters, layout: groups[0]!.layout, groups };
  }

  counts(): ProcessedCounts {
    return { records: this.#records, deadLetters: this.#deadLetters, batches: this.#batches };
  }

  /** Unknown values of enumerated fields seen by every parser (field → value → count). */
  unknownValues(): Map<string, Map<string, number>> {
    const merged = new Map<string, Map<string, number>>();
    for (const { parser } of [...this.#formats.values()].flatMap((f) => f.layouts)) {
      for (const [field, values] of parser.unknownValues()) {
        const target = merged.get(field) ?? new Map<string, number>();
        for (const [value, n] of values) target.set(value, (target.get(value) ?? 0) + n);
        merged.set(field, target);
      }
    }
    return merged;
  }

  #count(rows: readonly RequestRow[], deadLetters: readonly StoredDeadLetter[]): void {
    this.#records += rows.length;
    this.#deadLetters += deadLetters.length;
    this.#batches++;
    this.#options.observer?.(rows, deadLetters);
  }

  #formatState(stream: string): FormatState {
    const format = this.#options.formatOf(stream);
    const formats = [format, ...(format.previous ?? [])];
    const key = formats.map((f) => `${f.samplingRate}|${f.layout.names.join(',')}`).join(';');
    const cached = this.#formats.get(stream);
    if (cached?.key === key) return cached;
    const byFieldCount = new Map<number, number>();
    const layouts: LayoutState[] = [];
    for (const f of formats) {
      // The first layout with a field count wins (the current one over retired ones).
      if (byFieldCount.has(f.layout.fields.length)) continue;
      byFieldCount.set(f.layout.fields.length, layouts.length);
      layouts.push({
        // Storage decodes the other fields itself (see storage/raw-request-rows.ts).
        parser: new LogParser(f.layout, { decodeOnly: ENRICHMENT_INPUTS }),
        enrich: createEnricher({ samplingRate: f.samplingRate, resolveDistribution: this.#options.resolveDistribution }),
      });
    }
    const state: FormatState = { key, layouts, byFieldCount };
    this.#formats.set(stream, state);
    return state;
  }

  #recordsAsDeadLetters(batch: RawBatch, rows: readonly RequestRow[], reason: string): StoredDeadLetter[] {
    const sequences = new Set(rows.map((r) => r.sequenceNumber));
    const receivedAtMs = (this.#options.now ?? Date.now)();
    return batch.records
      .filter((raw) => sequences.has(raw.sequenceNumber))
      .map((raw) => {
        const input = utf8.decode(raw.data).replace(/\r?\n$/, '');
        return this.#stored({ line: 1, reason, field: null, input }, batch, raw.sequenceNumber, receivedAtMs);
      });
  }

  /** A dead letter with where and when it was received. */
  #stored(deadLetter: DeadLetter, batch: RawBatch, sequenceNumber: string, receivedAtMs: number): StoredDeadLetter {
    return { ...deadLetter, source: this.#options.sourceKind, stream: batch.stream, shardId: batch.shardId, sequenceNumber, receivedAtMs };
  }
}
