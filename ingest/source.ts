/**
 * Source-side types shared by the Kinesis source and the health report.
 */

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
