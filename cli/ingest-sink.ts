/**
 * Where `edgewatch ingest` hands the ranges it reads: Kafka (scale-out, `edgewatch process` stores
 * them) or, without Kafka, parsed and stored in-process as `edgewatch start` does.
 */
import type { BatchHandler } from '../processor/batch.js';

export interface IngestSinkStats {
  readonly records: number;
  readonly deadLetters: number;
  readonly lastWriteAtMs: number | null;
  readonly lastErrorAtMs: number | null;
  readonly writeErrors: number;
  readonly unknownValues: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface IngestSink {
  /** What the banner and the start log say the ranges go to. */
  readonly description: string;
  readonly handler: BatchHandler;
  /** Batch limits the sink can take (a Kafka message must hold a whole range). */
  readonly limits: { readonly maxBatchRecords: number; readonly maxBatchBytes: number };
  stats(): IngestSinkStats;
  /** Called after the source has drained: closes the clients. */
  stop(): Promise<void>;
}
