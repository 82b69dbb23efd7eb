/**
 * A per-second rate over a sliding window of one-second buckets (records/s, bytes/s). Pure: time passed in.
 */
export class RateWindow {
  private readonly buckets: number[];
  private readonly windowS: number;
  /** The second the newest bucket counts; buckets older than the window are zeroed as time moves on. */
  private headSecond = Number.NEGATIVE_INFINITY;
  private firstSecond = Number.NEGATIVE_INFINITY;

  constructor(windowS = 10) {
    if (!Number.isInteger(windowS) || windowS <= 0) throw new RangeError(`windowS must be a positive integer, got ${windowS}`);
    this.windowS = windowS;
    this.buckets = new Array<number>(windowS).fill(0);
  }

  add(amount: number, nowMs: number): void {
    const second = this.advance(nowMs);
    if (this.firstSecond === Number.NEGATIVE_INFINITY) this.firstSecond = second;
    const index = second % this.windowS;
    this.buckets[index] = (this.buckets[index] ?? 0) + amount;
  }

  /** Average per second over the window, or over the time since the first sample when that is shorter. */
  perSecond(nowMs: number): number {
    const second = this.advance(nowMs);
    if (this.firstSecond === Number.NEGATIVE_INFINITY) return 0;
    const span = Math.min(this.windowS, second - this.firstSecond + 1);
    return this.buckets.reduce((sum, n) => sum + n, 0) / span;
  }

  private advance(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    if (second > this.headSecond) {
      const stale = this.headSecond === Number.NEGATIVE_INFINITY ? this.windowS : Math.min(this.windowS, second - this.headSecond);
      for (let i = 1; i <= stale; i++) this.buckets[(second - stale + i) % this.windowS] = 0;
      this.headSecond = second;
    }
    return this.headSecond;
  }
}
