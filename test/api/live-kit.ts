/**
 * Builds CloudFront log lines and a LiveTap + LiveHub on a hand-driven clock for the live-view tests.
 */
import type { RawRecord } from '../../processor/batch.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { LiveHub } from '../../api/live/live-hub.js';
import { LiveTap, type LiveTapOptions } from '../../api/live/live-tap.js';

/** Fields of the test log config, in canonical order (as CloudFront writes them). */
export const LIVE_TEST_FIELDS = [
  'timestamp',
  'c-ip',
  'time-to-first-byte',
  'sc-status',
  'sc-bytes',
  'cs-method',
  'cs-protocol',
  'cs-uri-stem',
  'x-edge-location',
  'x-edge-request-id',
  'x-host-header',
  'time-taken',
  'cs-protocol-version',
  'cs-user-agent',
  'ssl-protocol',
  'x-edge-result-type',
  'x-edge-detailed-result-type',
  'c-country',
  'cache-behavior-path-pattern',
] as const;

export const LIVE_TEST_LAYOUT = layoutOf(LIVE_TEST_FIELDS);

export type LineFields = Partial<Record<(typeof LIVE_TEST_FIELDS)[number], string>>;

export const DOMAINS: Readonly<Record<string, string>> = { 'd111.cloudfront.net': 'E111', 'd222.cloudfront.net': 'E222' };

export const resolveDomain = (domain: string | null): string => (domain === null ? '' : (DOMAINS[domain.toLowerCase()] ?? ''));

let requestCounter = 0;

/** A cache hit of /index.html served from IAD89-C1 to a desktop Chrome in the US; `fields` override. */
export function logLine(fields: LineFields = {}): string {
  requestCounter++;
  const values: Record<(typeof LIVE_TEST_FIELDS)[number], string> = {
    timestamp: '1700000000.123',
    'c-ip': '192.0.2.10',
    'time-to-first-byte': '0.002',
    'sc-status': '200',
    'sc-bytes': '1000',
    'cs-method': 'GET',
    'cs-protocol': 'https',
    'cs-uri-stem': '/index.html',
    'x-edge-location': 'IAD89-C1',
    'x-edge-request-id': `req-${requestCounter}`,
    'x-host-header': 'd111.cloudfront.net',
    'time-taken': '0.004',
    'cs-protocol-version': 'HTTP/2.0',
    'cs-user-agent': 'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/120.0.0.0%20Safari/537.36',
    'ssl-protocol': 'TLSv1.3',
    'x-edge-result-type': 'Hit',
    'x-edge-detailed-result-type': 'Hit',
    'c-country': 'US',
    'cache-behavior-path-pattern': '*',
    ...fields,
  };
  return `${LIVE_TEST_FIELDS.map((f) => values[f]).join('\t')}\n`;
}

let sequence = 0;

export function rawRecords(lines: readonly string[], arrivalMs: number): RawRecord[] {
  return lines.map((line) => ({ data: Buffer.from(line), sequenceNumber: String(++sequence), arrivalMs }));
}

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public nowMs: number) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface LiveRig {
  readonly clock: TestClock;
  readonly hub: LiveHub;
  readonly tap: LiveTap;
  /** Taps the lines (as one GetRecords response that arrived in the stream now) and parses them at once. */
  feed(lines: readonly string[], arrivalAgoMs?: number): void;
}

export function liveRig(options: Partial<Omit<LiveTapOptions, 'hub' | 'now'>> & { samplingRate?: number } = {}): LiveRig {
  const clock = new TestClock(1_700_000_000_000);
  const hub = new LiveHub({ now: clock.now });
  const { samplingRate = 100, ...tapOptions } = options;
  const tap = new LiveTap({
    hub,
    now: clock.now,
    sourceKind: 'kinesis',
    formatOf: () => ({ layout: LIVE_TEST_LAYOUT, samplingRate }),
    resolveDistribution: resolveDomain,
    ...tapOptions,
  });
  return {
    clock,
    hub,
    tap,
    feed(lines, arrivalAgoMs = 100) {
      tap.tap('edgewatch-test', 'shardId-000000000000', rawRecords(lines, clock.nowMs - arrivalAgoMs));
      tap.drain();
    },
  };
}

/** A hub on the real clock (its timer running) and a tap feeding it, for tests over HTTP. */
export function realTimeLive(samplingRate = 100): { hub: LiveHub; tap: LiveTap; feed(lines: readonly string[]): void; stop(): void } {
  const hub = new LiveHub();
  const tap = new LiveTap({ hub, sourceKind: 'kinesis', formatOf: () => ({ layout: LIVE_TEST_LAYOUT, samplingRate }), resolveDistribution: resolveDomain });
  hub.start();
  return {
    hub,
    tap,
    feed: (lines) => tap.tap('edgewatch-test', 'shardId-000000000000', rawRecords(lines, Date.now())),
    stop: () => {
      tap.stop();
      hub.stop();
    },
  };
}

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
  /** When the client had read it (Date.now()). */
  readonly receivedAtMs: number;
}

/** A Server-Sent Events response read with fetch, as the dashboard reads it. */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  #ended = false;
  #waiters: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(readonly response: Response) {
    this.done = this.#read();
  }

  get ended(): boolean {
    return this.#ended;
  }

  async #read(): Promise<void> {
    const body = this.response.body;
    if (body === null) throw new Error('the response has no body');
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.#parse(block);
        }
      }
    } catch {
      // Aborted by the test.
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  #parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) as unknown, receivedAtMs: Date.now() });
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** The first event (from the start of the stream) that satisfies `match`; rejects after `timeoutMs`. */
  async waitFor(match: (e: SseEvent) => boolean, timeoutMs = 5_000, what = 'an event'): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found !== undefined) return found;
      if (this.#ended) throw new Error(`the stream ended before ${what} arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the stream has ended (by the server); rejects after `timeoutMs`. */
  async waitForEnd(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the stream did not end within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
