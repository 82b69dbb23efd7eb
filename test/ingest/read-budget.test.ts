import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from '../../ingest/kinesis/backoff.js';
import { RateWindow } from '../../ingest/kinesis/rate-window.js';
import { ReadBudget, SHARD_READ_LIMITS } from '../../ingest/kinesis/read-budget.js';
import { ShardReadStats } from '../../ingest/kinesis/shard-read-stats.js';

describe('ReadBudget', () => {
  it('allows at most 5 calls per second, spaced with a margin for jitter on the way', () => {
    const budget = new ReadBudget(SHARD_READ_LIMITS);
    expect(budget.nextCallAtMs()).toBe(Number.NEGATIVE_INFINITY);
    budget.onCall(10_000);
    expect(budget.nextCallAtMs()).toBe(10_210);
  });

  it('makes the next call wait until the bytes read are paid for at the byte rate', () => {
    const budget = new ReadBudget({ callsPerSecond: 5, bytesPerSecond: 1_000_000 });
    budget.onCall(0);
    // A full bucket holds one second's worth: 1 MB is free, the next 500 KB cost half a second.
    budget.onBytes(1_500_000, 100);
    expect(budget.nextCallAtMs()).toBe(600);
    budget.onCall(600);
    budget.onBytes(0, 700);
    // Refilled since: no debt left, only the call gap counts.
    expect(budget.nextCallAtMs()).toBe(810);
  });

  it('refuses limits that are not positive', () => {
    expect(() => new ReadBudget({ callsPerSecond: 5, bytesPerSecond: 0 })).toThrow(RangeError);
  });
});

describe('RateWindow', () => {
  it('averages over the seconds seen, then over a sliding window', () => {
    const rate = new RateWindow(10);
    expect(rate.perSecond(0)).toBe(0);
    rate.add(100, 0);
    rate.add(100, 1_500);
    expect(rate.perSecond(1_900)).toBe(100);
    // Twenty seconds later everything has left the window.
    expect(rate.perSecond(21_000)).toBe(0);
    rate.add(50, 21_000);
    expect(rate.perSecond(21_500)).toBe(5);
  });
});

describe('fullJitterDelayMs', () => {
  it('never waits less than the floor, and spreads over the whole bound', () => {
    const policy = { baseMs: 1_000, maxMs: 20_000 };
    expect(fullJitterDelayMs(1, policy, 1_000, () => 0)).toBe(1_000);
    expect(fullJitterDelayMs(1, policy, 1_000, () => 1)).toBe(2_000);
    expect(fullJitterDelayMs(3, policy, 1_000, () => 0.5)).toBe(3_000);
    expect(fullJitterDelayMs(40, policy, 1_000, () => 1)).toBe(21_000);
  });
});

describe('ShardReadStats', () => {
  it('counts reads, throttles and errors by kind, not cancellations', () => {
    const stats = new ShardReadStats();
    stats.onRead(10, 1_000, 5_000);
    stats.onError('throttled');
    stats.onError('throttled');
    stats.onError('transient');
    stats.onError('aborted');
    const figures = stats.figures('polling', 'worker-1', 5_500);
    expect(figures).toEqual({
      mode: 'polling',
      bytesRead: 1_000,
      recordsPerSecond: 10,
      bytesPerSecond: 1_000,
      throttles: 2,
      errors: { throttled: 2, 'expired-iterator': 0, 'stream-not-found': 0, transient: 1, fatal: 0 },
      leaseOwner: 'worker-1',
    });
  });
});
