/**
 * What one shard reader has read and suffered, for /healthz and /metrics: totals, rates over a sliding
 * window, the last MillisBehindLatest, throttles and errors by kind.
 */
import type { KinesisErrorKind } from './kinesis-errors.js';
import { RateWindow } from './rate-window.js';
import type { ReadMode } from './record-fetcher.js';

/** Error kinds that are counted (a cancelled call is not an error). */
export type CountedErrorKind = Exclude<KinesisErrorKind, 'aborted'>;

export const COUNTED_ERROR_KINDS: readonly CountedErrorKind[] = ['throttled', 'expired-iterator', 'stream-not-found', 'transient', 'fatal'];

export interface ShardReadFigures {
  readonly mode: ReadMode;
  readonly bytesRead: number;
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Reads refused for being over the shard's limits (ProvisionedThroughputExceeded, LimitExceeded, ...). */
  readonly throttles: number;
  readonly errors: Readonly<Record<CountedErrorKind, number>>;
  /** The worker holding this shard's lease, when leases are in use. */
  readonly leaseOwner: string | null;
}

export class ShardReadStats {
  private readonly recordRate = new RateWindow();
  private readonly byteRate = new RateWindow();
  private readonly errorCounts: Record<CountedErrorKind, number> = {
    throttled: 0,
    'expired-iterator': 0,
    'stream-not-found': 0,
    transient: 0,
    fatal: 0,
  };
  records = 0;
  bytes = 0;
  millisBehindLatest: number | null = null;

  onRead(records: number, bytes: number, nowMs: number): void {
    this.records += records;
    this.bytes += bytes;
    this.recordRate.add(records, nowMs);
    this.byteRate.add(bytes, nowMs);
  }

  onError(kind: KinesisErrorKind): void {
    if (kind !== 'aborted') this.errorCounts[kind] += 1;
  }

  figures(mode: ReadMode, leaseOwner: string | null, nowMs: number): ShardReadFigures {
    return {
      mode,
      bytesRead: this.bytes,
      recordsPerSecond: round2(this.recordRate.perSecond(nowMs)),
      bytesPerSecond: round2(this.byteRate.perSecond(nowMs)),
      throttles: this.errorCounts.throttled,
      errors: { ...this.errorCounts },
      leaseOwner,
    };
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
