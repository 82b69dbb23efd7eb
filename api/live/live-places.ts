/**
 * Per-second requests and bytes per viewer country and per POP, for the live map: it draws from the
 * stream instead of waiting for stats queries. Extrapolated by sampling rate like every live count;
 * each second lists at most MAX_PLACES countries and POPs, busiest first, so an event stays small.
 */
import { popOfCode } from '../../processor/enrich/pops.js';
import type { LiveEntry } from './live-entry.js';

/** Countries (and POPs) listed per second, at most; about 40 POP cities and most traffic's countries fit. */
export const MAX_PLACES = 60;

export interface LiveCountryCount {
  /** ISO 3166-1 alpha-2 code of the viewer country. */
  readonly country: string;
  readonly requests: number;
  readonly bytes: number;
}

export interface LivePopCount {
  /** Three-letter POP code (IAD). */
  readonly pop: string;
  readonly city: string;
  /** Country of the POP. */
  readonly country: string;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly requests: number;
  readonly bytes: number;
}

export interface LivePlaces {
  readonly countries: readonly LiveCountryCount[];
  readonly pops: readonly LivePopCount[];
  /** Requests of countries and POPs left off the lists (beyond MAX_PLACES). */
  readonly countriesOmittedRequests: number;
  readonly popsOmittedRequests: number;
}

interface Count {
  requests: number;
  bytes: number;
}

/** One subscriber's counts of the current second. */
export class PlaceCounter {
  readonly #countries = new Map<string, Count>();
  readonly #pops = new Map<string, Count>();
  #unplaced = 0;

  add(entry: LiveEntry): void {
    const w = entry.measure.weight;
    this.addCount(entry.derived.country, entry.derived.pop_code, w, entry.measure.bytes * w);
  }

  /** Requests and bytes (extrapolated) of a viewer country and a POP code; '' for unknown. */
  addCount(country: string, pop: string, requests: number, bytes: number): void {
    if (country !== '') bump(this.#countries, country, requests, bytes);
    if (pop !== '') bump(this.#pops, pop, requests, bytes);
  }

  /** Requests whose country and POP are not known here (summed upstream without them): left off the lists. */
  addUnplaced(requests: number): void {
    this.#unplaced += requests;
  }

  /** The second's lists; the counter starts over. */
  take(): LivePlaces {
    const countries = ranked(this.#countries);
    const pops = ranked(this.#pops);
    const unplaced = this.#unplaced;
    this.#countries.clear();
    this.#pops.clear();
    this.#unplaced = 0;
    return {
      countries: countries.kept.map(([country, c]) => ({ country, requests: c.requests, bytes: c.bytes })),
      pops: pops.kept.map(([code, c]) => {
        const pop = popOfCode(code);
        return { pop: code, city: pop.city, country: pop.country, lat: pop.lat, lon: pop.lon, requests: c.requests, bytes: c.bytes };
      }),
      countriesOmittedRequests: countries.omitted + unplaced,
      popsOmittedRequests: pops.omitted + unplaced,
    };
  }
}

function bump(map: Map<string, Count>, key: string, requests: number, bytes: number): void {
  const count = map.get(key);
  if (count === undefined) map.set(key, { requests, bytes });
  else {
    count.requests += requests;
    count.bytes += bytes;
  }
}

function ranked(map: Map<string, Count>): { kept: [string, Count][]; omitted: number } {
  const all = [...map].sort((a, b) => b[1].requests - a[1].requests || (a[0] < b[0] ? -1 : 1));
  const kept = all.slice(0, MAX_PLACES);
  const omitted = all.slice(MAX_PLACES).reduce((sum, [, c]) => sum + c.requests, 0);
  return { kept, omitted };
}
