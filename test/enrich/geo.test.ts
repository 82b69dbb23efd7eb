import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countryInfo, resolveCountry, UNKNOWN_COUNTRY } from '../../processor/enrich/geo.js';
import { geoDatabasePath, lookupIpCountry, preloadGeoDatabase } from '../../processor/enrich/geoip.js';

describe('lookupIpCountry (IPtoASN country database)', () => {
  it('finds the database file in node_modules', () => {
    expect(geoDatabasePath()).toMatch(/iptoasn-country\.mmdb$/);
    expect(existsSync(geoDatabasePath())).toBe(true);
    expect(() => preloadGeoDatabase()).not.toThrow();
  });

  // Values checked against the shipped database (2.3.2026061719).
  it.each([
    ['8.8.8.8', 'US'],
    ['193.0.6.139', 'NL'],
    ['202.12.29.175', 'AU'],
    ['2001:4860:4860::8888', 'US'],
    ['::ffff:8.8.8.8', 'US'],
  ])('%s → %s', (ip, expected) => {
    expect(lookupIpCountry(ip)).toBe(expected);
    // Second lookup comes from the cache and must agree.
    expect(lookupIpCountry(ip)).toBe(expected);
  });

  it('gives empty for private, loopback and reserved addresses', () => {
    expect(lookupIpCountry('10.0.0.1')).toBe('');
    expect(lookupIpCountry('127.0.0.1')).toBe('');
    expect(lookupIpCountry('::1')).toBe('');
  });

  it('gives empty for garbage without throwing', () => {
    for (const garbage of ['', 'garbage', '8.8.8.8junk', '999.1.1.1', '1.2.3', ':::', '8.8.8.8 ', 'x'.repeat(10_000), '-']) {
      expect(lookupIpCountry(garbage)).toBe('');
    }
    expect(lookupIpCountry(null)).toBe('');
  });
});

describe('countryInfo', () => {
  it('names a country and its continent', () => {
    expect(countryInfo('DE')).toEqual({ name: 'Germany', continent: 'EU' });
    expect(countryInfo('jp')).toEqual({ name: 'Japan', continent: 'AS' });
    expect(countryInfo('XX')).toBeUndefined();
  });
});

describe('resolveCountry', () => {
  it('uses c-country when it is a known code', () => {
    expect(resolveCountry('US', '193.0.6.139')).toEqual({ country: 'US', countryName: 'United States', continent: 'NA', source: 'log' });
    expect(resolveCountry('br', null)).toEqual({ country: 'BR', countryName: 'Brazil', continent: 'SA', source: 'log' });
  });

  it('falls back to GeoIP of c-ip when c-country is absent or not a known code', () => {
    expect(resolveCountry(null, '193.0.6.139')).toEqual({ country: 'NL', countryName: 'Netherlands', continent: 'EU', source: 'geoip' });
    expect(resolveCountry('XX', '2001:4860:4860::8888')).toMatchObject({ country: 'US', source: 'geoip' });
    expect(resolveCountry('garbage', '8.8.8.8')).toMatchObject({ country: 'US', source: 'geoip' });
  });

  it('is unknown when neither source says anything', () => {
    expect(resolveCountry(null, null)).toBe(UNKNOWN_COUNTRY);
    expect(resolveCountry(null, 'not-an-ip')).toBe(UNKNOWN_COUNTRY);
    expect(resolveCountry('', '10.1.2.3')).toBe(UNKNOWN_COUNTRY);
    expect(UNKNOWN_COUNTRY).toEqual({ country: '', countryName: '', continent: '', source: '' });
  });
});
