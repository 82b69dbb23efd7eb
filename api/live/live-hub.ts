/**
 * The live hub: per-second counters and sampled records for each subscriber, kept in the process
 * (the live view and alerts never poll ClickHouse). A LiveTap publishes parsed records; each
 * subscriber has its own filters, receives one `SecondCounters` per second (zeros included) and,
 * if it wants them, at most `recordsPerSecond` matching records per second as they arrive.
 *
 * A second is the one in which the hub received the record (milliseconds after the source read it).
 * Subscriber callbacks run synchronously; one that throws is removed, the others go on.
 *
 * A hub fed by counter cells (`feed: 'cells'`, the `serve` role of a scale-out deployment) gets the
 * counters already summed by dimension (`publishCells`) and sampled records apart (`publishSampled`);
 * it accepts only the filters cells can answer (`unsupportedFilter`).
 *
 * Observers (`observe`) are in-process consumers, such as the alert evaluator, that need every
 * record's detail rather than counters: they get each published batch whole, before any filter or
 * rate, and the losses as they are noted.
 */
import type { CellKey, LiveCell, UnsupportedCellFilter } from './live-cells.js';
import { addCell, compileCellFilter, unsupportedCellFilter, weightOf } from './live-cells.js';
import type { CounterMeasures, LiveLoss, SecondCounters } from './live-counters.js';
import { addMeasure, emptyLoss, emptyMeasures, ratiosOf } from './live-counters.js';
import type { LiveEntry } from './live-entry.js';
import type { LiveFilters } from './live-filter.js';
import { compileLiveFilter } from './live-filter.js';
import { PlaceCounter } from './live-places.js';
import type { LiveRecord } from './live-record.js';
import { toLiveRecord } from './live-record.js';

export interface LiveSubscriberOptions {
  readonly filters: LiveFilters;
  /** Most records per second handed to `onRecord`; 0 (the default) for counters only. */
  readonly recordsPerSecond?: number;
  /** Called once per closed second with the counters of the records that matched. */
  readonly onSecond: (counters: SecondCounters) => void;
  readonly onRecord?: (record: LiveRecord) => void;
  /** Called when the hub stops (the subscription is over). */
  readonly onClose?: () => void;
}

export interface LiveSubscription {
  readonly id: number;
  /** Ends the subscription; idempotent. */
  close(): void;
}

/** Sees every published batch whole (no filters, no rate) and what the live view had to drop. */
export interface LiveObserver {
  /** Called synchronously with each batch the tap publishes; keep it short, it runs on the ingest path's heels. */
  readonly onEntries: (entries: readonly LiveEntry[]) => void;
  /** Records the live view could not take (dropped, stale, invalid), as they are noted. */
  readonly onLoss?: (loss: Partial<LiveLoss>) => void;
  /** Called when the hub stops. */
  readonly onClose?: () => void;
}

export interface LiveHubOptions {
  readonly now?: () => number;
  /** A subscriber callback threw and was removed. */
  readonly onSubscriberError?: (err: unknown, subscriberId: number) => void;
  /**
   * What feeds the hub: `records` (default: a LiveTap publishes parsed records) or `cells` (counters
   * summed upstream by dimension, and sampled records apart).
   */
  readonly feed?: 'records' | 'cells';
}

/** A sampled record of a cell-fed hub, with the dimensions its filters match on. */
export interface SampledLiveRecord {
  readonly key: CellKey;
  readonly record: LiveRecord;
}

interface Subscriber {
  readonly id: number;
  readonly match: (entry: LiveEntry) => boolean;
  /** The cells the filters select (cell-fed hubs only). */
  readonly matchCell: ((key: CellKey | null) => boolean) | null;
  /** Records of this second the filters could not be applied to (overflow cells): reported as dropped. */
  unattributed: number;
  readonly recordsPerSecond: number;
  readonly options: LiveSubscriberOptions;
  measures: CounterMeasures;
  readonly places: PlaceCounter;
  recordsSent: number;
  recordsOverRate: number;
}

const SECOND_MS = 1_000;
/** After a stall (a blocked event loop, a suspended machine) empty seconds are filled in up to this many. */
const MAX_FILLED_SECONDS = 60;

