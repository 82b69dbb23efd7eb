/**
 * Pushed live filters: the counts processors keep for filters that counter cells cannot answer give
 * a cell-fed hub the same per-second counters (and places) as the in-process hub fed record by
 * record; filter ids, the hub's list of pushed filters and their records, the processors' table of
 * announced filters, and the messages that carry them.
 */
import { describe, expect, it } from 'vitest';
import type { SecondCounters } from '../../api/live/live-counters.js';
import { statusOf, type LiveEntry } from '../../api/live/live-entry.js';
import { compilePushedFilter, FilteredCellAggregator, liveFilterId } from '../../api/live/live-filter-pushdown.js';
import type { LiveFilters } from '../../api/live/live-filter.js';
import { LiveHub } from '../../api/live/live-hub.js';
import { toLiveRecord, type LiveRecord } from '../../api/live/live-record.js';
import { PushedFilterTable } from '../../api/live/pushed-filter-table.js';
import { cellKeyOf, LiveCellAggregator } from '../../api/live/live-cells.js';
import { decodeLiveFeedMessage, encodeLiveFeedMessage, type LiveFilteredMessage, type LiveRecordsMessage } from '../../cli/live-feed-message.js';
import { decodeLiveFiltersMessage, encodeLiveFiltersMessage, type LiveFiltersMessage } from '../../cli/live-filter-message.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { F } from '../../processor/fields/catalogue.js';
import { TestClock } from './live-kit.js';
import { SIMULATED_START_MS, simulatedEntries } from './simulated-entries.js';

const START_MS = SIMULATED_START_MS;
const entries = simulatedEntries;


/** The most frequent value of a text field in the entries (a filter value that selects some of them). */
function commonText(list: readonly LiveEntry[], index: number): string {
  const counts = new Map<string, number>();
  for (const e of list) {
    const v = e.record.values[index];
    if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

interface Second {
  readonly counters: SecondCounters;
  readonly records: LiveRecord[];
}

function oneSecond(hub: LiveHub, clock: TestClock, filters: LiveFilters, rate: number, publish: () => void): Second {
  const seconds: SecondCounters[] = [];
  const records: LiveRecord[] = [];
  const sub = hub.subscribe({ filters, recordsPerSecond: rate, onSecond: (c) => seconds.push(c), onRecord: (r) => records.push(r) });
  publish();
  clock.advance(1_000);
  hub.tick();
  sub.close();
  expect(seconds).toHaveLength(1);
  return { counters: seconds[0]!, records };
}

function inProcess(list: readonly LiveEntry[], filters: LiveFilters, rate = 0): Second {
  const clock = new TestClock(START_MS);
  const hub = new LiveHub({ now: clock.now });
  return oneSecond(hub, clock, filters, rate, () => hub.publish(list));
}

/** Processors (round robin over the records) applying the pushed filter, their counts and samples merged by a cell-fed hub. */
function pushedDown(list: readonly LiveEntry[], filters: LiveFilters, processors = 1, rate = 0, maxCellsPerFilter = 500): Second {
  const clock = new TestClock(START_MS);
  const hub = new LiveHub({ now: clock.now, feed: 'cells', pushDown: true });
  const filter = compilePushedFilter({ filters, recordsPerSecond: rate });
  return oneSecond(hub, clock, filters, rate, () => {
    expect(hub.pushedFilters().map((f) => f.id)).toEqual([filter.id]);
    for (let p = 0; p < processors; p++) {
      const aggregator = new FilteredCellAggregator(maxCellsPerFilter);
      aggregator.track(filter.id);
      const sampled = [];
      for (const [i, entry] of list.entries()) {
        if (i % processors !== p || !filter.match(entry)) continue;
        aggregator.add(filter.id, entry);
        if (sampled.length < rate) sampled.push({ key: cellKeyOf(entry), record: toLiveRecord(entry) });
      }
      hub.publishFiltered(aggregator.take());
      hub.publishSampled(sampled, filter.id);
    }
  });
}

function expectSameCounters(actual: SecondCounters, expected: SecondCounters): void {
  expect({ ...actual, bytesVar: 0 }).toEqual({ ...expected, bytesVar: 0 });
  const a = actual.bytesVar;
  const b = expected.bytesVar;
  expect(a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))).toBeLessThan(1e-12);
}

