/**
 * The live feed of a processor (`edgewatch process`): the records of every stored batch are summed
 * into per-second counter cells (api/live/live-cells.ts) published once a second, and a bounded
 * sample of them (`recordsPerSecond`) is published as the batches come, to the live topic that every
 * `serve` replica reads. It never slows or breaks processing: `observe` only counts and queues;
 * messages go out one send at a time, and what does not fit the bounded queue is dropped and
 * counted (as `dropped` of the next second). Records read long after they reached the stream (a
 * backlog) are counted as stale, not live, as the in-process live view does.
 *
 * Filters the `serve` replicas pushed down (`pushedFilters`) are applied to every record too: their
 * counts go out once a second in `filtered` messages, and up to each filter's rate of matching
 * records a second in `records` messages marked with the filter.
 */
import { cellKeyOf, LiveCellAggregator } from '../api/live/live-cells.js';
import { emptyLoss, type LiveLoss } from '../api/live/live-counters.js';
import { toLiveEntry, type LiveEntry } from '../api/live/live-entry.js';
import { FilteredCellAggregator, type CompiledPushedFilter } from '../api/live/live-filter-pushdown.js';
import type { SampledLiveRecord } from '../api/live/live-hub.js';
import { toLiveRecord } from '../api/live/live-record.js';
import type { KafkaPublisher } from '../ingest/kafka/kafka-client.js';
import type { RequestRow } from '../processor/storage/row-encoder.js';
import { encodeLiveFeedMessage, LIVE_FEED_VERSION, type LiveFeedMessage } from './live-feed-message.js';
import type { Logger } from './logger.js';
import { settleWithin } from './settle-within.js';

export interface LiveFeedPublisherOptions {
  readonly publisher: KafkaPublisher;
  readonly topic: string;
  /** This processor's name in the messages (and their key: one processor's messages stay in order). */
  readonly processorId: string;
  /** Kind of source the records were read from ('kinesis', 'kafka'). */
  readonly sourceKind: string;
  /** Counter cells per second, at most; beyond, one overflow cell per sampling rate. */
  readonly maxCells: number;
  /** Sampled records per second, at most (0: none); per pushed filter too. */
  readonly recordsPerSecond: number;
  /** The filters `serve` replicas pushed down, to apply to every record (none by default). */
  readonly pushedFilters?: () => readonly CompiledPushedFilter[];
  /** Records that reached the stream longer ago than this are a backlog, not live; default 60000. */
  readonly maxRecordAgeMs?: number;
  /** Messages waiting to be sent, at most; default 64. */
  readonly maxQueuedMessages?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface LiveFeedPublisherStats {
  readonly messagesSent: number;
  readonly messagesDropped: number;
  readonly sendErrors: number;
  /** Messages waiting or being sent. */
  readonly queuedMessages: number;
}

/** Cells per message: a busy second of 2000 cells makes a few messages of some 100 KB. */
const CELLS_PER_MESSAGE = 500;
/** Places (country × POP × rate) per pushed filter and second; further records count without a place. */
const CELLS_PER_FILTER = 500;
/** Pushed filters per `filtered` message: a busy second stays a few messages of a few hundred KB. */
const FILTERS_PER_MESSAGE = 8;
const SECOND_MS = 1_000;

interface Queued {
  readonly message: LiveFeedMessage;
  /** Records it stands for, counted as dropped when it cannot be sent. */
  readonly records: number;
}

export class LiveFeedPublisher {
  readonly #options: LiveFeedPublisherOptions;
  readonly #now: () => number;
  readonly #maxRecordAgeMs: number;
  readonly #maxQueued: number;
  readonly #cells: LiveCellAggregator;
  readonly #filtered = new FilteredCellAggregator(CELLS_PER_FILTER);
  /** Records sampled this second per pushed filter. */
  #sampledPerFilter = new Map<string, number>();
  #loss: LiveLoss = emptyLoss();
  #second: number;
  #sampledThisSecond = 0;
  readonly #queue: Queued[] = [];
  #sending: Promise<void> | null = null;
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #sent = 0;
  #dropped = 0;
  #sendErrors = 0;

  constructor(options: LiveFeedPublisherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxRecordAgeMs = options.maxRecordAgeMs ?? 60_000;
    this.#maxQueued = options.maxQueuedMessages ?? 64;
    this.#cells = new LiveCellAggregator(options.maxCells);
    this.#second = floorSecond(this.#now());
  }

  /** Publishes each second's cells on a timer aligned to the clock's seconds. */
  start(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#schedule();
  }

