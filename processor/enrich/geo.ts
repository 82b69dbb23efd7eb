/**
 * Viewer country: the `c-country` CloudFront wrote when it is a known ISO 3166-1 alpha-2
 * code, otherwise an offline GeoIP lookup of `c-ip`. Names and continents come from
 * `countries-list`.
 */
import { countries } from 'countries-list';
import type { ICountry } from 'countries-list';
import { lookupIpCountry } from './geoip.js';

export type CountrySource = 'log' | 'geoip' | '';

export interface CountryResolution {
  /** ISO 3166-1 alpha-2; '' when unknown. */
  readonly country: string;
  readonly countryName: string;
  /** AF AN AS EU NA OC SA; '' when unknown. */
  readonly continent: string;
  readonly source: CountrySource;
}

export interface CountryInfo {
  readonly name: string;
  readonly continent: string;
}

export const UNKNOWN_COUNTRY: CountryResolution = Object.freeze({ country: '', countryName: '', continent: '', source: '' });

// One frozen resolution per (country, source), built once, so the hot path allocates nothing.
const FROM_LOG = new Map<string, CountryResolution>();
const FROM_GEOIP = new Map<string, CountryResolution>();
for (const [code, info] of Object.entries<ICountry>(countries)) {
  FROM_LOG.set(code, Object.freeze({ country: code, countryName: info.name, continent: info.continent, source: 'log' }));
  FROM_GEOIP.set(code, Object.freeze({ country: code, countryName: info.name, continent: info.continent, source: 'geoip' }));
}

/** Name and continent of an ISO 3166-1 alpha-2 code (any case); undefined when not a known code. */
export function countryInfo(code: string): CountryInfo | undefined {
  const resolution = FROM_LOG.get(code) ?? FROM_LOG.get(code.toUpperCase());
  return resolution === undefined ? undefined : { name: resolution.countryName, continent: resolution.continent };
}

/**
 * Country of a viewer from `c-country` (preferred) or `c-ip`. A `c-country` that is not a
 * known code (e.g. a placeholder for "unknown") falls through to the GeoIP lookup.
 */
export function resolveCountry(logCountry: string | null, viewerIp: string | null): CountryResolution {
  if (logCountry !== null && logCountry.length === 2) {
    const fromLog = FROM_LOG.get(logCountry) ?? FROM_LOG.get(logCountry.toUpperCase());
    if (fromLog !== undefined) return fromLog;
  }
  const code = lookupIpCountry(viewerIp);
  if (code === '') return UNKNOWN_COUNTRY;
  return FROM_GEOIP.get(code) ?? UNKNOWN_COUNTRY;
}
