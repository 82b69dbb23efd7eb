/**
 * Counter cells (summed upstream, merged by a cell-fed hub) give the same per-second counters as the
 * in-process hub fed record by record, for every filter cells can answer; overflow, unsupported
 * filters and sampled records of a cell-fed hub.
 */
import { describe, expect, it } from 'vitest';
import { LiveCellAggregator, unsupportedCellFilter, cellKeyOf } from '../../api/live/live-cells.js';
import type { SecondCounters } from '../../api/live/live-counters.js';
import type { LiveEntry } from '../../api/live/live-entry.js';
import type { LiveFilters } from '../../api/live/live-filter.js';
import { LiveHub } from '../../api/live/live-hub.js';
import { toLiveRecord, type LiveRecord } from '../../api/live/live-record.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { TestClock } from './live-kit.js';
import { SIMULATED_START_MS, simulatedEntries } from './simulated-entries.js';

const START_MS = SIMULATED_START_MS;
const entries = simulatedEntries;


/** One second of a hub: subscribe, feed, close the second; the subscriber's counters. */
function oneSecond(feed: 'records' | 'cells', filters: LiveFilters, publish: (hub: LiveHub) => void): SecondCounters {
  const clock = new TestClock(START_MS);
  const hub = new LiveHub({ now: clock.now, feed });
  const seconds: SecondCounters[] = [];
  hub.subscribe({ filters, onSecond: (c) => seconds.push(c) });
  publish(hub);
  clock.advance(1_000);
  hub.tick();
  expect(seconds).toHaveLength(1);
  return seconds[0]!;
}

function inProcess(list: readonly LiveEntry[], filters: LiveFilters): SecondCounters {
  return oneSecond('records', filters, (hub) => hub.publish(list));
}

/** Cells summed by `processors` aggregators (round robin), all merged by one hub. */
function fromCells(list: readonly LiveEntry[], filters: LiveFilters, processors = 1, maxCells = 100_000): SecondCounters {
  const aggregators = Array.from({ length: processors }, () => new LiveCellAggregator(maxCells));
  list.forEach((entry, i) => aggregators[i % processors]!.add(entry));
  return oneSecond('cells', filters, (hub) => {
    for (const aggregator of aggregators) {
      const { cells, overflowRecords } = aggregator.take();
      hub.publishCells(cells, overflowRecords);
    }
  });
}

/** Equal, except Σ w(w−1)·bytes², which passes 2^53 and so rounds differently by summing order. */
function expectSameCounters(actual: SecondCounters, expected: SecondCounters): void {
  expect({ ...actual, bytesVar: 0 }).toEqual({ ...expected, bytesVar: 0 });
  expect(relativeDifference(actual.bytesVar, expected.bytesVar)).toBeLessThan(1e-12);
}

