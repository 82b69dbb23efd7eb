/**
 * The pushed filters a processor applies: the union of what every `serve` replica last announced,
 * each announcement replacing the replica's previous one and lapsing after its time to live. At
 * most `maxFilters` distinct filter sets are applied (the first by id); the rest are counted.
 * Pure: time passed in.
 */
import { compilePushedFilter, type CompiledPushedFilter } from './live-filter-pushdown.js';
import type { LiveFilters } from './live-filter.js';

export interface Announcement {
  readonly replica: string;
  readonly ttlMs: number;
  readonly filters: readonly { readonly filters: LiveFilters; readonly recordsPerSecond: number }[];
}

interface Held {
  readonly filters: readonly CompiledPushedFilter[];
  readonly expiresAtMs: number;
}

export class PushedFilterTable {
  readonly #maxFilters: number;
  readonly #byReplica = new Map<string, Held>();
  #active: CompiledPushedFilter[] = [];
  #nextExpiryMs = Number.POSITIVE_INFINITY;
  #overLimit = 0;

  constructor(maxFilters: number) {
    if (!Number.isInteger(maxFilters) || maxFilters <= 0) throw new RangeError(`maxFilters must be a positive integer, got ${maxFilters}`);
    this.#maxFilters = maxFilters;
  }

  announce(announcement: Announcement, nowMs: number): void {
    const filters = announcement.filters.map((f) => compilePushedFilter(f));
    if (filters.length === 0) this.#byReplica.delete(announcement.replica);
    else this.#byReplica.set(announcement.replica, { filters, expiresAtMs: nowMs + announcement.ttlMs });
    this.#rebuild(nowMs);
  }

  /** The filters to apply now. */
  active(nowMs: number): readonly CompiledPushedFilter[] {
    if (nowMs >= this.#nextExpiryMs) this.#rebuild(nowMs);
    return this.#active;
  }

  /** Distinct filter sets announced but not applied, because of the limit. */
  get overLimit(): number {
    return this.#overLimit;
  }

  #rebuild(nowMs: number): void {
    const byId = new Map<string, CompiledPushedFilter>();
    this.#nextExpiryMs = Number.POSITIVE_INFINITY;
    for (const [replica, held] of this.#byReplica) {
      if (held.expiresAtMs <= nowMs) {
        this.#byReplica.delete(replica);
        continue;
      }
      this.#nextExpiryMs = Math.min(this.#nextExpiryMs, held.expiresAtMs);
      for (const filter of held.filters) {
        const known = byId.get(filter.id);
        if (known === undefined || known.recordsPerSecond < filter.recordsPerSecond) byId.set(filter.id, filter);
      }
    }
    const all = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    this.#active = all.slice(0, this.#maxFilters);
    this.#overLimit = all.length - this.#active.length;
  }
}
