/**
 * How a shard reader gets its records: polling (GetShardIterator + GetRecords) or enhanced fan-out
 * (SubscribeToShard). The reader keeps one batching and checkpoint path for both; a fetcher only
 * moves records from Kinesis to the reader and throws Kinesis errors for the reader to classify.
 */
import type { ShardIteratorType, _Record } from '@aws-sdk/client-kinesis';
import type { SourceLogger } from './source-logger.js';

export type ReadMode = 'polling' | 'fan-out';

/** Where reading (re)starts: the reader's position after the last record it read, or its start position. */
export interface ReadPosition {
  readonly type: ShardIteratorType;
  readonly sequenceNumber?: string;
}

export interface FetchedRecords {
  readonly records: readonly _Record[];
  /** How far this response is behind the tip of the shard; null when the response did not say. */
  readonly millisBehindLatest: number | null;
  /** The closed shard has been read to its end. */
  readonly shardEnd: boolean;
  /** Children named at the shard's end (fan-out's ChildShards); empty otherwise. */
  readonly childShardIds: readonly string[];
}

export interface RecordFetcher {
  readonly mode: ReadMode;
  /** The Kinesis operation the last fetch called, for log lines. */
  readonly operation: string;
  /**
   * The next records. `from` is consulted whenever the fetcher has no position of its own (first
   * call, after `reposition`). Rejects with the Kinesis (or network) error; AbortError once `signal` aborts.
   */
  fetch(from: () => ReadPosition, signal: AbortSignal): Promise<FetchedRecords>;
  /** When the next fetch may start, given the last result and when its call started (pacing). */
  nextFetchAtMs(last: FetchedRecords, callStartedAtMs: number): number;
  /** Forget the position (iterator, subscription): the next fetch starts again from `from()`. */
  reposition(): void;
  /** Releases what the fetcher holds (a subscription's connection). */
  close(): void;
}

export interface FetcherContext {
  readonly streamName: string;
  readonly shardId: string;
  readonly logger: SourceLogger;
  /** A polling fetcher for this shard, for a factory that falls back to polling. */
  readonly polling: () => RecordFetcher;
}

/** Chooses the fetcher for each shard reader (the enhanced fan-out factory; polling when absent). */
export interface RecordFetcherFactory {
  create(context: FetcherContext): RecordFetcher;
}

export function recordBytes(records: readonly _Record[]): number {
  let bytes = 0;
  for (const record of records) bytes += record.Data?.byteLength ?? 0;
  return bytes;
}
