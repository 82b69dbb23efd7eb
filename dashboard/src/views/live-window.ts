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
