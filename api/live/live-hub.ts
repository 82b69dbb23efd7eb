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
 * it answers from cells the filters cells can answer and refuses the others (`unsupportedFilter`).
 * With `pushDown`, every filtered subscription is also applied by the processors
 * (api/live/live-filter-pushdown.ts): `pushedFilters` lists them for announcing and `publishFiltered`
 * takes their counts. Those counts are exact whatever the cell budget, so once the first of them has
 * arrived for a filter set, its subscribers stop taking cells; until then (the processors learn of a
 * new filter within a second or two) filters that cells can answer are answered from cells, the
 * others count nothing yet.
 *
 * Observers (`observe`) are in-process consumers, such as the alert evaluator, that need every
 * record's detail rather than counters: they get each published batch whole, before any filter or
 * rate, and the losses as they are noted.
 */
import type { CellKey, LiveCell, UnsupportedCellFilter } from './live-cells.js';
import { addCell, compileCellFilter, unsupportedCellFilter, weightOf } from './live-cells.js';
import { canonicalLiveFilters, liveFilterId, selectsAll, type FilteredSecond, type PushedFilter } from './live-filter-pushdown.js';
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
  /**
   * Cell-fed hubs only: filters cells cannot answer are pushed down to the processors instead of
   * refused; `onPushedFiltersChange` runs when the set of pushed filters changes.
   */
  readonly pushDown?: boolean;
  readonly onPushedFiltersChange?: () => void;
}

/** A sampled record of a cell-fed hub, with the dimensions its filters match on. */
export interface SampledLiveRecord {
  readonly key: CellKey;
  readonly record: LiveRecord;
}

interface Subscriber {
  readonly id: number;
  readonly match: (entry: LiveEntry) => boolean;
  /** The cells the filters select (cell-fed hubs, filters cells can answer). */
  readonly matchCell: ((key: CellKey | null) => boolean) | null;
  /** The pushed filter whose counts and records this subscriber takes (cell-fed hubs, other filters). */
  readonly pushedId: string | null;
  /** Records of this second the filters could not be applied to (overflow cells): reported as dropped. */
  unattributed: number;
  /** Records of this second a pushed filter selected (its processors sampled some of them). */
  pushedMatched: number;
  readonly recordsPerSecond: number;
  readonly options: LiveSubscriberOptions;
  measures: CounterMeasures;
  readonly places: PlaceCounter;
  recordsSent: number;
  recordsOverRate: number;
}

const SECOND_MS = 1_000;
/** Pushed counts come every second a processor stores records; after this long without any, cells answer again. */
const PUSHED_COUNTS_LAPSE_MS = 3_000;
/** After a stall (a blocked event loop, a suspended machine) empty seconds are filled in up to this many. */
const MAX_FILLED_SECONDS = 60;

export class LiveHub {
  readonly #now: () => number;
  readonly #onSubscriberError: ((err: unknown, subscriberId: number) => void) | undefined;
  readonly #feed: 'records' | 'cells';
  readonly #pushDown: boolean;
  readonly #onPushedFiltersChange: (() => void) | undefined;
  /** When counts of each pushed filter last arrived: while they keep coming, its subscribers take no cells. */
  readonly #pushedArrived = new Map<string, number>();
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
    this.#pushDown = this.#feed === 'cells' && options.pushDown === true;
    this.#onPushedFiltersChange = options.onPushedFiltersChange;
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

  /** The first filter this hub cannot apply (a cell-fed hub without push-down answers only cell dimensions); null when all can be. */
  unsupportedFilter(filters: LiveFilters): UnsupportedCellFilter | null {
    return this.#feed === 'cells' && !this.#pushDown ? unsupportedCellFilter(filters) : null;
  }

