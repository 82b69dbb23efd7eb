/**
 * The pipeline's health as `/healthz` reports it.
 */

export interface ShardHealth {
  readonly shardId: string;
  readonly millisBehindLatest: number | null;
  readonly lastSequence: string | null;
  readonly recordsRead: number;
  readonly finished: boolean;
  /** The following are reported for Kinesis shards that have a reader. */
  readonly stream?: string;
  /** How records are read: GetRecords polling or enhanced fan-out (SubscribeToShard). */
  readonly readMode?: 'polling' | 'fan-out';
  readonly bytesRead?: number;
  /** Over the last 10 seconds. */
  readonly recordsPerSecond?: number;
  readonly bytesPerSecond?: number;
  /** Reads refused for being over the shard's limits. */
  readonly throttles?: number;
  /** Read errors by kind (throttled, expired-iterator, stream-not-found, transient, fatal). */
  readonly errors?: Readonly<Record<string, number>>;
  /** The worker holding the shard's lease; null without leases. */
  readonly leaseOwner?: string | null;
}

export interface HealthReport {
  readonly status: 'starting' | 'ok' | 'degraded' | 'stopping';
  readonly uptimeS: number;
  readonly recordsIngested: number;
  readonly deadLetters: number;
  readonly lastInsertAt: string | null;
  readonly insertErrors: number;
  /** Values of enumerated fields that edgewatch does not know yet (field → value → count): kept, not dropped. */
  readonly unknownValues: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly shards: readonly ShardHealth[];
}

export type HealthSource = () => HealthReport;

export interface HealthSignals {
  readonly stopping: boolean;
  readonly uptimeS: number;
  readonly shardCount: number;
  readonly lastInsertAtMs: number | null;
  readonly lastInsertErrorAtMs: number | null;
}

/** Shards are listed within seconds of a start; none after this long means the stream is unreachable. */
const SHARD_DISCOVERY_GRACE_S = 30;

/**
 * 'degraded' while inserts fail (the last attempt failed after the last success) or no shard of the
 * stream could be listed; load balancers and operators see it as a 503.
 */
export function healthStatus(signals: HealthSignals): HealthReport['status'] {
  if (signals.stopping) return 'stopping';
  const failing = signals.lastInsertErrorAtMs !== null && signals.lastInsertErrorAtMs > (signals.lastInsertAtMs ?? 0);
  const noShards = signals.shardCount === 0 && signals.uptimeS >= SHARD_DISCOVERY_GRACE_S;
  return failing || noShards ? 'degraded' : 'ok';
}
