/**
 * The live tap: takes the records of every source read (before batching), parses and enriches them
 * the way the batch processor does, and publishes them to the LiveHub.
 *
 * It must never slow or break ingestion: `tap` only queues (bounded by records and bytes) and
 * returns; the queue is worked off in short slices between other I/O, at most `maxRecordsPerSecond`
 * records a second. What does not fit is dropped and counted, and every subscriber sees that count.
 * Nothing is done while no one subscribes. Errors stay here.
 */
import { createEnricher, ENRICHMENT_INPUTS, type Enricher } from '../../processor/enrich/enrich.js';
import type { LogFormat } from '../../processor/batch-processor.js';
import type { RawRecord } from '../../processor/batch.js';
import { F } from '../../processor/fields/catalogue.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import type { LiveEntry } from './live-entry.js';
import { toLiveEntry } from './live-entry.js';
import type { LiveHub } from './live-hub.js';

export interface LiveTapOptions {
  readonly hub: LiveHub;
  /** The format of a stream's records (its real-time log config), as the batch processor reads it. */
  readonly formatOf: (stream: string) => LogFormat;
  readonly resolveDistribution: (domain: string | null) => string;
  /** Kind of source tapped: 'kinesis', 'kafka', … (the `source` filter). */
  readonly sourceKind: string;
  /** Records waiting to be parsed, at most; default 10000. */
  readonly maxQueuedRecords?: number;
  /** Payload bytes waiting to be parsed, at most; default 16 MiB. */
  readonly maxQueuedBytes?: number;
  /**
   * Records parsed per second, at most: bounds the CPU the live view takes from ingestion. Parsing and
   * enriching a record costs some 40–80 µs, so the default 5000 takes at most a fifth to a third of a core.
   */
  readonly maxRecordsPerSecond?: number;
  /** Records that arrived in the stream longer ago than this are a backlog, not live; default 60000. */
  readonly maxRecordAgeMs?: number;
  /** Records parsed before yielding to other work (some milliseconds); default 100. */
  readonly sliceRecords?: number;
  readonly now?: () => number;
  /** A failure inside the tap (a stream without log config, a bug); called at most once per stream and kind. */
  readonly onError?: (err: unknown, context: { stream: string; step: string }) => void;
}

export interface LiveTapStats {
  readonly queuedRecords: number;
  readonly published: number;
  readonly dropped: number;
  readonly stale: number;
  readonly invalid: number;
}

interface QueuedRead {
  readonly stream: string;
  readonly records: readonly RawRecord[];
  readonly readAtMs: number;
  /** Index of the next record to parse. */
  next: number;
}

interface FormatState {
  readonly key: string;
  readonly parser: LogParser;
  readonly enrich: Enricher;
}

