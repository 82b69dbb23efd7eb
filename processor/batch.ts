/**
 * What the processor accepts from a source (Kinesis, later Kafka): a contiguous range of one shard.
 */

/** One record as read from the stream. */
export interface RawRecord {
  /** Record payload: one or more newline-terminated log lines. */
  readonly data: Uint8Array;
  readonly sequenceNumber: string;
  /** Kinesis `ApproximateArrivalTimestamp` in epoch ms. */
  readonly arrivalMs: number;
}

/**
 * A contiguous range of one shard. The source records the range before the batch is written, so
 * after a crash the same range is re-read and re-cut into exactly the same batch, and the insert
 * deduplication token derived from it repeats.
 */
export interface RawBatch {
  readonly stream: string;
  readonly shardId: string;
  readonly firstSequence: string;
  readonly lastSequence: string;
  readonly records: readonly RawRecord[];
}

/** Resolves only once every record of the batch is durable (stored or dead-lettered). */
export type BatchHandler = (batch: RawBatch) => Promise<void>;

/** A pipeline stage. */
export interface Stage {
  start(): Promise<void>;
  /** Stops taking new work, drains what is in flight and commits it. */
  stop(): Promise<void>;
}
