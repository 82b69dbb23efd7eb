/**
 * Counter cells: the per-second counters of the live view summed upstream (by each processor of a
 * scale-out deployment) and merged by every hub that reads them. A cell holds the records of one
 * second that share the values of the filterable low-cardinality dimensions and one sampling rate,
 * as integer counts; a hub multiplies them by the weight 100/rate, so cells merge exactly and a
 * filter that only names those dimensions selects the same records it would select one by one.
 *
 * Filters on other fields (exact status, TLS protocol, detailed result, cache behavior, path prefix,
 * full edge locations) cannot be answered from cells: `unsupportedCellFilter` names them.
 */
import { F } from '../../processor/fields/catalogue.js';
import type { CounterMeasures } from './live-counters.js';
import type { LiveEntry } from './live-entry.js';
import type { LiveFilters } from './live-filter.js';

/** The dimensions of a cell; `null` where the record has no value (it then matches no filter on it). */
export interface CellKey {
  readonly distribution: string;
  readonly country: string;
  /** 3-letter POP code ('' when absent). */
  readonly pop: string;
  readonly cacheStatus: string;
  readonly statusClass: string;
  readonly method: string | null;
  readonly protocol: string | null;
  readonly httpVersion: string;
  readonly contentClass: string;
  readonly device: string;
  readonly bot: 0 | 1;
  /** Kind of CloudFront log (`realtime`, `standard`): the `source` filter. */
  readonly source: string;
  readonly samplingRate: number;
}

/** Sampled (as logged) counts of one cell; every one an integer sum. */
export interface CellCounts {
  /** Records. */
  n: number;
  /** Σ sc-bytes. */
  bytes: number;
  /** Σ sc-bytes²: the variance of the extrapolated bytes. */
  bytesSq: number;
  /** Records and bytes that hit ratios count (not WebSocket). */
  ratioN: number;
  ratioBytes: number;
  hits: number;
  hitBytes: number;
  misses: number;
  cacheable: number;
  cacheableHits: number;
  status4xx: number;
  status5xx: number;
  geoBlocked: number;
}

/**
 * One cell of one second. `key` null: the overflow cell of a sampling rate, for records beyond the
 * cell budget; it counts for subscribers without filters only.
 */
export interface LiveCell {
  readonly key: CellKey | null;
  /** Sampling rate of the cell's records (the key's, or the overflow cell's own). */
  readonly samplingRate: number;
  readonly counts: CellCounts;
}

export function emptyCellCounts(): CellCounts {
  return { n: 0, bytes: 0, bytesSq: 0, ratioN: 0, ratioBytes: 0, hits: 0, hitBytes: 0, misses: 0, cacheable: 0, cacheableHits: 0, status4xx: 0, status5xx: 0, geoBlocked: 0 };
}

function textField(entry: LiveEntry, index: number): string | null {
  const value = entry.record.values[index];
  return typeof value === 'string' ? value : null;
}

export function cellKeyOf(entry: LiveEntry): CellKey {
  const d = entry.derived;
  return {
    distribution: d.distribution_id,
    country: d.country,
    pop: d.pop_code,
    cacheStatus: d.cache_class,
    statusClass: d.status_class,
    method: textField(entry, F.cs_method),
    protocol: textField(entry, F.cs_protocol),
    httpVersion: d.http_version,
    contentClass: d.content_class,
    device: d.device_type,
    bot: d.is_bot,
    source: d.source,
    samplingRate: d.sampling_rate,
  };
}

/** A cell key as one string (a map key). */
export function cellKeyText(key: CellKey): string {
  return JSON.stringify([
    key.distribution,
    key.country,
    key.pop,
    key.cacheStatus,
    key.statusClass,
    key.method,
    key.protocol,
    key.httpVersion,
    key.contentClass,
    key.device,
    key.bot,
    key.source,
    key.samplingRate,
  ]);
}

export function addEntryToCell(counts: CellCounts, entry: LiveEntry): void {
  const m = entry.measure;
  counts.n += 1;
  counts.bytes += m.bytes;
  counts.bytesSq += m.bytes * m.bytes;
  if (m.inRatios) {
    counts.ratioN += 1;
    counts.ratioBytes += m.bytes;
    if (m.hit) {
      counts.hits += 1;
      counts.hitBytes += m.bytes;
    }
    if (m.miss) counts.misses += 1;
    if (m.cacheable) {
      counts.cacheable += 1;
      if (m.hit) counts.cacheableHits += 1;
    }
  }
  if (m.status4xx) counts.status4xx += 1;
  if (m.status5xx) counts.status5xx += 1;
  if (m.geoBlocked) counts.geoBlocked += 1;
}

/** The weight of a record logged at `samplingRate` percent, as measureOf computes it. */
export function weightOf(samplingRate: number): number {
  return 100 / Math.max(samplingRate, 1);
}

/** Adds a cell to a second's measures: what addMeasure adds for each of the cell's records. */
export function addCell(into: CounterMeasures, cell: LiveCell): void {
  const c = cell.counts;
  const w = weightOf(cell.samplingRate);
  into.sampledRequests += c.n;
  into.sampledBytes += c.bytes;
  into.requests += w * c.n;
  into.bytes += w * c.bytes;
  into.requestsVar += w * (w - 1) * c.n;
  into.bytesVar += w * (w - 1) * c.bytesSq;
  into.ratioRequests += w * c.ratioN;
  into.ratioBytes += w * c.ratioBytes;
  into.hits += w * c.hits;
  into.hitBytes += w * c.hitBytes;
  into.misses += w * c.misses;
  into.cacheableRequests += w * c.cacheable;
  into.cacheableHits += w * c.cacheableHits;
  into.status4xx += w * c.status4xx;
  into.status5xx += w * c.status5xx;
  into.geoBlocked += w * c.geoBlocked;
}

