/**
 * The live stream's per-country and per-POP counters: extrapolated like every live count, per
 * subscriber (its filters apply), busiest first and capped, with POP city and coordinates.
 */
import { describe, expect, it } from 'vitest';
import type { SecondCounters } from '../../api/live/live-counters.js';
import type { LiveEntry } from '../../api/live/live-entry.js';
import { MAX_PLACES, PlaceCounter } from '../../api/live/live-places.js';
import { liveRig, logLine } from './live-kit.js';

describe('live places', () => {
  it('count requests and bytes per viewer country and per POP in each second', () => {
    const rig = liveRig({ samplingRate: 50 });
    const all: SecondCounters[] = [];
    const germany: SecondCounters[] = [];
    rig.hub.subscribe({ filters: { distributions: [] }, onSecond: (c) => all.push(c) });
    rig.hub.subscribe({ filters: { distributions: [], country: ['DE'] }, onSecond: (c) => germany.push(c) });
    rig.feed([
      logLine({ 'c-country': 'US', 'x-edge-location': 'IAD89-C1', 'sc-bytes': '1000' }),
      logLine({ 'c-country': 'US', 'x-edge-location': 'IAD12-P2', 'sc-bytes': '500' }),
      logLine({ 'c-country': 'DE', 'x-edge-location': 'FRA56-P5', 'sc-bytes': '200' }),
      logLine({ 'c-country': 'US', 'x-edge-location': 'FRA56-P5', 'sc-bytes': '100' }),
    ]);
    rig.clock.advance(1_000);
    rig.hub.tick();
    const c = all.at(-1)!;
    expect(c.countries).toEqual([
      { country: 'US', requests: 6, bytes: 3_200 },
      { country: 'DE', requests: 2, bytes: 400 },
    ]);
    // Equal requests: by code.
    expect(c.pops.map((p) => [p.pop, p.requests, p.bytes])).toEqual([
      ['FRA', 4, 600],
      ['IAD', 4, 3_000],
    ]);
    const iad = c.pops[1]!;
    expect(iad.city).not.toBe('');
    expect(typeof iad.lat).toBe('number');
    expect(typeof iad.lon).toBe('number');
    expect(c.countriesOmittedRequests).toBe(0);
    // The filtered subscriber sees only its own records.
    expect(germany.at(-1)!.countries).toEqual([{ country: 'DE', requests: 2, bytes: 400 }]);
    expect(germany.at(-1)!.pops.map((p) => p.pop)).toEqual(['FRA']);

    // The next second starts from zero.
    rig.clock.advance(1_000);
    rig.hub.tick();
    expect(all.at(-1)!.countries).toEqual([]);
    expect(all.at(-1)!.pops).toEqual([]);
  });

  it('lists at most MAX_PLACES per second, busiest first, and sums the rest', () => {
    const counter = new PlaceCounter();
    const entry = (country: string, pop: string, weight: number): LiveEntry => ({ derived: { country, pop_code: pop }, measure: { weight, bytes: 10 } }) as unknown as LiveEntry;
    for (let i = 0; i < MAX_PLACES + 5; i++) counter.add(entry(`C${i}`, `P${String(i).padStart(2, '0')}`, i + 1));
    counter.add(entry('', '', 100));
    const places = counter.take();
    expect(places.countries).toHaveLength(MAX_PLACES);
    expect(places.countries[0]).toEqual({ country: `C${MAX_PLACES + 4}`, requests: MAX_PLACES + 5, bytes: (MAX_PLACES + 5) * 10 });
    // The five quietest (1 … 5 requests) are left off.
    expect(places.countriesOmittedRequests).toBe(15);
    expect(places.popsOmittedRequests).toBe(15);
    expect(places.pops.at(-1)).toMatchObject({ requests: 6, lat: null, lon: null, city: '' });
    expect(counter.take().countries).toEqual([]);
  });
});
