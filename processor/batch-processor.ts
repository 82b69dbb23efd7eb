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

interface FormatState {
  readonly key: string;
  readonly parser: LogParser;
  readonly enrich: Enricher;
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
    const { rows, deadLetters, layout } = this.process(batch);
    const token = batchToken(batch.stream, batch.shardId, batch.firstSequence, batch.lastSequence);
    try {
      await this.#options.sink.write({ token, rows, deadLetters, layout });
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

  /** Parses and enriches a batch without writing it (pure apart from the parser's counters). */
  process(batch: RawBatch): { rows: RequestRow[]; deadLetters: StoredDeadLetter[]; layout: Layout } {
    const state = this.#formatState(batch.stream);
    const rows: RequestRow[] = [];
    const deadLetters: StoredDeadLetter[] = [];
    const receivedAtMs = (this.#options.now ?? Date.now)();
    for (const raw of batch.records) {
      const text = utf8.decode(raw.data);
      const result = state.parser.parsePayload(text);
      // One line per record (as CloudFront writes): storage can copy the received bytes.
      const rawBytes = result.records.length === 1 && result.deadLetters.length === 0 ? lineBytes(raw.data) : undefined;
      for (const record of result.records) {
        rows.push({ enriched: { record, derived: state.enrich(record) }, shardId: batch.shardId, sequenceNumber: raw.sequenceNumber, rawBytes });
      }
      for (const dl of result.deadLetters) deadLetters.push(this.#stored(dl, batch, raw.sequenceNumber, receivedAtMs));
    }
    return { rows, deadLetters, layout: state.parser.layout };
  }

  counts(): ProcessedCounts {
    return { records: this.#records, deadLetters: this.#deadLetters, batches: this.#batches };
  }

  /** Unknown values of enumerated fields seen by every parser (field → value → count). */
  unknownValues(): Map<string, Map<string, number>> {
    const merged = new Map<string, Map<string, number>>();
    for (const { parser } of this.#formats.values()) {
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
    const key = `${format.samplingRate}|${format.layout.names.join(',')}`;
    const cached = this.#formats.get(stream);
    if (cached?.key === key) return cached;
    const state: FormatState = {
      key,
      // Storage decodes the other fields itself (see storage/raw-request-rows.ts).
      parser: new LogParser(format.layout, { decodeOnly: ENRICHMENT_INPUTS }),
      enrich: createEnricher({ samplingRate: format.samplingRate, resolveDistribution: this.#options.resolveDistribution }),
    };
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
