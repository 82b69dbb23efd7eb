/**
 * Imports one file or S3 object: lines → fixed-size chunks → parse + enrich → one durable write per
 * chunk, with a deduplication token from the object and the chunk, then the ledger.
 *
 * Exactly once: chunks are cut by input line number (`chunkLines` input lines each, headers
 * included), so every run cuts the same chunks and sends the same tokens; a chunk that reached
 * ClickHouse before a crash is dropped there on the next run. The ledger records how many leading
 * chunks are durable, so a re-run does not even parse those again, and marks the object finished.
 */
import { createEnricher, ENRICHMENT_INPUTS, type Enricher } from '../../processor/enrich/enrich.js';
import type { Layout } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { StandardLogReader } from '../../processor/parse/standard-log-parser.js';
import type { WriteBatch } from '../../processor/storage/clickhouse-writer.js';
import { DataError } from '../../processor/storage/errors.js';
import type { RequestRow, StoredDeadLetter } from '../../processor/storage/row-encoder.js';
import { chunkToken } from './chunk-token.js';
import { detectFormat, type LogFormat } from './format-detect.js';
import type { ImportLedger } from './import-ledger.js';
import type { ImportObject } from './import-object.js';
import { decodeLines } from './line-decoder.js';

/** Where chunks go (the ClickHouse writer); resolves once the chunk is durable. */
export interface ChunkSink {
  write(batch: WriteBatch): Promise<void>;
}

export interface RealtimeFormat {
  /** Field set the real-time lines were logged with (canonical order). */
  readonly layout: Layout;
  /** The rate (1–100 %) the log config sampled at. */
  readonly samplingRate: number;
}

export interface ObjectImporterOptions {
  readonly sink: ChunkSink;
  readonly ledger: ImportLedger;
  /** Forced format; detected per object when absent. */
  readonly format?: LogFormat;
  readonly realtime: RealtimeFormat;
  /** Maps a CloudFront domain to its distribution ID ('' when unknown). */
  readonly resolveDistribution: (domain: string | null) => string;
  /** Distribution every row belongs to, whatever its domain or key says. */
  readonly distributionId?: string;
  /** Input lines per chunk for objects not started yet (a started one keeps its ledger value). */
  readonly chunkLines: number;
  /** Chunks parsed ahead of the one being written. Default 1. */
  readonly chunksAhead?: number;
  /** Minimum time between two ledger progress rows of one object. Default 1000 ms. */
  readonly ledgerIntervalMs?: number;
  readonly signal?: AbortSignal;
}

export interface ObjectProgress {
  readonly lines: number;
  readonly deadLetters: number;
  readonly bytes: number;
}

export interface ObjectResult {
  readonly status: 'imported' | 'skipped';
  readonly format: LogFormat | null;
  /** Lines stored by this run (rows and dead letters), chunks skipped on resume excluded. */
  readonly lines: number;
  readonly deadLetters: number;
  /** Chunks of an earlier run that this run did not read again. */
  readonly resumedChunks: number;
}

interface Chunk {
  readonly index: number;
  /** Line number (1-based) of the chunk's first line. */
  readonly firstLine: number;
  readonly lines: string[];
}

interface Processed {
  readonly rows: RequestRow[];
  readonly deadLetters: StoredDeadLetter[];
  readonly layout: Layout | null;
}

interface FormatState {
  readonly parser: LogParser;
  readonly enrich: Enricher;
}

export class ObjectImporter {
  readonly #options: ObjectImporterOptions;
  readonly #states = new Map<string, FormatState>();

  constructor(options: ObjectImporterOptions) {
    this.#options = options;
  }