  /**
   * The rows of one stored batch (BatchProcessor's observer), the number of its dead letters, and
   * when its newest record reached the stream (null: unknown, taken as live).
   */
  observe(rows: readonly RequestRow[], deadLetters: number, arrivalMs: number | null): void {
    if (this.#stopped) return;
    this.#roll();
    this.#loss.invalid += deadLetters;
    if (rows.length === 0) return;
    if (arrivalMs !== null && this.#now() - arrivalMs > this.#maxRecordAgeMs) {
      this.#loss.stale += rows.length;
      return;
    }
    const budget = Math.min(rows.length, this.#options.recordsPerSecond - this.#sampledThisSecond);
    // Sampled records spread evenly over the batch: every `stride`-th row.
    const stride = budget > 0 ? rows.length / budget : Infinity;
    let nextSample = 0;
    const sampled: SampledLiveRecord[] = [];
    const pushed = this.#options.pushedFilters?.() ?? [];
    const sampledFor = new Map<string, SampledLiveRecord[]>();
    for (const filter of pushed) this.#filtered.track(filter.id);
    for (const [i, row] of rows.entries()) {
      const entry = toLiveEntry(row.enriched, this.#options.sourceKind);
      this.#cells.add(entry);
      if (sampled.length < budget && i >= nextSample) {
        sampled.push({ key: cellKeyOf(entry), record: toLiveRecord(entry) });
        nextSample += stride;
      }
      for (const filter of pushed) {
        if (!filter.match(entry)) continue;
        this.#filtered.add(filter.id, entry);
        this.#samplePushed(filter, entry, sampledFor);
      }
    }
    this.#sampledThisSecond += sampled.length;
    const processor = this.#options.processorId;
    // A filter's own samples first: a hub that gets them stops handing that filter's subscribers the general sample.
    for (const [filter, records] of sampledFor) {
      this.#enqueue({ message: { v: LIVE_FEED_VERSION, kind: 'records', processor, records, filter }, records: 0 });
    }
    if (sampled.length > 0) {
      this.#enqueue({ message: { v: LIVE_FEED_VERSION, kind: 'records', processor, records: sampled }, records: 0 });
    }
  }

  /** Takes the record as a sample of the filter while the filter's rate for this second allows. */
  #samplePushed(filter: CompiledPushedFilter, entry: LiveEntry, into: Map<string, SampledLiveRecord[]>): void {
    const rate = Math.min(filter.recordsPerSecond, this.#options.recordsPerSecond);
    const taken = this.#sampledPerFilter.get(filter.id) ?? 0;
    if (taken >= rate) return;
    this.#sampledPerFilter.set(filter.id, taken + 1);
    let records = into.get(filter.id);
    if (records === undefined) {
      records = [];
      into.set(filter.id, records);
    }
    records.push({ key: cellKeyOf(entry), record: toLiveRecord(entry) });
  }

  /** Publishes the current second's cells now, and starts a new second (the timer calls this). */
  flushSecond(): void {
    const t = this.#second;
    this.#second = Math.max(this.#second + SECOND_MS, floorSecond(this.#now()));
    this.#sampledThisSecond = 0;
    this.#sampledPerFilter = new Map();
    const { cells, overflowRecords } = this.#cells.take();
    const filtered = this.#filtered.take();
    const loss = this.#loss;
    this.#loss = emptyLoss();
    const processor = this.#options.processorId;
    for (let at = 0; at < filtered.length; at += FILTERS_PER_MESSAGE) {
      const part = filtered.slice(at, at + FILTERS_PER_MESSAGE);
      const records = part.reduce((sum, f) => sum + f.cells.reduce((n, c) => n + c.counts.n, 0), 0);
      this.#enqueue({ message: { v: LIVE_FEED_VERSION, kind: 'filtered', processor, t, filters: part }, records });
    }
    if (cells.length === 0 && loss.dropped + loss.stale + loss.invalid === 0) return;
    for (let at = 0; at === 0 || at < cells.length; at += CELLS_PER_MESSAGE) {
      const part = cells.slice(at, at + CELLS_PER_MESSAGE);
      const first = at === 0;
      this.#enqueue({
        message: { v: LIVE_FEED_VERSION, kind: 'second', processor, t, cells: part, overflowRecords: first ? overflowRecords : 0, loss: first ? loss : emptyLoss() },
        records: part.reduce((sum, c) => sum + c.counts.n, 0),
      });
    }
  }

  /** Publishes the last second and waits (up to `deadlineMs`) for the messages under way. */
  async stop(deadlineMs = 5_000): Promise<void> {
    if (this.#stopped) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.flushSecond();
    this.#stopped = true;
    await settleWithin(this.#drained(), deadlineMs);
  }

  stats(): LiveFeedPublisherStats {
    return { messagesSent: this.#sent, messagesDropped: this.#dropped, sendErrors: this.#sendErrors, queuedMessages: this.#queue.length + this.#inFlight };
  }

  #roll(): void {
    if (floorSecond(this.#now()) > this.#second && this.#timer === null) this.flushSecond();
  }

  #enqueue(item: Queued): void {
    if (this.#queue.length >= this.#maxQueued) {
      this.#dropped += 1;
      this.#loss.dropped += item.records;
      return;
    }
    this.#queue.push(item);
    this.#sending ??= this.#sendAll();
  }

  async #sendAll(): Promise<void> {
    try {
      for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
        this.#inFlight = 1;
        try {
          await this.#options.publisher.send(this.#options.topic, [{ key: this.#options.processorId, value: encodeLiveFeedMessage(item.message), headers: {} }]);
          this.#sent += 1;
        } catch (err) {
          this.#sendErrors += 1;
          this.#dropped += 1;
          if (!this.#stopped) this.#loss.dropped += item.records;
          if (this.#sendErrors === 1 || this.#sendErrors % 100 === 0) {
            this.#options.logger.warn({ component: 'live-feed', err, topic: this.#options.topic, sendErrors: this.#sendErrors }, 'live feed message not sent; processing is not affected');
          }
        } finally {
          this.#inFlight = 0;
        }
      }
    } finally {
      this.#sending = null;
    }
  }

  async #drained(): Promise<void> {
    while (this.#sending !== null) await this.#sending;
  }

  #schedule(): void {
    const now = this.#now();
    const delay = floorSecond(now) + SECOND_MS - now + 5;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      this.flushSecond();
      this.#schedule();
    }, delay);
    this.#timer.unref();
  }
}

function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}