function relativeDifference(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

const FILTERS: readonly [string, LiveFilters][] = [
  ['none', { distributions: [] }],
  ['distribution', { distributions: [DEMO_DISTRIBUTIONS[0]!.id] }],
  ['country', { distributions: [], country: ['US', 'DE'] }],
  ['pop code', { distributions: [], pop: ['IAD', 'FRA', 'NRT'] }],
  ['cache status and method', { distributions: [], cacheStatus: ['hit', 'miss'], method: ['GET'] }],
  ['status class', { distributions: [], statusClass: ['4xx', '5xx'] }],
  ['protocol and HTTP version', { distributions: [], protocol: ['https'], httpVersion: ['2', '1.1'] }],
  ['content class', { distributions: [], contentClass: ['image', 'video_segment'] }],
  ['device and bot', { distributions: [], device: ['mobile', 'desktop'], bot: false }],
  ['bots', { distributions: [], bot: true }],
  ['source', { distributions: [], source: ['realtime'] }],
  ['several', { distributions: [DEMO_DISTRIBUTIONS[1]!.id], country: ['US'], statusClass: ['2xx'] }],
];

describe('live counter cells', () => {
  const full = entries(4_000, 100);
  const half = entries(4_000, 50, 11);

  it.each(FILTERS)('merge exactly into what the in-process hub counts (filter: %s)', (_name, filters) => {
    for (const list of [full, half]) {
      const expected = inProcess(list, filters);
      expect(expected.sampledRequests).toBeGreaterThan(0);
      expectSameCounters(fromCells(list, filters), expected);
      // Three processors, each summing a part: the hub's merge is the same.
      expectSameCounters(fromCells(list, filters, 3), expected);
    }
  });

  it('at a sampling rate whose weight is not an integer, agree up to rounding', () => {
    const list = entries(2_000, 3, 5);
    const filters: LiveFilters = { distributions: [], country: ['US'] };
    const expected = inProcess(list, filters);
    const actual = fromCells(list, filters, 2);
    for (const [name, value] of Object.entries(expected)) {
      const got = (actual as unknown as Record<string, unknown>)[name];
      if (typeof value === 'number') expect(relativeDifference(got as number, value), name).toBeLessThan(1e-9);
    }
    expect(actual.countries.map((c) => c.country)).toEqual(expected.countries.map((c) => c.country));
  });

  it('beyond the cell budget: unfiltered counters stay whole, filtered ones report what they could not see as dropped', () => {
    const aggregator = new LiveCellAggregator(10);
    for (const entry of full) aggregator.add(entry);
    expect(aggregator.size).toBe(11);
    const { cells, overflowRecords } = aggregator.take();
    expect(overflowRecords).toBeGreaterThan(0);
    expect(cells.filter((c) => c.key === null)).toHaveLength(1);

    const all = inProcess(full, { distributions: [] });
    const unfiltered = oneSecond('cells', { distributions: [] }, (hub) => hub.publishCells(cells, overflowRecords));
    expect(unfiltered.requests).toBe(all.requests);
    expect(unfiltered.bytes).toBe(all.bytes);
    expect(unfiltered.hits).toBe(all.hits);
    expect(unfiltered.dropped).toBe(0);
    // Countries of overflow cells are unknown: their requests are left off the lists.
    expect(unfiltered.countriesOmittedRequests).toBeGreaterThanOrEqual(overflowRecords);

    const us: LiveFilters = { distributions: [], country: ['US'] };
    const filtered = oneSecond('cells', us, (hub) => hub.publishCells(cells, overflowRecords));
    expect(filtered.dropped).toBe(overflowRecords);
    expect(filtered.requests).toBeLessThanOrEqual(inProcess(full, us).requests);
  });

  it('name the filters cells cannot answer, and a cell-fed hub refuses them', () => {
    expect(unsupportedCellFilter({ distributions: [], pathPrefix: '/api' })?.parameter).toBe('pathPrefix');
    expect(unsupportedCellFilter({ distributions: [], status: [404] })?.parameter).toBe('status');
    expect(unsupportedCellFilter({ distributions: [], pop: ['IAD89-C1'] })?.parameter).toBe('pop');
    expect(unsupportedCellFilter({ distributions: [], detailedResult: ['ClientGeoBlocked'] })?.parameter).toBe('detailedResult');
    expect(unsupportedCellFilter({ distributions: [], pop: ['IAD'], country: ['US'] })).toBeNull();
    const cells = new LiveHub({ feed: 'cells' });
    expect(cells.unsupportedFilter({ distributions: [], cacheBehavior: ['/img/*'] })?.parameter).toBe('cacheBehavior');
    expect(() => cells.subscribe({ filters: { distributions: [], pathPrefix: '/a' }, onSecond: () => undefined })).toThrow(/pathPrefix/);
    // A hub fed record by record applies every filter.
    expect(new LiveHub().unsupportedFilter({ distributions: [], pathPrefix: '/a' })).toBeNull();
  });

  it('hand sampled records to the subscribers whose filters they match, within each rate', () => {
    const clock = new TestClock(START_MS);
    const hub = new LiveHub({ now: clock.now, feed: 'cells' });
    const us: LiveRecord[] = [];
    const any: LiveRecord[] = [];
    const seconds: SecondCounters[] = [];
    hub.subscribe({ filters: { distributions: [], country: ['US'] }, recordsPerSecond: 1_000, onSecond: () => undefined, onRecord: (r) => us.push(r) });
    hub.subscribe({ filters: { distributions: [] }, recordsPerSecond: 5, onSecond: (c) => seconds.push(c), onRecord: (r) => any.push(r) });
    const sample = full.slice(0, 200).map((entry) => ({ key: cellKeyOf(entry), record: toLiveRecord(entry) }));
    hub.publishSampled(sample);
    clock.advance(1_000);
    hub.tick();
    const expectedUs = sample.filter((s) => s.key.country === 'US').map((s) => s.record);
    expect(expectedUs.length).toBeGreaterThan(0);
    expect(us).toEqual(expectedUs);
    expect(any).toEqual(sample.slice(0, 5).map((s) => s.record));
    expect(seconds[0]).toMatchObject({ recordsSent: 5, recordsOverRate: 195, sampledRequests: 0 });
  });
});