  /** The filters subscribers need counted by the processors, one per distinct filter set. */
  pushedFilters(): PushedFilter[] {
    const byId = new Map<string, PushedFilter>();
    for (const sub of this.#subscribers.values()) {
      if (sub.pushedId === null) continue;
      const known = byId.get(sub.pushedId);
      if (known === undefined || known.recordsPerSecond < sub.recordsPerSecond) {
        byId.set(sub.pushedId, { id: sub.pushedId, filters: canonicalLiveFilters(sub.options.filters), recordsPerSecond: sub.recordsPerSecond });
      }
    }
    return [...byId.values()];
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
    const cellsAnswer = this.#feed === 'cells' && unsupportedCellFilter(options.filters) === null;
    const pushed = this.#pushDown && !selectsAll(options.filters);
    const pushedId = pushed ? liveFilterId(options.filters) : null;
    this.#subscribers.set(id, {
      id,
      match: compileLiveFilter(options.filters),
      matchCell: cellsAnswer ? compileCellFilter(options.filters) : null,
      pushedId,
      unattributed: 0,
      pushedMatched: 0,
      recordsPerSecond: options.onRecord === undefined ? 0 : recordsPerSecond,
      options,
      measures: emptyMeasures(),
      places: new PlaceCounter(),
      recordsSent: 0,
      recordsOverRate: 0,
    });
    if (pushed) this.#pushedFiltersChanged();
    return {
      id,
      close: () => {
        if (this.#subscribers.delete(id) && pushedId !== null) this.#pushedFiltersChanged();
      },
    };
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
      if (match === null || this.#takesPushed(sub)) continue;
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

  /** Adds the counts of pushed filters (one processor's second) to the subscribers of each filter. */
  publishFiltered(seconds: readonly FilteredSecond[]): void {
    this.#roll(this.#now());
    if (seconds.length === 0) return;
    const byId = new Map(seconds.map((s) => [s.filterId, s]));
    for (const id of byId.keys()) this.#notePushedArrival(id);
    for (const sub of this.#subscribers.values()) {
      const second = sub.pushedId === null ? undefined : byId.get(sub.pushedId);
      if (second === undefined) continue;
      for (const cell of second.cells) {
        sub.pushedMatched += cell.counts.n;
        addCell(sub.measures, { key: null, samplingRate: cell.samplingRate, counts: cell.counts });
        const w = weightOf(cell.samplingRate);
        if (cell.country === null || cell.pop === null) sub.places.addUnplaced(w * cell.counts.n);
        else sub.places.addCount(cell.country, cell.pop, w * cell.counts.n, w * cell.counts.bytes);
      }
    }
  }

  /**
   * Hands sampled records (their counts come with the cells) to the subscribers they match, within
   * each one's rate. `filterId`: records a processor sampled for that pushed filter, for its
   * subscribers only; without it, records sampled from all traffic, for subscribers answered by cells.
   */
  publishSampled(records: readonly SampledLiveRecord[], filterId: string | null = null): void {
    this.#roll(this.#now());
    // Records sampled for a filter show that the processors apply it: its counts come with them.
    if (filterId !== null && records.length > 0) this.#notePushedArrival(filterId);
    for (const { key, record } of records) {
      for (const sub of this.#subscribers.values()) {
        const onRecord = sub.options.onRecord;
        if (onRecord === undefined || sub.recordsPerSecond === 0) continue;
        const wanted = filterId === null ? sub.matchCell !== null && !this.#takesPushed(sub) && sub.matchCell(key) : sub.pushedId === filterId;
        if (!wanted) continue;
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
      // Processors sample a pushed filter's records within its rate: the others matched all the same.
      const wantsRecords = sub.options.onRecord !== undefined && sub.recordsPerSecond > 0;
      const overRate = sub.pushedId !== null && wantsRecords ? Math.max(sub.recordsOverRate, sub.pushedMatched - sub.recordsSent) : sub.recordsOverRate;
      const counters: SecondCounters = {
        t: second,
        ...measures,
        ...ratiosOf(measures),
        ...loss,
        dropped: loss.dropped + sub.unattributed,
        ...sub.places.take(),
        recordsSent: sub.recordsSent,
        recordsOverRate: overRate,
      };
      sub.measures = emptyMeasures();
      sub.unattributed = 0;
      sub.pushedMatched = 0;
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
      if (sub.pushedId !== null) this.#pushedFiltersChanged();
      this.#onSubscriberError?.(err, sub.id);
    }
  }

  /** Counts or samples of a pushed filter arrived; kept only for filters a subscriber here watches. */
  #notePushedArrival(filterId: string): void {
    for (const sub of this.#subscribers.values()) {
      if (sub.pushedId === filterId) {
        this.#pushedArrived.set(filterId, this.#now());
        return;
      }
    }
  }

  /** True when the subscriber's counts come from its pushed filter (they have started to arrive). */
  #takesPushed(sub: Subscriber): boolean {
    if (sub.pushedId === null) return false;
    const last = this.#pushedArrived.get(sub.pushedId);
    // Processors that stopped applying it (restarted, over their limit) leave it to cells again.
    return last !== undefined && this.#now() - last <= PUSHED_COUNTS_LAPSE_MS;
  }

  #pushedFiltersChanged(): void {
    const wanted = new Set<string>();
    for (const sub of this.#subscribers.values()) if (sub.pushedId !== null) wanted.add(sub.pushedId);
    // A filter set no one watches any more starts over: the processors drop it when it is withdrawn.
    for (const id of this.#pushedArrived.keys()) if (!wanted.has(id)) this.#pushedArrived.delete(id);
    try {
      this.#onPushedFiltersChange?.();
    } catch (err) {
      this.#onSubscriberError?.(err, 0);
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