export interface TakenCells {
  readonly cells: LiveCell[];
  /** Records that went to overflow cells because the cell budget was spent. */
  readonly overflowRecords: number;
}

/**
 * Sums entries into cells; at most `maxCells` keyed cells, the records of further keys go to one
 * overflow cell per sampling rate (counted).
 */
export class LiveCellAggregator {
  readonly #maxCells: number;
  #cells = new Map<string, LiveCell>();
  #overflow = new Map<number, LiveCell>();
  #overflowRecords = 0;

  constructor(maxCells: number) {
    if (!Number.isInteger(maxCells) || maxCells <= 0) throw new RangeError(`maxCells must be a positive integer, got ${maxCells}`);
    this.#maxCells = maxCells;
  }

  get size(): number {
    return this.#cells.size + this.#overflow.size;
  }

  add(entry: LiveEntry): void {
    const key = cellKeyOf(entry);
    const text = cellKeyText(key);
    let cell = this.#cells.get(text);
    if (cell === undefined && this.#cells.size < this.#maxCells) {
      cell = { key, samplingRate: key.samplingRate, counts: emptyCellCounts() };
      this.#cells.set(text, cell);
    }
    if (cell === undefined) {
      this.#overflowRecords += 1;
      cell = this.#overflow.get(key.samplingRate);
      if (cell === undefined) {
        cell = { key: null, samplingRate: key.samplingRate, counts: emptyCellCounts() };
        this.#overflow.set(key.samplingRate, cell);
      }
    }
    addEntryToCell(cell.counts, entry);
  }

  /** The cells summed so far; the aggregator starts over. */
  take(): TakenCells {
    const taken = { cells: [...this.#cells.values(), ...this.#overflow.values()], overflowRecords: this.#overflowRecords };
    this.#cells = new Map();
    this.#overflow = new Map();
    this.#overflowRecords = 0;
    return taken;
  }
}

export type CellMatcher = (key: CellKey) => boolean;

/** A live filter that cells cannot answer, with the reason (a 400 in serve mode). */
export interface UnsupportedCellFilter {
  readonly parameter: string;
  readonly reason: string;
}

const CELL_REASON = 'the live view of this server is fed by per-second counters summed by dimension (scale-out mode)';

/** The first filter of the set that cells cannot answer; null when every filter can be. */
export function unsupportedCellFilter(filters: LiveFilters): UnsupportedCellFilter | null {
  const not = (parameter: string, what: string): UnsupportedCellFilter => ({ parameter, reason: `${what} cannot be applied live here: ${CELL_REASON}` });
  if (filters.status !== undefined) return not('status', 'an exact status code (use statusClass)');
  if (filters.sslProtocol !== undefined) return not('sslProtocol', 'the TLS protocol');
  if (filters.detailedResult !== undefined) return not('detailedResult', 'the detailed result type');
  if (filters.cacheBehavior !== undefined) return not('cacheBehavior', 'the cache behavior');
  if (filters.pathPrefix !== undefined) return not('pathPrefix', 'a path prefix');
  if (filters.pop?.some((p) => p.length !== 3) === true) return not('pop', 'a full edge location (use its 3-letter POP code)');
  return null;
}

function oneOf<T>(allowed: readonly T[] | undefined, read: (key: CellKey) => T | null): CellMatcher | null {
  if (allowed === undefined) return null;
  const set = new Set<T>(allowed);
  return (key) => {
    const value = read(key);
    return value !== null && set.has(value);
  };
}

/**
 * The cells the filters select, as compileLiveFilter selects records; only for filter sets that
 * unsupportedCellFilter accepts. Overflow cells (key null) match only when no filter is set.
 */
export function compileCellFilter(filters: LiveFilters): (key: CellKey | null) => boolean {
  const problem = unsupportedCellFilter(filters);
  if (problem !== null) throw new RangeError(`${problem.parameter}: ${problem.reason}`);
  const { bot } = filters;
  const parts = [
    filters.distributions.length > 0 ? oneOf(filters.distributions, (k) => k.distribution) : null,
    oneOf(filters.country, (k) => k.country),
    oneOf(filters.pop, (k) => k.pop),
    oneOf<string>(filters.cacheStatus, (k) => k.cacheStatus),
    oneOf<string>(filters.statusClass, (k) => k.statusClass),
    oneOf<string>(filters.method, (k) => k.method),
    oneOf<string>(filters.protocol, (k) => k.protocol),
    oneOf<string>(filters.httpVersion, (k) => k.httpVersion),
    oneOf<string>(filters.contentClass, (k) => k.contentClass),
    oneOf<string>(filters.device, (k) => k.device),
    bot === undefined ? null : (k: CellKey) => (k.bot === 1) === bot,
    oneOf<string>(filters.source, (k) => k.source),
  ].filter((m): m is CellMatcher => m !== null);
  if (parts.length === 0) return () => true;
  return (key) => key !== null && parts.every((match) => match(key));
}
