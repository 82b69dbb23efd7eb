/**
 * Filters pushed down to the processors. Counter cells carry a few low-cardinality dimensions; a
 * filter set on anything else (an exact status, the TLS protocol, the detailed result, the cache
 * behavior, a path prefix, a full edge location) is announced by the `serve` replicas that have a
 * subscriber for it, and every processor applies it to each record it stores: per second it
 * publishes the matching records' counts by viewer country, POP and sampling rate (FilteredCell),
 * and a sample of the matching records. A hub sums those as exactly as it sums cells.
 *
 * A filter set is named by liveFilterId, a digest of its canonical form, so the same filters give
 * the same id on every replica and processor, and subscribers with equal filters share one count.
 */
import { createHash } from 'node:crypto';
import { addEntryToCell, emptyCellCounts, type CellCounts } from './live-cells.js';
import type { LiveEntry } from './live-entry.js';
import { compileLiveFilter, type LiveFilters, type LiveMatcher } from './live-filter.js';

/** A filter set a hub wants counted upstream, with the most records per second any subscriber asked for. */
export interface PushedFilter {
  readonly id: string;
  readonly filters: LiveFilters;
  readonly recordsPerSecond: number;
}

/** A pushed filter ready to apply to records. */
export interface CompiledPushedFilter extends PushedFilter {
  readonly match: LiveMatcher;
}

/**
 * The counts of one second's records that a pushed filter selected, sharing a viewer country, a POP
 * code and a sampling rate. `country` and `pop` are null in the overflow cell (past the cell budget
 * of a filter): its counts are whole, only its places are unknown.
 */
export interface FilteredCell {
  readonly country: string | null;
  readonly pop: string | null;
  readonly samplingRate: number;
  readonly counts: CellCounts;
}

/** One processor's counts for one pushed filter over one second. */
export interface FilteredSecond {
  readonly filterId: string;
  readonly cells: readonly FilteredCell[];
}

/** The filter set with lists sorted and unset filters left out: equal filters, equal text. */
export function canonicalLiveFilters(filters: LiveFilters): LiveFilters {
  const sorted = <T extends string | number>(values: readonly T[] | undefined): T[] | undefined =>
    values === undefined ? undefined : [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical: Record<string, unknown> = {
    distributions: sorted(filters.distributions) ?? [],
    country: sorted(filters.country),
    pop: sorted(filters.pop),
    cacheStatus: sorted(filters.cacheStatus),
    statusClass: sorted(filters.statusClass),
    status: sorted(filters.status),
    method: sorted(filters.method),
    protocol: sorted(filters.protocol),
    httpVersion: sorted(filters.httpVersion),
    sslProtocol: sorted(filters.sslProtocol),
    detailedResult: sorted(filters.detailedResult),
    contentClass: sorted(filters.contentClass),
    cacheBehavior: sorted(filters.cacheBehavior),
    pathPrefix: filters.pathPrefix,
    device: sorted(filters.device),
    bot: filters.bot,
    source: sorted(filters.source),
  };
  for (const key of Object.keys(canonical)) if (canonical[key] === undefined) delete canonical[key];
  return canonical as unknown as LiveFilters;
}

/** True when the set selects everything (no filter at all). */
export function selectsAll(filters: LiveFilters): boolean {
  return Object.keys(canonicalLiveFilters(filters)).length === 1 && filters.distributions.length === 0;
}

export function liveFilterId(filters: LiveFilters): string {
  return createHash('sha256').update(JSON.stringify(canonicalLiveFilters(filters))).digest('hex').slice(0, 24);
}

export function compilePushedFilter(filter: Omit<PushedFilter, 'id'>): CompiledPushedFilter {
  const filters = canonicalLiveFilters(filter.filters);
  return { id: liveFilterId(filters), filters, recordsPerSecond: filter.recordsPerSecond, match: compileLiveFilter(filters) };
}

interface FilterCounts {
  readonly cells: Map<string, FilteredCell>;
  readonly overflow: Map<number, FilteredCell>;
}

/**
 * Sums records into FilteredCells per pushed filter; at most `maxCellsPerFilter` placed cells per
 * filter and second, further records go to the filter's overflow cell of their sampling rate.
 */
export class FilteredCellAggregator {
  readonly #maxCells: number;
  #byFilter = new Map<string, FilterCounts>();

  constructor(maxCellsPerFilter: number) {
    if (!Number.isInteger(maxCellsPerFilter) || maxCellsPerFilter <= 0) {
      throw new RangeError(`maxCellsPerFilter must be a positive integer, got ${maxCellsPerFilter}`);
    }
    this.#maxCells = maxCellsPerFilter;
  }

  /** Opens the filter's count for this second even if no record matches (a processor that counted zero says so). */
  track(filterId: string): void {
    if (!this.#byFilter.has(filterId)) this.#byFilter.set(filterId, { cells: new Map(), overflow: new Map() });
  }

  /** Adds a record the filter selected. */
  add(filterId: string, entry: LiveEntry): void {
    this.track(filterId);
    const counts = this.#byFilter.get(filterId)!;
    const { country, pop_code: pop, sampling_rate: samplingRate } = entry.derived;
    const key = `${samplingRate}\u0000${country}\u0000${pop}`;
    let cell = counts.cells.get(key);
    if (cell === undefined && counts.cells.size < this.#maxCells) {
      cell = { country, pop, samplingRate, counts: emptyCellCounts() };
      counts.cells.set(key, cell);
    }
    if (cell === undefined) {
      cell = counts.overflow.get(samplingRate);
      if (cell === undefined) {
        cell = { country: null, pop: null, samplingRate, counts: emptyCellCounts() };
        counts.overflow.set(samplingRate, cell);
      }
    }
    addEntryToCell(cell.counts, entry);
  }

  /** The seconds summed so far, one per tracked filter; the aggregator starts over. */
  take(): FilteredSecond[] {
    const seconds = [...this.#byFilter].map(([filterId, c]) => ({ filterId, cells: [...c.cells.values(), ...c.overflow.values()] }));
    this.#byFilter = new Map();
    return seconds;
  }
}
