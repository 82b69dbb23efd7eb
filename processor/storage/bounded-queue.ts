/**
 * A first-in, first-out queue that runs at most `concurrency` tasks at a time and holds at most
 * `maxQueued` waiting ones. FIFO is what makes a slow query and the inserts behind it take turns
 * instead of one starving the other. The time tasks spend waiting is measured.
 */
import { QueueFullError } from './errors.js';

export interface QueueStats {
  readonly running: number;
  readonly queued: number;
  /** Total time tasks have spent waiting for a slot. */
  readonly waitMsTotal: number;
  readonly completed: number;
  readonly rejected: number;
}

interface Waiter {
  readonly enqueuedAt: number;
  readonly start: () => void;
}

export class BoundedQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private waitMsTotal = 0;
  private completed = 0;
  private rejected = 0;
  private idleResolvers: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`queue concurrency must be a positive integer, got ${concurrency}`);
    }
    if (!(maxQueued >= 0)) throw new RangeError(`queue maxQueued must be ≥ 0, got ${maxQueued}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  stats(): QueueStats {
    return {
      running: this.running,
      queued: this.waiting.length,
      waitMsTotal: this.waitMsTotal,
      completed: this.completed,
      rejected: this.rejected,
    };
  }

  /** Resolves once nothing runs and nothing waits. */
  onIdle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) {
      this.rejected++;
      return Promise.reject(new QueueFullError(this.maxQueued));
    }
    return new Promise((resolve) => {
      this.waiting.push({ enqueuedAt: performance.now(), start: resolve });
    });
  }

  private release(): void {
    this.completed++;
    const next = this.waiting.shift();
    if (next) {
      // The slot passes straight to the next waiter, so `running` stays the same.
      this.waitMsTotal += performance.now() - next.enqueuedAt;
      next.start();
      return;
    }
    this.running--;
    if (this.running === 0) {
      const resolvers = this.idleResolvers;
      this.idleResolvers = [];
      for (const resolve of resolvers) resolve();
    }
  }
}