/** What the live view reads beyond what enrichment reads. */
const LIVE_INPUTS: ReadonlySet<number> = new Set([...ENRICHMENT_INPUTS, F.x_edge_request_id, F.cache_behavior_path_pattern]);

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export class LiveTap {
  readonly #options: LiveTapOptions;
  readonly #hub: LiveHub;
  readonly #now: () => number;
  readonly #maxQueuedRecords: number;
  readonly #maxQueuedBytes: number;
  readonly #maxRecordsPerSecond: number;
  readonly #maxRecordAgeMs: number;
  readonly #sliceRecords: number;
  readonly #formats = new Map<string, FormatState>();
  readonly #reported = new Set<string>();
  readonly #queue: QueuedRead[] = [];
  #queuedRecords = 0;
  #queuedBytes = 0;
  #scheduled: NodeJS.Immediate | null = null;
  #budgetSecond = 0;
  #budgetUsed = 0;
  #stopped = false;
  #published = 0;
  #dropped = 0;
  #stale = 0;
  #invalid = 0;

  constructor(options: LiveTapOptions) {
    this.#options = options;
    this.#hub = options.hub;
    this.#now = options.now ?? Date.now;
    this.#maxQueuedRecords = positive('maxQueuedRecords', options.maxQueuedRecords ?? 10_000);
    this.#maxQueuedBytes = positive('maxQueuedBytes', options.maxQueuedBytes ?? 16 * 1024 * 1024);
    this.#maxRecordsPerSecond = positive('maxRecordsPerSecond', options.maxRecordsPerSecond ?? 5_000);
    this.#maxRecordAgeMs = positive('maxRecordAgeMs', options.maxRecordAgeMs ?? 60_000);
    this.#sliceRecords = positive('sliceRecords', options.sliceRecords ?? 100);
  }

  /** The source's hook (a `RecordTap`): queues the records of one read and returns at once. */
  readonly tap = (stream: string, _shardId: string, records: readonly RawRecord[]): void => {
    if (this.#stopped || records.length === 0 || !this.#hub.hasSubscribers()) return;
    let bytes = 0;
    let fit = 0;
    const room = this.#maxQueuedRecords - this.#queuedRecords;
    while (fit < records.length && fit < room && this.#queuedBytes + bytes + records[fit]!.data.length <= this.#maxQueuedBytes) {
      bytes += records[fit]!.data.length;
      fit++;
    }
    if (fit < records.length) this.#drop(records.length - fit);
    if (fit === 0) return;
    this.#queue.push({ stream, records: fit === records.length ? records : records.slice(0, fit), readAtMs: this.#now(), next: 0 });
    this.#queuedRecords += fit;
    this.#queuedBytes += bytes;
    this.#schedule();
  };

  /** Parses everything queued now (tests; the tap itself works off the queue in slices). */
  drain(): void {
    while (this.#queue.length > 0) this.#work(Infinity);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    this.#clear();
  }

  stats(): LiveTapStats {
    return { queuedRecords: this.#queuedRecords, published: this.#published, dropped: this.#dropped, stale: this.#stale, invalid: this.#invalid };
  }

  #schedule(): void {
    if (this.#scheduled !== null || this.#stopped) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = null;
      try {
        this.#work(this.#sliceRecords);
      } catch (err) {
        this.#report('work', '', err);
      }
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  /** Parses up to `limit` queued records and publishes them. */
  #work(limit: number): void {
    if (!this.#hub.hasSubscribers()) {
      this.#clear();
      return;
    }
    const entries: LiveEntry[] = [];
    let done = 0;
    let stale = 0;
    let invalid = 0;
    let dropped = 0;
    while (done < limit && this.#queue.length > 0) {
      const read = this.#queue[0]!;
      const state = this.#formatState(read.stream);
      while (read.next < read.records.length && done < limit) {
        const raw = read.records[read.next++]!;
        done++;
        this.#queuedRecords--;
        this.#queuedBytes -= raw.data.length;
        if (state === null) {
          dropped++;
        } else if (read.readAtMs - raw.arrivalMs > this.#maxRecordAgeMs) {
          stale++;
        } else if (!this.#takeBudget()) {
          dropped++;
        } else {
          try {
            const result = state.parser.parsePayload(utf8.decode(raw.data));
            invalid += result.deadLetters.length;
            for (const record of result.records) entries.push(toLiveEntry({ record, derived: state.enrich(record) }, this.#options.sourceKind));
          } catch (err) {
            dropped++;
            this.#report('parse', read.stream, err);
          }
        }
      }
      if (read.next >= read.records.length) this.#queue.shift();
    }
    this.#published += entries.length;
    this.#stale += stale;
    this.#invalid += invalid;
    this.#dropped += dropped;
    if (stale + invalid + dropped > 0) this.#hub.noteLoss({ stale, invalid, dropped });
    if (entries.length > 0) this.#hub.publish(entries);
  }

  #clear(): void {
    this.#queue.length = 0;
    this.#queuedRecords = 0;
    this.#queuedBytes = 0;
  }

  #takeBudget(): boolean {
    const second = Math.floor(this.#now() / 1000);
    if (second !== this.#budgetSecond) {
      this.#budgetSecond = second;
      this.#budgetUsed = 0;
    }
    if (this.#budgetUsed >= this.#maxRecordsPerSecond) return false;
    this.#budgetUsed++;
    return true;
  }

  #drop(count: number): void {
    this.#dropped += count;
    this.#hub.noteLoss({ dropped: count });
  }

  /** Parser and enricher for the stream's current log config; null (records dropped) when it has none. */
  #formatState(stream: string): FormatState | null {
    try {
      const format: LogFormat = this.#options.formatOf(stream);
      const key = `${format.samplingRate}|${format.layout.names.join(',')}`;
      const cached = this.#formats.get(stream);
      if (cached?.key === key) return cached;
      const state: FormatState = {
        key,
        parser: new LogParser(format.layout, { decodeOnly: LIVE_INPUTS }),
        enrich: createEnricher({ samplingRate: format.samplingRate, resolveDistribution: this.#options.resolveDistribution }),
      };
      this.#formats.set(stream, state);
      return state;
    } catch (err) {
      this.#report('format', stream, err);
      return null;
    }
  }

  #report(step: string, stream: string, err: unknown): void {
    const key = `${step}|${stream}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#options.onError?.(err, { stream, step });
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`LiveTap ${name} must be a positive integer, got ${value}`);
  return value;
}