  async import(object: ImportObject, onProgress: (delta: ObjectProgress) => void): Promise<ObjectResult> {
    const options = this.#options;
    const entry = await options.ledger.get(object.uri, object.etag);
    if (entry?.finished === true) {
      return { status: 'skipped', format: entry.format === 'standard' ? 'standard' : 'realtime', lines: 0, deadLetters: 0, resumedChunks: 0 };
    }
    const chunkLines = entry?.chunkLines ?? options.chunkLines;
    const resumeChunks = entry?.chunksDone ?? 0;
    const input = await decodeLines(await object.open());

    let format: LogFormat | null = options.format ?? null;
    const standard = new StandardLogReader();
    let done = { chunks: resumeChunks, lines: entry?.lines ?? 0, deadLetters: entry?.deadLetters ?? 0 };
    let lastLedgerMs = Date.now();
    let reportedBytes = 0;
    const ledgerIntervalMs = options.ledgerIntervalMs ?? 1000;
    // `bytes`: input read when the chunk was cut, so progress counts bytes as their lines are stored,
    // not as far as parsing has read ahead.
    const pending: { chunk: Chunk; write: Promise<Processed>; bytes: number }[] = [];
    let runLines = 0;
    let runDeadLetters = 0;

    const record = (finished: boolean) =>
      options.ledger.record({
        uri: object.uri,
        etag: object.etag,
        size: object.size,
        format: format ?? 'realtime',
        chunkLines,
        chunksDone: done.chunks,
        lines: done.lines,
        deadLetters: done.deadLetters,
        finished,
      });

    const settleOldest = async (): Promise<void> => {
      const oldest = pending.shift();
      if (oldest === undefined) return;
      const processed = await oldest.write;
      const lines = processed.rows.length + processed.deadLetters.length;
      done = { chunks: oldest.chunk.index + 1, lines: done.lines + lines, deadLetters: done.deadLetters + processed.deadLetters.length };
      runLines += lines;
      runDeadLetters += processed.deadLetters.length;
      const bytes = Math.max(oldest.bytes, reportedBytes);
      onProgress({ lines, deadLetters: processed.deadLetters.length, bytes: bytes - reportedBytes });
      reportedBytes = bytes;
      if (Date.now() - lastLedgerMs >= ledgerIntervalMs) {
        lastLedgerMs = Date.now();
        await record(false);
      }
    };

    let lineNumber = 0;
    let chunk: Chunk = { index: 0, firstLine: 1, lines: [] };
    const submit = async (): Promise<void> => {
      const current = chunk;
      chunk = { index: current.index + 1, firstLine: lineNumber + 1, lines: [] };
      if (current.index < resumeChunks) return;
      while (pending.length > (options.chunksAhead ?? 1)) await settleOldest();
      const write = this.#writeChunk(object, current, format ?? 'realtime', standard, chunkLines);
      // Settled in order by settleOldest; a rejection is seen there.
      write.catch(() => undefined);
      pending.push({ chunk: current, write, bytes: input.bytesRead() });
    };

    try {
      for await (const lines of input.lines) {
        options.signal?.throwIfAborted();
        for (const line of lines) {
          lineNumber++;
          if (format === null) {
            format = detectFormat(line, keyLooksStandard(object));
          }
          if (chunk.index < resumeChunks) {
            // Already durable: only the headers matter (they define the fields of what follows).
            if (format === 'standard' && line.startsWith('#')) standard.read(line);
          } else {
            chunk.lines.push(line);
          }
          if (lineNumber % chunkLines === 0) await submit();
        }
      }
      if (chunk.lines.length > 0) await submit();
      while (pending.length > 0) await settleOldest();
    } catch (err) {
      // Leave nothing running behind: later chunks may still be in the writer's queue.
      await Promise.allSettled(pending.map((p) => p.write));
      throw err;
    }
    const bytes = input.bytesRead();
    if (bytes > reportedBytes) onProgress({ lines: 0, deadLetters: 0, bytes: bytes - reportedBytes });
    await record(true);
    return { status: 'imported', format, lines: runLines, deadLetters: runDeadLetters, resumedChunks: resumeChunks };
  }

  /** Parses, enriches and writes one chunk; resolves when it is durable. */
  async #writeChunk(object: ImportObject, chunk: Chunk, format: LogFormat, standard: StandardLogReader, chunkLines: number): Promise<Processed> {
    const token = chunkToken(object.uri, object.etag, chunkLines, chunk.index);
    // Standard headers are read now, in line order, before the next chunk is cut.
    const batches = format === 'standard' ? this.#processStandard(object, chunk, standard) : this.#processRealtime(object, chunk);
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      // One token per (chunk, layout part): a token never names two different blocks.
      const partToken = i === 0 ? token : `${token}:${i}`;
      try {
        await this.#options.sink.write({ token: partToken, rows: batch.rows, deadLetters: batch.deadLetters, ...(batch.layout ? { layout: batch.layout } : {}) });
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        // ClickHouse refused the rows themselves: keep every line as a dead letter instead.
        const reason = `storage rejected the chunk: ${err.message}`;
        const all = [...batch.deadLetters, ...batch.rows.map((row) => this.#dead(object, Number(row.sequenceNumber), row.enriched.record.rawLine ?? '', null, reason))];
        await this.#options.sink.write({ token: `${partToken}:rejected`, rows: [], deadLetters: all });
        batch.deadLetters.splice(0, batch.deadLetters.length, ...all);
        batch.rows.length = 0;
      }
    }
    return {
      rows: batches.flatMap((b) => b.rows),
      deadLetters: batches.flatMap((b) => b.deadLetters),
      layout: null,
    };
  }

