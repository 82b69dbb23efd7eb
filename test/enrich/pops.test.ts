import { describe, expect, it } from 'vitest';
import { EDGE_LOCATIONS } from '../../processor/enrich/data/edge-locations.js';
import { lookupPop, NO_POP, parseEdgeLocation } from '../../processor/enrich/pops.js';

describe('parseEdgeLocation', () => {
  it('splits a location with a suffix', () => {
    expect(parseEdgeLocation('SEA19-C2')).toEqual({ code: 'SEA', site: '19', suffixLetter: 'C', suffixNumber: '2' });
    expect(parseEdgeLocation('SFO53-P9')).toEqual({ code: 'SFO', site: '53', suffixLetter: 'P', suffixNumber: '9' });
  });

  it('splits a location without a suffix', () => {
    expect(parseEdgeLocation('FRA2')).toEqual({ code: 'FRA', site: '2', suffixLetter: '', suffixNumber: '' });
  });

  it('rejects other shapes', () => {
    for (const bad of ['', 'SEA', 'sea19-c2', 'SEA19-', 'SEA19-C', 'SEAT19', 'SEA19-C2-X', '19SEA', 'SEA19 C2']) {
      expect(parseEdgeLocation(bad)).toBeNull();
    }
  });
});

describe('lookupPop', () => {
  it('maps a known prefix to city, country and coordinates', () => {
    expect(lookupPop('SEA19-C2')).toEqual({ code: 'SEA', city: 'Seattle', country: 'US', lat: 47.449, lon: -122.309 });
    expect(lookupPop('FRA2')).toMatchObject({ code: 'FRA', city: 'Frankfurt', country: 'DE' });
    expect(lookupPop('SFO53-P9')).toMatchObject({ code: 'SFO', city: 'San Francisco', country: 'US' });
    expect(lookupPop('HKG62-C1')).toMatchObject({ code: 'HKG', country: 'HK' });
  });

  it('returns the same object for a repeated location (cached)', () => {
    expect(lookupPop('EWR52-C4')).toBe(lookupPop('EWR52-C4'));
  });

  it('keeps an unknown prefix with empty place and null coordinates', () => {
    expect(lookupPop('QQQ7-C1')).toEqual({ code: 'QQQ', city: '', country: '', lat: null, lon: null });
  });

  it('gives NO_POP for absent or malformed locations', () => {
    expect(lookupPop(null)).toBe(NO_POP);
    expect(lookupPop('')).toBe(NO_POP);
    expect(lookupPop('not a pop')).toBe(NO_POP);
    expect(lookupPop('SEA19-C2'.repeat(100))).toBe(NO_POP);
  });

  it('covers every observed location of reference §3.9', () => {
    const observed = ['SEA19-C2', 'SFO20-C1', 'SFO53-P9', 'SFO53-C1', 'HAM50-C2', 'HAM50-P2', 'EWR52-C4', 'IAD66-C1', 'IAD12-P4', 'LAX3-C3', 'BOM54-P1', 'HYD57-P3', 'SIN2-P2', 'DEL54-P6', 'MAA51-C1', 'BLR50-C2', 'IAD89-P1', 'ATL56-C1', 'PHX50-C2', 'HEL50-C2', 'MIA50-P3', 'EZE50-P4', 'FRA2', 'LAX1', 'DFW3'];
    for (const location of observed) {
      const pop = lookupPop(location);
      expect(pop.city, location).not.toBe('');
      expect(pop.lat, location).not.toBeNull();
    }
  });
});

describe('EDGE_LOCATIONS table', () => {
  it('covers 100+ prefixes on every continent with sane values', () => {
    expect(EDGE_LOCATIONS.size).toBeGreaterThanOrEqual(100);
    for (const [code, location] of EDGE_LOCATIONS) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect(location.country).toMatch(/^[A-Z]{2}$/);
      expect(location.city).not.toBe('');
      expect(Math.abs(location.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(location.lon)).toBeLessThanOrEqual(180);
    }
    const countries = new Set([...EDGE_LOCATIONS.values()].map((l) => l.country));
    for (const country of ['US', 'CA', 'MX', 'BR', 'AR', 'GB', 'DE', 'FR', 'IN', 'JP', 'SG', 'AU', 'AE', 'IL', 'ZA', 'KE', 'NG']) {
      expect(countries, country).toContain(country);
    }
  });
});
