/**
 * Source-side types shared by the Kinesis source and the health report.
 */
import type { RawRecord } from '../processor/batch.js';

/** Per-shard state shown by `/healthz` and metrics. */
export interface ShardStatus {
  readonly shardId: string;
  readonly millisBehindLatest: number | null;
  readonly lastSequence: string | null;
  readonly recordsRead: number;
  readonly finished: boolean;
}

/** Where the simulator and `replay` write records: one payload per log line, as CloudFront does. */
export interface RecordSink {
  /** Writes the payloads; resolves once all are accepted (throttled ones retried). */
  putRecords(payloads: readonly Buffer[]): Promise<void>;
}

/**
 * Sees the records of every read (one GetRecords response) as soon as the source has them, before
 * batching, for live views that cannot wait for a batch to be cut. Called synchronously on the read
 * path, so it must return quickly (queue the work, bound it); a throw is caught and does not stop
 * the read. Seeing a record here says nothing about its durability.
 */
export type RecordTap = (stream: string, shardId: string, records: readonly RawRecord[]) => void;