  #processRealtime(object: ImportObject, chunk: Chunk): Processed[] {
    const { layout, samplingRate } = this.#options.realtime;
    const state = this.#state(layout, samplingRate, 'realtime', object.distributionId);
    const rows: RequestRow[] = [];
    const deadLetters: StoredDeadLetter[] = [];
    let lineNumber = chunk.firstLine - 1;
    for (const line of chunk.lines) {
      lineNumber++;
      if (line.length === 0 || line === '\r') continue;
      this.#parseInto(object, state, line, lineNumber, rows, deadLetters, null);
    }
    return [{ rows, deadLetters, layout }];
  }

  #processStandard(object: ImportObject, chunk: Chunk, reader: StandardLogReader): Processed[] {
    const parts: Processed[] = [];
    let rows: RequestRow[] = [];
    let deadLetters: StoredDeadLetter[] = [];
    let layout = reader.layout;
    let lineNumber = chunk.firstLine - 1;
    for (const line of chunk.lines) {
      lineNumber++;
      if (line.length === 0 || line === '\r') continue;
      const result = reader.read(line);
      if (result.kind === 'header') {
        if (result.layout !== layout) {
          if (rows.length > 0 || deadLetters.length > 0) parts.push({ rows, deadLetters, layout });
          rows = [];
          deadLetters = [];
          layout = result.layout;
        }
        continue;
      }
      if (result.kind === 'error') {
        deadLetters.push(this.#dead(object, lineNumber, line, result.field, result.reason));
        continue;
      }
      const state = this.#state(reader.layout!, 100, 'standard', object.distributionId);
      this.#parseInto(object, state, result.line, lineNumber, rows, deadLetters, line);
    }
    if (rows.length > 0 || deadLetters.length > 0) parts.push({ rows, deadLetters, layout });
    return parts;
  }

  #parseInto(
    object: ImportObject,
    state: FormatState,
    line: string,
    lineNumber: number,
    rows: RequestRow[],
    deadLetters: StoredDeadLetter[],
    original: string | null,
  ): void {
    const result = state.parser.parseLine(line, lineNumber);
    if (result.ok) {
      rows.push({ enriched: { record: result.record, derived: state.enrich(result.record) }, shardId: object.name, sequenceNumber: String(lineNumber) });
    } else {
      const dl = result.deadLetter;
      deadLetters.push(this.#dead(object, lineNumber, original ?? dl.input, dl.field, dl.reason));
    }
  }

  #state(layout: Layout, samplingRate: number, source: LogFormat, keyDistribution: string | null): FormatState {
    const key = `${source}|${samplingRate}|${keyDistribution ?? ''}|${layout.names.join(',')}`;
    let state = this.#states.get(key);
    if (state === undefined) {
      const forced = this.#options.distributionId ?? (source === 'standard' ? keyDistribution : null) ?? null;
      const resolve = forced === null ? this.#options.resolveDistribution : () => forced;
      state = {
        // Storage decodes the other fields itself (see storage/raw-request-rows.ts).
        parser: new LogParser(layout, { decodeOnly: ENRICHMENT_INPUTS }),
        enrich: createEnricher({ samplingRate, resolveDistribution: resolve, source }),
      };
      this.#states.set(key, state);
    }
    return state;
  }

  #dead(object: ImportObject, line: number, input: string, field: string | null, reason: string): StoredDeadLetter {
    return { line, input, field, reason, source: 'import', stream: object.uri, shardId: object.name, sequenceNumber: String(line), receivedAtMs: Date.now() };
  }
}

function keyLooksStandard(object: ImportObject): boolean {
  return object.distributionId !== null;
}
