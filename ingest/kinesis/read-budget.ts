/**
 * A shard's read budget for polling: at most 5 GetRecords calls per second and a byte rate (2 MB/s per
 * shard, shared by every polling application, so configurable). Bytes are a token bucket holding one
 * second's worth; a large response puts it in debt and the next call waits until the debt is paid.
 * Pure: time passed in.
 */

export interface ReadBudgetLimits {
  readonly callsPerSecond: number;
  readonly bytesPerSecond: number;
}

/** The service limits of one shard (reference §6.2). */
export const SHARD_READ_LIMITS: ReadBudgetLimits = { callsPerSecond: 5, bytesPerSecond: 2 * 1024 * 1024 };

const CALL_GAP_MARGIN = 1.05;

export class ReadBudget {
  private readonly minCallGapMs: number;
  private readonly bytesPerMs: number;
  private readonly capacity: number;
  private lastCallAtMs = Number.NEGATIVE_INFINITY;
  private tokens: number;
  private tokensAtMs = Number.NEGATIVE_INFINITY;

  constructor(limits: ReadBudgetLimits) {
    if (!(limits.callsPerSecond > 0) || !(limits.bytesPerSecond > 0)) {
      throw new RangeError(`read budget limits must be positive, got ${limits.callsPerSecond} calls/s and ${limits.bytesPerSecond} bytes/s`);
    }
    // Calls leave 5 % further apart than the limit: spaced exactly, a few ms of jitter on the way makes
    // the service count one call too many in some second and throttle the shard.
    this.minCallGapMs = (1000 / limits.callsPerSecond) * CALL_GAP_MARGIN;
    this.bytesPerMs = limits.bytesPerSecond / 1000;
    this.capacity = limits.bytesPerSecond;
    this.tokens = this.capacity;
  }

  /** The earliest time the next call may start. */
  nextCallAtMs(): number {
    const callsFreeAt = this.lastCallAtMs + this.minCallGapMs;
    const debt = -this.tokens;
    const bytesFreeAt = debt > 0 ? this.tokensAtMs + debt / this.bytesPerMs : Number.NEGATIVE_INFINITY;
    return Math.max(callsFreeAt, bytesFreeAt);
  }

  /** A call starts now. */
  onCall(nowMs: number): void {
    this.lastCallAtMs = nowMs;
  }

  /** A response of `bytes` arrived now. */
  onBytes(bytes: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= bytes;
  }

  private refill(nowMs: number): void {
    if (this.tokensAtMs !== Number.NEGATIVE_INFINITY) {
      this.tokens = Math.min(this.capacity, this.tokens + (nowMs - this.tokensAtMs) * this.bytesPerMs);
    }
    this.tokensAtMs = nowMs;
  }
}