describe('pushed live filters', () => {
  const full = entries(4_000, 100);
  const half = entries(4_000, 50, 11);
  const tls = commonText(full, F.ssl_protocol);
  const detailed = commonText(full, F.x_edge_detailed_result_type);
  const behavior = commonText(full, F.cache_behavior_path_pattern);
  const location = commonText(full, F.x_edge_location);
  const status = statusOf(full[0]!.record)!;

  const FILTERS: readonly [string, LiveFilters][] = [
    ['exact status', { distributions: [], status: [status, 404] }],
    ['TLS protocol', { distributions: [], sslProtocol: [tls] }],
    ['detailed result', { distributions: [], detailedResult: [detailed] }],
    ['cache behavior', { distributions: [], cacheBehavior: [behavior] }],
    ['path prefix', { distributions: [], pathPrefix: '/' }],
    ['full edge location', { distributions: [], pop: [location] }],
    ['with cell dimensions too', { distributions: [DEMO_DISTRIBUTIONS[0]!.id], country: ['US', 'DE'], status: [status], method: ['GET'] }],
  ];

  it.each(FILTERS)('give the in-process counters and places (filter: %s)', (_name, filters) => {
    for (const list of [full, half]) {
      const expected = inProcess(list, filters);
      expect(expected.counters.sampledRequests).toBeGreaterThan(0);
      expectSameCounters(pushedDown(list, filters).counters, expected.counters);
      expectSameCounters(pushedDown(list, filters, 3).counters, expected.counters);
    }
  });

  it('hand out the records each processor sampled for the filter, all matching', () => {
    const filters: LiveFilters = { distributions: [], status: [status] };
    const expected = inProcess(full, filters, 20);
    const actual = pushedDown(full, filters, 1, 20);
    expect(actual.records).toHaveLength(20);
    expect(actual.records).toEqual(expected.records);
    expect(actual.counters.recordsSent).toBe(20);
    expect(actual.counters.recordsOverRate).toBe(expected.counters.recordsOverRate);
    expect(actual.counters.recordsOverRate).toBeGreaterThan(0);
  });

  it('past the places budget of a filter, keep every count and leave the rest unplaced', () => {
    const filters: LiveFilters = { distributions: [], pathPrefix: '/' };
    const expected = inProcess(full, filters).counters;
    const actual = pushedDown(full, filters, 1, 0, 3).counters;
    expect(actual.requests).toBe(expected.requests);
    expect(actual.hits).toBe(expected.hits);
    expect(actual.countries.length).toBeLessThan(expected.countries.length);
    expect(actual.countriesOmittedRequests).toBeGreaterThan(expected.countriesOmittedRequests);
  });

  it('name a filter set by its content, whatever the order of its values', () => {
    const a = liveFilterId({ distributions: ['E2', 'E1'], status: [404, 200], pathPrefix: '/a' });
    expect(liveFilterId({ distributions: ['E1', 'E2'], pathPrefix: '/a', status: [200, 404, 200] })).toBe(a);
    expect(liveFilterId({ distributions: ['E1', 'E2'], status: [200, 404], pathPrefix: '/b' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{24}$/);
  });

  it('a cell-fed hub pushes every filtered subscription, says when they change, and refuses filters cells cannot answer without push-down', () => {
    let changes = 0;
    const hub = new LiveHub({ feed: 'cells', pushDown: true, onPushedFiltersChange: () => changes++ });
    const status404: LiveFilters = { distributions: [], status: [404] };
    hub.subscribe({ filters: { distributions: [] }, onSecond: () => undefined });
    expect(hub.pushedFilters()).toEqual([]);
    expect(changes).toBe(0);
    const one = hub.subscribe({ filters: status404, recordsPerSecond: 5, onSecond: () => undefined, onRecord: () => undefined });
    const two = hub.subscribe({ filters: { distributions: [], status: [404] }, recordsPerSecond: 9, onSecond: () => undefined, onRecord: () => undefined });
    expect(hub.pushedFilters()).toEqual([{ id: liveFilterId(status404), filters: { distributions: [], status: [404] }, recordsPerSecond: 9 }]);
    expect(changes).toBe(2);
    const us = hub.subscribe({ filters: { distributions: [], country: ['US'] }, onSecond: () => undefined });
    expect(hub.pushedFilters()).toHaveLength(2);
    us.close();
    two.close();
    expect(hub.pushedFilters()).toEqual([expect.objectContaining({ recordsPerSecond: 5 })]);
    one.close();
    expect(hub.pushedFilters()).toEqual([]);
    expect(changes).toBe(6);
    expect(hub.unsupportedFilter(status404)).toBeNull();
    expect(new LiveHub({ feed: 'cells' }).unsupportedFilter(status404)).toMatchObject({ parameter: 'status' });
  });

  it('answers a filter cells can answer from cells until its pushed counts arrive, then from those alone, past any cell budget', () => {
    const clock = new TestClock(START_MS);
    const hub = new LiveHub({ now: clock.now, feed: 'cells', pushDown: true });
    const us: LiveFilters = { distributions: [], country: ['US'] };
    const seconds: SecondCounters[] = [];
    hub.subscribe({ filters: us, onSecond: (c) => seconds.push(c) });
    const filter = compilePushedFilter({ filters: us, recordsPerSecond: 0 });
    const expected = inProcess(full, us).counters;
    // A tight cell budget: most records land in overflow cells, which a filtered subscriber cannot see.
    const cellsOf = () => {
      const cells = new LiveCellAggregator(20);
      for (const e of full) cells.add(e);
      return cells.take();
    };
    const pushedOf = () => {
      const aggregator = new FilteredCellAggregator(500);
      aggregator.track(filter.id);
      for (const e of full) if (filter.match(e)) aggregator.add(filter.id, e);
      return aggregator.take();
    };
    // Second 1: the processors do not apply the filter yet: cells answer, short by what overflowed.
    let taken = cellsOf();
    hub.publishCells(taken.cells, taken.overflowRecords);
    clock.advance(1_000);
    hub.tick();
    expect(seconds[0]!.requests).toBeLessThan(expected.requests);
    expect(seconds[0]!.dropped).toBe(taken.overflowRecords);
    // Second 2: the processors publish the filter's counts (before that second's cells): exact, cells ignored.
    hub.publishFiltered(pushedOf());
    taken = cellsOf();
    hub.publishCells(taken.cells, taken.overflowRecords);
    clock.advance(1_000);
    hub.tick();
    expectSameCounters({ ...seconds[1]!, t: expected.t }, expected);
    // Pushed counts stop (a processor restarted, or went past its limit): after 3 s cells answer again.
    clock.advance(3_500);
    hub.tick();
    taken = cellsOf();
    hub.publishCells(taken.cells, taken.overflowRecords);
    clock.advance(1_000);
    hub.tick();
    expect(seconds.at(-1)!.requests).toBe(seconds[0]!.requests);
  });

  it('records sampled for one filter reach only its subscribers, and cell samples only the others', () => {
    const hub = new LiveHub({ feed: 'cells', pushDown: true });
    const got = { pushed: [] as LiveRecord[], other: [] as LiveRecord[], cells: [] as LiveRecord[] };
    const pushed: LiveFilters = { distributions: [], status: [status] };
    hub.subscribe({ filters: pushed, recordsPerSecond: 10, onSecond: () => undefined, onRecord: (r) => got.pushed.push(r) });
    hub.subscribe({ filters: { distributions: [], pathPrefix: '/nothing' }, recordsPerSecond: 10, onSecond: () => undefined, onRecord: (r) => got.other.push(r) });
    hub.subscribe({ filters: { distributions: [] }, recordsPerSecond: 10, onSecond: () => undefined, onRecord: (r) => got.cells.push(r) });
    const sample = full.slice(0, 3).map((e) => ({ key: cellKeyOf(e), record: toLiveRecord(e) }));
    hub.publishSampled(sample, liveFilterId(pushed));
    expect(got).toEqual({ pushed: sample.map((s) => s.record), other: [], cells: [] });
    hub.publishSampled(sample);
    expect(got.cells).toHaveLength(3);
    expect(got.pushed).toHaveLength(3);
  });
});

describe('pushed filter table', () => {
  const f404 = { filters: { distributions: [], status: [404] }, recordsPerSecond: 5 };
  const fTls = { filters: { distributions: [], sslProtocol: ['TLSv1.3'] }, recordsPerSecond: 10 };

  it('applies the union of what the replicas announced, until each announcement lapses or is replaced', () => {
    const table = new PushedFilterTable(10);
    table.announce({ replica: 'a', ttlMs: 10_000, filters: [f404] }, 0);
    table.announce({ replica: 'b', ttlMs: 5_000, filters: [{ ...f404, recordsPerSecond: 20 }, fTls] }, 1_000);
    expect(table.active(2_000).map((f) => [f.id, f.recordsPerSecond]).sort()).toEqual(
      [
        [liveFilterId(f404.filters), 20],
        [liveFilterId(fTls.filters), 10],
      ].sort(),
    );
    // b lapses at 6 s; a still holds 404.
    expect(table.active(6_000).map((f) => [f.id, f.recordsPerSecond])).toEqual([[liveFilterId(f404.filters), 5]]);
    expect(table.active(6_000)[0]!.match).toBeTypeOf('function');
    // An empty announcement withdraws a replica's filters at once.
    table.announce({ replica: 'a', ttlMs: 10_000, filters: [] }, 7_000);
    expect(table.active(7_000)).toEqual([]);
  });

  it('applies at most its limit of filter sets and counts the rest', () => {
    const table = new PushedFilterTable(1);
    table.announce({ replica: 'a', ttlMs: 10_000, filters: [f404, fTls] }, 0);
    expect(table.active(0)).toHaveLength(1);
    expect(table.overLimit).toBe(1);
  });
});

describe('pushed filter messages', () => {
  const counts = { n: 2, bytes: 10, bytesSq: 50, ratioN: 2, ratioBytes: 10, hits: 1, hitBytes: 5, misses: 1, cacheable: 2, cacheableHits: 1, status4xx: 0, status5xx: 0, geoBlocked: 0 };
  const id = liveFilterId({ distributions: [], status: [404] });

  it('carry the counts and samples of pushed filters on the live feed', () => {
    const filtered: LiveFilteredMessage = {
      v: 1,
      kind: 'filtered',
      processor: 'p',
      t: START_MS,
      filters: [{ filterId: id, cells: [{ country: 'US', pop: 'IAD', samplingRate: 50, counts }, { country: null, pop: null, samplingRate: 100, counts }] }],
    };
    expect(decodeLiveFeedMessage(encodeLiveFeedMessage(filtered))).toEqual({ ok: true, message: filtered });
    const entry = entries(1, 100)[0]!;
    const records: LiveRecordsMessage = { v: 1, kind: 'records', processor: 'p', records: [{ key: cellKeyOf(entry), record: toLiveRecord(entry) }], filter: id };
    expect(decodeLiveFeedMessage(encodeLiveFeedMessage(records))).toEqual({ ok: true, message: records });
    const bad = JSON.stringify({ ...JSON.parse(encodeLiveFeedMessage(filtered).toString()), filters: [['not-an-id', []]] });
    expect(decodeLiveFeedMessage(Buffer.from(bad))).toMatchObject({ ok: false, reason: expect.stringMatching(/live filter id/) as unknown });
  });

  it('announce filters, and refuse announcements whose filters the API would refuse', () => {
    const message: LiveFiltersMessage = { v: 1, kind: 'filters', replica: 'serve-1', ttlMs: 10_000, filters: [{ filters: { distributions: [], status: [404], pathPrefix: '/v' }, recordsPerSecond: 5 }] };
    expect(decodeLiveFiltersMessage(encodeLiveFiltersMessage(message))).toEqual({ ok: true, message });
    const refused = [
      { ...message, filters: [{ filters: { distributions: [], country: ['usa'] }, recordsPerSecond: 5 }] },
      { ...message, filters: [{ filters: { distributions: [], method: ['BREW'] }, recordsPerSecond: 5 }] },
      { ...message, filters: [{ filters: { distributions: [], sql: 'x' }, recordsPerSecond: 5 }] },
      { ...message, ttlMs: 10 },
      { ...message, v: 2 },
    ];
    for (const m of refused) expect(decodeLiveFiltersMessage(Buffer.from(JSON.stringify(m))).ok).toBe(false);
    expect(decodeLiveFiltersMessage(Buffer.from('nope'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) as unknown });
  });
});
