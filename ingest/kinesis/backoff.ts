/**
 * Retry delays (exponential backoff with jitter) and an abortable sleep.
 */

export interface BackoffPolicy {
  /** Upper bound of the first delay. */
  readonly baseMs: number;
  /** Upper bound of every delay. */
  readonly maxMs: number;
}

/**
 * Delay before retry number `attempt` (1-based). "Equal jitter": half of the exponential bound is fixed
 * and half random, so callers spread out yet never retry sooner than half the bound (throttling
 * needs at least a second).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const bound = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(bound / 2 + (random() * bound) / 2);
}

/**
 * "Full jitter" on top of a floor: `floorMs` plus a random part of the exponential bound. Readers that
 * were throttled together spread out over the whole window instead of retrying in step, and none
 * retries inside the penalty window (at least 1 s after a throttle).
 */
export function fullJitterDelayMs(attempt: number, policy: BackoffPolicy, floorMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const bound = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(floorMs + random() * bound);
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects; the timer does not hold the process open. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
