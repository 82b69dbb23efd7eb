/**
 * Reading the live stream: Server-Sent Events split across chunks in any way, and the per-second
 * window the live view draws from.
 */
import { describe, expect, it } from 'vitest';
import type { LiveRecord } from '../../api/live/live-record.js';
import type { SecondCounters } from '../../api/live/live-counters.js';
import { SseParser } from '../../dashboard/src/api/sse-parser.js';
import { LiveWindow } from '../../dashboard/src/views/live-window.js';

describe('SseParser', () => {
  const stream = ': heartbeat\n\nevent: ready\ndata: {"rate":10}\n\nevent: record\ndata: {"path":"/a\\nb"}\n\r\nevent: counters\ndata: {"t":1}\ndata: 2\n\n';

  it('gives the same events however the text is chunked', () => {
    const whole = new SseParser().push(stream);
    expect(whole).toEqual([
      { event: 'ready', data: '{"rate":10}' },
      { event: 'record', data: '{"path":"/a\\nb"}' },
      { event: 'counters', data: '{"t":1}\n2' },
    ]);
    for (const size of [1, 2, 3, 7, 13]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
      expect(events).toEqual(whole);
    }
  });

  it('ignores comments and events without data', () => {
    expect(new SseParser().push(': only a heartbeat\n\nevent: x\n\n')).toEqual([]);
  });
});

function counters(t: number, overrides: Partial<SecondCounters> = {}): SecondCounters {
  return {
    t,
    sampledRequests: 100,
    sampledBytes: 1000,
    requests: 100,
    bytes: 1000,
    requestsVar: 0,
    bytesVar: 0,
    ratioRequests: 100,
    ratioBytes: 1000,
    hits: 90,
    hitBytes: 900,
    misses: 10,
    cacheableRequests: 95,
    cacheableHits: 90,
    status4xx: 3,
    status5xx: 1,
    geoBlocked: 0,
    cacheHitRatio: 90 / 95,
    edgeHitRatio: 0.9,
    byteHitRatio: 0.9,
    errorRate4xx: 0.03,
    errorRate5xx: 0.01,
    dropped: 0,
    stale: 0,
    invalid: 0,
    recordsOverRate: 0,
    recordsSent: 10,
    countries: [],
    pops: [],
    countriesOmittedRequests: 0,
    popsOmittedRequests: 0,
    ...overrides,
  };
}

describe('LiveWindow', () => {
  it('keeps the last seconds and sums ratios over a window', () => {
    const live = new LiveWindow(60);
    for (let s = 0; s < 100; s++) live.addCounters(counters(s * 1000, s >= 90 ? { requests: 200, cacheableRequests: 100, cacheableHits: 50, status5xx: 20 } : {}));
    expect(live.series((c) => c.requests)).toHaveLength(60);
    expect(live.firstSecond).toBe(40_000);
    const last10 = live.ratios(10);
    expect(last10.requestsPerSecond).toBe(200);
    expect(last10.cacheHitRatio).toBe(0.5);
    expect(last10.errorRate5xx).toBe(0.1);
    expect(new LiveWindow().ratios(30).cacheHitRatio).toBeNull();
  });

  it('sums the per-country and per-POP counters of the last seconds for the map', () => {
    const live = new LiveWindow(60);
    const iad = { pop: 'IAD', city: 'Ashburn', country: 'US', lat: 39, lon: -77 };
    live.addCounters(counters(0, { countries: [{ country: 'US', requests: 50, bytes: 500 }], pops: [{ ...iad, requests: 50, bytes: 500 }] }));
    live.addCounters(
      counters(1_000, {
        countries: [
          { country: 'DE', requests: 70, bytes: 700 },
          { country: 'US', requests: 30, bytes: 300 },
        ],
        pops: [
          { pop: 'FRA', city: 'Frankfurt', country: 'DE', lat: 50, lon: 8.6, requests: 70, bytes: 700 },
          { ...iad, requests: 30, bytes: 300 },
        ],
      }),
    );
    live.addCounters(counters(2_000, { countries: [{ country: 'US', requests: 5, bytes: 50 }] }));
    const all = live.places(60);
    expect(all.countries).toEqual([
      { country: 'US', requests: 85, bytes: 850 },
      { country: 'DE', requests: 70, bytes: 700 },
    ]);
    expect(all.pops.map((p) => [p.pop, p.requests, p.lat])).toEqual([
      ['IAD', 80, 39],
      ['FRA', 70, 50],
    ]);
    expect(live.places(2).countries).toEqual([
      { country: 'US', requests: 35, bytes: 350 },
      { country: 'DE', requests: 70, bytes: 700 },
    ].sort((a, b) => b.requests - a.requests));
    expect(new LiveWindow().places(30)).toEqual({ countries: [], pops: [] });
  });

  it('counts viewer country → POP pairs of recent records', () => {
    const live = new LiveWindow();
    const record = (country: string, pop: string): LiveRecord => ({ country, pop }) as LiveRecord;
    live.addRecord(record('US', 'IAD'), 1_000);
    live.addRecord(record('US', 'IAD'), 5_000);
    live.addRecord(record('DE', 'FRA'), 5_000);
    live.addRecord(record('', 'FRA'), 5_000);
    expect(live.pairs(0, 10)).toEqual([
      { country: 'US', pop: 'IAD', count: 2 },
      { country: 'DE', pop: 'FRA', count: 1 },
    ]);
    expect(live.pairs(2_000, 1)).toEqual([{ country: 'DE', pop: 'FRA', count: 1 }]);
  });
});
