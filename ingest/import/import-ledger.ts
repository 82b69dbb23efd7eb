/**
 * The import ledger in ClickHouse (`imported_objects`): what was imported, how far, and whether it
 * finished. Rows are appended; the latest per object wins (ReplacingMergeTree, read with FINAL).
 */
import type { ClickHouse } from '../../processor/storage/clickhouse.js';

export interface LedgerEntry {
  readonly uri: string;
  readonly etag: string;
  readonly size: number;
  readonly format: string;
  readonly chunkLines: number;
  readonly chunksDone: number;
  /** Lines of the chunks done (rows and dead letters). */
  readonly lines: number;
  readonly deadLetters: number;
  readonly finished: boolean;
}

interface LedgerRow {
  uri: string;
  etag: string;
  size: string | number;
  format: string;
  chunk_lines: number;
  chunks_done: number;
  lines: string | number;
  dead_letters: string | number;
  finished: number;
}

export class ImportLedger {
  readonly #table: string;
  #lastUpdateMs = 0;

  constructor(private readonly ch: ClickHouse) {
    this.#table = `${ch.database}.imported_objects`;
  }

  /** The latest entry of an object with this content, or null. */
  async get(uri: string, etag: string): Promise<LedgerEntry | null> {
    const rows = await this.ch.query<LedgerRow>(
      `SELECT uri, etag, size, format, chunk_lines, chunks_done, lines, dead_letters, finished
       FROM ${this.#table} FINAL WHERE uri = {uri:String} AND etag = {etag:String} LIMIT 1`,
      { uri, etag },
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      uri: row.uri,
      etag: row.etag,
      size: Number(row.size),
      format: row.format,
      chunkLines: Number(row.chunk_lines),
      chunksDone: Number(row.chunks_done),
      lines: Number(row.lines),
      deadLetters: Number(row.dead_letters),
      finished: Number(row.finished) === 1,
    };
  }

  async record(entry: LedgerEntry): Promise<void> {
    // Strictly increasing versions, even for two updates within one millisecond.
    const now = Math.max(Date.now(), this.#lastUpdateMs + 1);
    this.#lastUpdateMs = now;
    await this.ch.command(
      `INSERT INTO ${this.#table} (uri, etag, size, format, chunk_lines, chunks_done, lines, dead_letters, finished, updated_at)
       VALUES ({uri:String}, {etag:String}, {size:UInt64}, {format:String}, {chunkLines:UInt32}, {chunksDone:UInt32},
               {lines:UInt64}, {deadLetters:UInt64}, {finished:UInt8}, fromUnixTimestamp64Milli({now:Int64}, 'UTC'))`,
      { ...entry, finished: entry.finished ? 1 : 0, now },
    );
  }
}
