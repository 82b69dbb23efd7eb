/**
 * What the live view remembers of the stream: the last minutes of per-second counters and the last
 * sampled records, with the sums the gauges and the map need. Pure, so it is tested without a
 * browser.
 */
import type { LiveRecord, SecondCounters } from '../api/api-types.js';
import type { TimePoint } from '../charts/line-chart.js';

export interface WindowRatios {
  readonly cacheHitRatio: number | null;
  readonly errorRate4xx: number | null;
  readonly errorRate5xx: number | null;
  readonly requestsPerSecond: number | null;
  readonly bytesPerSecond: number | null;
  readonly dropped: number;
  readonly stale: number;
}

/** Requests and bytes of one viewer country or POP summed over a window of seconds. */
export interface PlaceTotals {
  readonly countries: readonly { readonly country: string; readonly requests: number; readonly bytes: number }[];
  readonly pops: readonly {
    readonly pop: string;
    readonly city: string;
    readonly lat: number | null;
    readonly lon: number | null;
    readonly requests: number;
    readonly bytes: number;
  }[];
}

export interface PairCount {
  readonly country: string;
  readonly pop: string;
  readonly count: number;
}

export class LiveWindow {
  readonly #counters: SecondCounters[] = [];
  readonly #records: { readonly receivedMs: number; readonly record: LiveRecord }[] = [];

  constructor(
    /** Seconds of counters kept. */
    readonly seconds = 300,
    /** Records kept for the map. */
    readonly maxRecords = 2_000,
  ) {}

  addCounters(counters: SecondCounters): void {
    this.#counters.push(counters);
    const oldest = counters.t - this.seconds * 1000;
    while ((this.#counters[0]?.t ?? Infinity) <= oldest) this.#counters.shift();
  }

  addRecord(record: LiveRecord, receivedMs: number): void {
    this.#records.push({ receivedMs, record });
    if (this.#records.length > this.maxRecords) this.#records.splice(0, this.#records.length - this.maxRecords);
  }

  get firstSecond(): number | null {
    return this.#counters[0]?.t ?? null;
  }

  get latestSecond(): number | null {
    return this.#counters.at(-1)?.t ?? null;
  }

  series(pick: (c: SecondCounters) => number): TimePoint[] {
    return this.#counters.map((c) => ({ t: c.t, value: pick(c) }));
  }

  /** Sums over the last `seconds` seconds received. */
  ratios(seconds: number): WindowRatios {
    const recent = this.#counters.slice(-seconds);
    const sum = (pick: (c: SecondCounters) => number): number => recent.reduce((total, c) => total + pick(c), 0);
    const requests = sum((c) => c.requests);
    const cacheable = sum((c) => c.cacheableRequests);
    return {
      cacheHitRatio: cacheable > 0 ? sum((c) => c.cacheableHits) / cacheable : null,
      errorRate4xx: requests > 0 ? sum((c) => c.status4xx) / requests : null,
      errorRate5xx: requests > 0 ? sum((c) => c.status5xx) / requests : null,
      requestsPerSecond: recent.length > 0 ? requests / recent.length : null,
      bytesPerSecond: recent.length > 0 ? sum((c) => c.bytes) / recent.length : null,
      dropped: sum((c) => c.dropped),
      stale: sum((c) => c.stale),
    };
  }

  /** Per-country and per-POP counters of the last `seconds` seconds received, summed, busiest first. */
  places(seconds: number): PlaceTotals {
    const countries = new Map<string, { country: string; requests: number; bytes: number }>();
    const pops = new Map<string, { pop: string; city: string; lat: number | null; lon: number | null; requests: number; bytes: number }>();
    for (const c of this.#counters.slice(-seconds)) {
      for (const place of c.countries) {
        const total = countries.get(place.country) ?? { country: place.country, requests: 0, bytes: 0 };
        countries.set(place.country, { ...total, requests: total.requests + place.requests, bytes: total.bytes + place.bytes });
      }
      for (const place of c.pops) {
        const total = pops.get(place.pop) ?? { pop: place.pop, city: place.city, lat: place.lat, lon: place.lon, requests: 0, bytes: 0 };
        pops.set(place.pop, { ...total, requests: total.requests + place.requests, bytes: total.bytes + place.bytes });
      }
    }
    const busiest = <T extends { requests: number }>(a: T, b: T): number => b.requests - a.requests;
    return { countries: [...countries.values()].sort(busiest), pops: [...pops.values()].sort(busiest) };
  }

  /** Sampled records per viewer country → POP received since `sinceMs`, largest first. */
  pairs(sinceMs: number, limit: number): PairCount[] {
    const counts = new Map<string, PairCount>();
    for (const { receivedMs, record } of this.#records) {
      if (receivedMs < sinceMs || record.country === '' || record.pop === '') continue;
      const key = `${record.country}\u0000${record.pop}`;
      const current = counts.get(key);
      counts.set(key, { country: record.country, pop: record.pop, count: (current?.count ?? 0) + 1 });
    }
    return [...counts.values()].sort((a, b) => b.count - a.count || a.country.localeCompare(b.country)).slice(0, limit);
  }
}
