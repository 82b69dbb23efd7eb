/**
 * Edge POP of a request from `x-edge-location` (`SEA19-C2`, `FRA2`, `SFO53-P9`): the
 * three-letter prefix mapped to a city, country and coordinates.
 */
import { EDGE_LOCATIONS } from './data/edge-locations.js';
import { BoundedCache } from './bounded-cache.js';

/** Reference §3.9: three letters, a number, and an optional opaque `-<letter><number>` suffix. */
const EDGE_LOCATION = /^([A-Z]{3})(\d+)(?:-([A-Z])(\d+))?$/;
const POP_CACHE_ENTRIES = 4_096;
/** Real values are ~8 characters; longer text is malformed and not worth caching. */
const MAX_LOCATION_LENGTH = 32;

export interface EdgeLocationParts {
  /** Three-letter prefix, e.g. `SEA`. */
  readonly code: string;
  /** Number after the prefix, e.g. `19`, as written. */
  readonly site: string;
  /** Suffix letter (`C`, `P`) or '' when absent. The meaning is not documented by AWS. */
  readonly suffixLetter: string;
  /** Suffix number as written, or '' when absent. */
  readonly suffixNumber: string;
}

export interface Pop {
  /** Three-letter prefix; '' when the location is absent or not in the expected format. */
  readonly code: string;
  readonly city: string;
  /** ISO 3166-1 alpha-2; '' when the prefix is not in the table. */
  readonly country: string;
  readonly lat: number | null;
  readonly lon: number | null;
}

export const NO_POP: Pop = Object.freeze({ code: '', city: '', country: '', lat: null, lon: null });

const popByLocation = new BoundedCache<string, Pop>(POP_CACHE_ENTRIES);

/** Splits an `x-edge-location` value; null when it does not have the documented shape. */
export function parseEdgeLocation(location: string): EdgeLocationParts | null {
  const match = EDGE_LOCATION.exec(location);
  if (match === null) return null;
  return {
    code: match[1] ?? '',
    site: match[2] ?? '',
    suffixLetter: match[3] ?? '',
    suffixNumber: match[4] ?? '',
  };
}

/** POP of a three-letter code (`IAD`); unknown codes keep the code with empty city and null coordinates. */
export function popOfCode(code: string): Pop {
  const known = EDGE_LOCATIONS.get(code);
  if (known === undefined) return Object.freeze({ code, city: '', country: '', lat: null, lon: null });
  return Object.freeze({ code, city: known.city, country: known.country, lat: known.lat, lon: known.lon });
}

/**
 * POP of an `x-edge-location` value. A well-formed location with an unknown prefix keeps
 * its code with an empty city/country and null coordinates; a malformed one gives NO_POP.
 */
export function lookupPop(location: string | null): Pop {
  if (location === null || location.length === 0 || location.length > MAX_LOCATION_LENGTH) return NO_POP;
  const cached = popByLocation.get(location);
  if (cached !== undefined) return cached;
  const parts = parseEdgeLocation(location);
  const pop = parts === null ? NO_POP : popOfCode(parts.code);
  popByLocation.set(location, pop);
  return pop;
}
