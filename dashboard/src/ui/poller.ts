/**
 * Asks for something again and again while its answer says there is more to watch (an import is
 * running), and stops when it says not or when stopped (the view went away). One request at a
 * time: the next is scheduled only after the answer, so a slow server is never asked twice at once.
 */

export interface PollerOptions<T> {
  readonly intervalMs: number;
  readonly fetch: (signal: AbortSignal) => Promise<T>;
  /** Whether to ask again after this answer. */
  readonly again: (value: T) => boolean;
  readonly onValue: (value: T) => void;
  /** An error stops the polling; `poll()` starts it again. */
  readonly onError: (err: unknown) => void;
  /** Stops the poller when aborted (the view went away). */
  readonly signal?: AbortSignal;
}

export class Poller<T> {
  readonly #options: PollerOptions<T>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #controller = new AbortController();
  #inFlight = false;
  #stopped = false;

  constructor(options: PollerOptions<T>) {
    this.#options = options;
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
    if (options.signal?.aborted === true) this.stop();
  }

  /** True while another request is due (an answer asked for more). */
  get scheduled(): boolean {
    return this.#timer !== undefined;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Asks now (and keeps asking while the answers say so); a request already under way answers instead. */
  poll(): void {
    if (this.#stopped || this.#inFlight) return;
    this.#clearTimer();
    this.#inFlight = true;
    const signal = this.#controller.signal;
    this.#options.fetch(signal).then(
      (value) => {
        this.#inFlight = false;
        if (this.#stopped) return;
        this.#options.onValue(value);
        if (this.#options.again(value)) this.#timer = setTimeout(() => this.#fire(), this.#options.intervalMs);
      },
      (err: unknown) => {
        this.#inFlight = false;
        if (!this.#stopped) this.#options.onError(err);
      },
    );
  }

  /** No more requests; the one under way is cancelled and its answer dropped. */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    this.#controller.abort();
  }

  #fire(): void {
    this.#timer = undefined;
    this.poll();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
