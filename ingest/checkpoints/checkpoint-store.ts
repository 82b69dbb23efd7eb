/**
 * Where a source keeps its progress per shard.
 */

export interface SequenceRange {
  readonly first: string;
  readonly last: string;
}

export interface ShardCheckpoint {
  /** Last sequence number whose record (and every one before it) is durable; null = none yet. */
  readonly sequenceNumber: string | null;
  /** Range recorded before its insert and not yet committed; replayed as exactly one batch. */
  readonly inFlight: SequenceRange | null;
  /** The shard is closed and read to its end. */
  readonly finished: boolean;
}

export interface CheckpointStore {
  load(stream: string, shardId: string): Promise<ShardCheckpoint | undefined>;
  /** Records the range about to be written (before the write). */
  markInFlight(stream: string, shardId: string, range: SequenceRange): Promise<void>;
  /** Marks `sequenceNumber` (and everything before it) durable and clears the in-flight range. */
  commit(stream: string, shardId: string, sequenceNumber: string): Promise<void>;
  /** Marks a closed shard as read to its end. */
  markFinished(stream: string, shardId: string): Promise<void>;
}