export class LiveHub {
  readonly #now: () => number;
  readonly #onSubscriberError: ((err: unknown, subscriberId: number) => void) | undefined;
  readonly #feed: 'records' | 'cells';
  readonly #subscribers = new Map<number, Subscriber>();
  readonly #observers = new Map<number, LiveObserver>();
  #nextId = 1;
  #second: number;
  #loss: LiveLoss = emptyLoss();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: LiveHubOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onSubscriberError = options.onSubscriberError;
    this.#feed = options.feed ?? 'records';
    this.#second = floorSecond(this.#now());
  }

  /** Closes seconds on a timer aligned to the clock's seconds. */
  start(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#schedule();
  }

  /** Ends every subscription (their `onClose` runs) and the timer. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const subscribers = [...this.#subscribers.values()];
    this.#subscribers.clear();
    for (const sub of subscribers) this.#call(sub, () => sub.options.onClose?.());
    const observers = [...this.#observers.entries()];
    this.#observers.clear();
    for (const [id, observer] of observers) this.#callObserver(id, () => observer.onClose?.());
  }

  /** True once stopped: no subscription is accepted any more. */
  get stopped(): boolean {
    return this.#stopped;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  get observerCount(): number {
    return this.#observers.size;
  }

  /** True when someone listens (a subscriber or an observer): the tap does no work otherwise. */
  hasSubscribers(): boolean {
    return this.#subscribers.size > 0 || this.#observers.size > 0;
  }

  /** Adds an observer; it stays until closed or until the hub stops. */
  observe(observer: LiveObserver): LiveSubscription {
    if (this.#stopped) throw new Error('the live hub is stopped');
    const id = this.#nextId++;
    this.#observers.set(id, observer);
    return { id, close: () => void this.#observers.delete(id) };
  }

  /** The first filter this hub cannot apply (a cell-fed hub answers only cell dimensions); null when all can be. */
  unsupportedFilter(filters: LiveFilters): UnsupportedCellFilter | null {
    return this.#feed === 'cells' ? unsupportedCellFilter(filters) : null;
  }

  subscribe(options: LiveSubscriberOptions): LiveSubscription {
    if (this.#stopped) throw new Error('the live hub is stopped');
    const problem = this.unsupportedFilter(options.filters);
    if (problem !== null) throw new RangeError(`${problem.parameter}: ${problem.reason}`);
    const recordsPerSecond = options.recordsPerSecond ?? 0;
    if (!Number.isInteger(recordsPerSecond) || recordsPerSecond < 0) {
      throw new RangeError(`recordsPerSecond must be a non-negative integer, got ${recordsPerSecond}`);
    }
    this.#roll(this.#now());
    const id = this.#nextId++;
    this.#subscribers.set(id, {
      id,
      match: compileLiveFilter(options.filters),
      matchCell: this.#feed === 'cells' ? compileCellFilter(options.filters) : null,
      unattributed: 0,
      recordsPerSecond: options.onRecord === undefined ? 0 : recordsPerSecond,
      options,
      measures: emptyMeasures(),
      places: new PlaceCounter(),
      recordsSent: 0,
      recordsOverRate: 0,
    });
    return { id, close: () => void this.#subscribers.delete(id) };
  }

  /** Adds records to the current second of every subscriber they match and hands out sampled ones. */
  publish(entries: readonly LiveEntry[]): void {
    this.#roll(this.#now());
    for (const [id, observer] of [...this.#observers.entries()]) this.#callObserver(id, () => observer.onEntries(entries));
    if (this.#subscribers.size === 0) return;
    for (const entry of entries) {
      // Converted once, only if some subscriber takes it.
      let record: LiveRecord | undefined;
      for (const sub of this.#subscribers.values()) {
        if (!sub.match(entry)) continue;
        addMeasure(sub.measures, entry.measure);
        sub.places.add(entry);
        const onRecord = sub.options.onRecord;
        if (onRecord === undefined || sub.recordsPerSecond === 0) continue;
        if (sub.recordsSent >= sub.recordsPerSecond) {
          sub.recordsOverRate += 1;
          continue;
        }
        sub.recordsSent += 1;
        record ??= toLiveRecord(entry);
        const sent = record;
        this.#call(sub, () => onRecord(sent));
      }
    }
  }

  /**
   * Adds counter cells (summed upstream) to the current second of every subscriber whose filters
   * select them. `overflowRecords`: records in overflow cells, which filtered subscribers cannot see.
   */
  publishCells(cells: readonly LiveCell[], overflowRecords = 0): void {
    this.#roll(this.#now());
    for (const sub of this.#subscribers.values()) {
      const match = sub.matchCell;
      if (match === null) continue;
      let unattributed = overflowRecords;
      for (const cell of cells) {
        if (!match(cell.key)) continue;
        addCell(sub.measures, cell);
        const w = weightOf(cell.samplingRate);
        if (cell.key === null) {
          // Counted by this subscriber after all (it has no filter).
          unattributed -= cell.counts.n;
          sub.places.addUnplaced(w * cell.counts.n);
        } else {
          sub.places.addCount(cell.key.country, cell.key.pop, w * cell.counts.n, w * cell.counts.bytes);
        }
      }
      sub.unattributed += Math.max(0, unattributed);
    }
  }

  /** Hands sampled records (their counts come with the cells) to the subscribers they match, within each one's rate. */
  publishSampled(records: readonly SampledLiveRecord[]): void {
    this.#roll(this.#now());
    for (const { key, record } of records) {
      for (const sub of this.#subscribers.values()) {
        const onRecord = sub.options.onRecord;
        if (onRecord === undefined || sub.recordsPerSecond === 0 || sub.matchCell === null || !sub.matchCell(key)) continue;
        if (sub.recordsSent >= sub.recordsPerSecond) {
          sub.recordsOverRate += 1;
          continue;
        }
        sub.recordsSent += 1;
        this.#call(sub, () => onRecord(record));
      }
    }
  }

  /** Counts records the live view could not show (reported in every subscriber's next counters). */
  noteLoss(loss: Partial<LiveLoss>): void {
    this.#roll(this.#now());
    this.#loss.dropped += loss.dropped ?? 0;
    this.#loss.stale += loss.stale ?? 0;
    this.#loss.invalid += loss.invalid ?? 0;
    for (const [id, observer] of [...this.#observers.entries()]) {
      const onLoss = observer.onLoss;
      if (onLoss !== undefined) this.#callObserver(id, () => onLoss(loss));
    }
  }

  /** Closes every second that has ended by `nowMs` (the timer calls this; tests call it directly). */
  tick(nowMs: number = this.#now()): void {
    this.#roll(nowMs);
  }

  #roll(nowMs: number): void {
    const current = floorSecond(nowMs);
    if (current <= this.#second) return;
    this.#emit(this.#second);
    const gap = (current - this.#second) / SECOND_MS - 1;
    const filled = Math.min(gap, MAX_FILLED_SECONDS);
    for (let i = filled; i >= 1; i--) this.#emit(current - i * SECOND_MS);
    this.#second = current;
  }

  #emit(second: number): void {
    const loss = this.#loss;
    this.#loss = emptyLoss();
    for (const sub of [...this.#subscribers.values()]) {
      const measures = sub.measures;
      const counters: SecondCounters = {
        t: second,
        ...measures,
        ...ratiosOf(measures),
        ...loss,
        dropped: loss.dropped + sub.unattributed,
        ...sub.places.take(),
        recordsSent: sub.recordsSent,
        recordsOverRate: sub.recordsOverRate,
      };
      sub.measures = emptyMeasures();
      sub.unattributed = 0;
      sub.recordsSent = 0;
      sub.recordsOverRate = 0;
      this.#call(sub, () => sub.options.onSecond(counters));
    }
  }

  #call(sub: Subscriber, callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.#subscribers.delete(sub.id);
      this.#onSubscriberError?.(err, sub.id);
    }
  }

  #callObserver(id: number, callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.#observers.delete(id);
      this.#onSubscriberError?.(err, id);
    }
  }

  #schedule(): void {
    const now = this.#now();
    // A few ms past the boundary, so the second has certainly ended when the timer runs.
    const delay = floorSecond(now) + SECOND_MS - now + 5;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.tick();
      if (!this.#stopped) this.#schedule();
    }, delay);
    this.#timer.unref();
  }
}

function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}
