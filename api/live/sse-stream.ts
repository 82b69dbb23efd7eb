/**
 * One Server-Sent Events response. Messages are skipped, never buffered without bound, while the
 * client does not keep up (the socket has not drained or holds more than `maxBufferedBytes`); the
 * caller counts what `send` skipped and tells the client. Heartbeat comments keep proxies and
 * the client's idle timers from closing a quiet stream.
 */
import type { ServerResponse } from 'node:http';

export interface SseStreamOptions {
  /** Interval of heartbeat comments; default 15000. */
  readonly heartbeatMs?: number;
  /** Bytes the socket may hold unsent before messages are skipped; default 256 KiB. */
  readonly maxBufferedBytes?: number;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-store, no-transform',
  'x-content-type-options': 'nosniff',
  // Reverse proxies (nginx) must pass each message on at once.
  'x-accel-buffering': 'no',
} as const;

export class SseStream {
  readonly #res: ServerResponse;
  readonly #maxBufferedBytes: number;
  readonly #heartbeatMs: number;
  readonly #closeListeners: (() => void)[] = [];
  #heartbeat: NodeJS.Timeout | null = null;
  #opened = false;
  #skipped = 0;
  #closed = false;

  constructor(res: ServerResponse, options: SseStreamOptions = {}) {
    this.#res = res;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 256 * 1024;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
  }

  /** Takes over the response: writes the head now, with `headers` (e.g. those other hooks set). Nothing is sent before. */
  open(headers: Record<string, string | number | readonly string[]>): void {
    if (this.#opened || this.#closed) return;
    this.#opened = true;
    const res = this.#res;
    if (res.destroyed || res.socket?.destroyed === true) {
      // The client left before the stream began.
      this.close();
      return;
    }
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    res.flushHeaders();
    res.once('close', () => this.close());
    res.on('error', () => this.close());
    this.#heartbeat = setInterval(() => this.comment('heartbeat'), this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Messages skipped so far because the client did not keep up. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Sends one event; `data()` builds its JSON payload only if it goes out. False when skipped or closed. */
  send(event: string, data: () => unknown): boolean {
    if (!this.#writable()) {
      if (this.#opened && !this.#closed) this.#skipped++;
      return false;
    }
    const payload = JSON.stringify(data());
    // JSON.stringify escapes CR and LF, so the payload is one `data:` line whatever the record holds.
    this.#res.write(`event: ${event}\ndata: ${payload}\n\n`);
    return true;
  }

  comment(text: string): void {
    if (this.#writable()) this.#res.write(`: ${text}\n\n`);
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closeListeners.push(listener);
  }

  /** Ends the response (if still open) and runs the close listeners once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    if (this.#opened && !this.#res.writableEnded) this.#res.end();
    for (const listener of this.#closeListeners.splice(0)) listener();
  }

  #writable(): boolean {
    const res = this.#res;
    if (!this.#opened || this.#closed || res.destroyed || res.writableEnded) return false;
    return !res.writableNeedDrain && res.writableLength <= this.#maxBufferedBytes;
  }
}
