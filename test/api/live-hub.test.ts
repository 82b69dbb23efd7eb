/**
 * The live view without a server: LiveTap (parse, enrich, bounded queue) → LiveHub (filters,
 * per-second counters, sampled records) on a hand-driven clock.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SecondCounters } from '../../api/live/live-counters.js';
import type { LiveFilters } from '../../api/live/live-filter.js';
import type { LiveRecord } from '../../api/live/live-record.js';
import { liveRig, logLine, type LiveRig } from './live-kit.js';

const ALL: LiveFilters = { distributions: [] };

/** Subscribes and collects what the subscriber receives. */
function collect(rig: LiveRig, filters: LiveFilters = ALL, recordsPerSecond = 0) {
  const seconds: SecondCounters[] = [];
  const records: LiveRecord[] = [];
  let closed = 0;
  const subscription = rig.hub.subscribe({
    filters,
    recordsPerSecond,
    onSecond: (c) => seconds.push(c),
    onRecord: (r) => records.push(r),
    onClose: () => closed++,
  });
  return { seconds, records, subscription, closed: () => closed };
}

/** Ends the current second and returns the counters the subscriber got for it. */
function closeSecond(rig: LiveRig, seconds: SecondCounters[]): SecondCounters {
  const before = seconds.length;
  rig.clock.advance(1_000);
  rig.hub.tick();
  expect(seconds.length).toBe(before + 1);
  return seconds[seconds.length - 1]!;
}

describe('live counters', () => {
  it('follow the definitions: extrapolated by sampling rate, WebSockets out of hit ratios, CloudWatch-style cacheable', () => {
    const rig = liveRig({ samplingRate: 50 });
    const sub = collect(rig);
    rig.feed([
      logLine({ 'sc-bytes': '1000' }),
      logLine({ 'sc-bytes': '500', 'x-edge-result-type': 'Miss', 'x-edge-detailed-result-type': 'Miss' }),
      logLine({ 'sc-status': '304', 'sc-bytes': '0', 'x-edge-result-type': 'RefreshHit', 'x-edge-detailed-result-type': 'RefreshHit' }),
      logLine({ 'sc-bytes': '2000', 'x-edge-result-type': 'Miss', 'x-edge-detailed-result-type': 'OriginShieldHit' }),
      logLine({ 'cs-method': 'POST', 'sc-bytes': '300', 'x-edge-result-type': 'Miss', 'x-edge-detailed-result-type': 'Miss' }),
      logLine({ 'sc-status': '502', 'sc-bytes': '100', 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'OriginConnectError' }),
      logLine({ 'sc-status': '404', 'sc-bytes': '200', 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'Error' }),
      logLine({ 'sc-status': '403', 'sc-bytes': '400', 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'ClientGeoBlocked' }),
      logLine({ 'cs-protocol': 'wss', 'sc-status': '101', 'sc-bytes': '5000' }),
      logLine({ 'sc-status': '503', 'sc-bytes': '0', 'x-edge-result-type': 'LimitExceeded', 'x-edge-detailed-result-type': 'LimitExceeded' }),
    ]);
    const c = closeSecond(rig, sub.seconds);
    expect(c).toMatchObject({
      t: 1_700_000_000_000,
      sampledRequests: 10,
      sampledBytes: 9_500,
      requests: 20,
      bytes: 19_000,
      requestsVar: 20,
      bytesVar: 61_100_000,
      ratioRequests: 18,
      ratioBytes: 9_000,
      hits: 6,
      hitBytes: 6_000,
      misses: 4,
      cacheableRequests: 8,
      cacheableHits: 6,
      status4xx: 4,
      status5xx: 4,
      geoBlocked: 2,
      dropped: 0,
      stale: 0,
      invalid: 0,
    });
    expect(c.cacheHitRatio).toBe(0.75);
    expect(c.edgeHitRatio).toBeCloseTo(1 / 3, 12);
    expect(c.byteHitRatio).toBeCloseTo(2 / 3, 12);
    expect(c.errorRate4xx).toBe(0.2);
    expect(c.errorRate5xx).toBe(0.2);
  });

  it('come every second, zeros included, with null ratios when there is nothing to divide', () => {
    const rig = liveRig();
    const sub = collect(rig);
    rig.feed([logLine()]);
    rig.clock.advance(3_000);
    rig.hub.tick();
    expect(sub.seconds.map((s) => [s.t, s.sampledRequests])).toEqual([
      [1_700_000_000_000, 1],
      [1_700_000_001_000, 0],
      [1_700_000_002_000, 0],
    ]);
    expect(sub.seconds[1]).toMatchObject({ requests: 0, cacheHitRatio: null, edgeHitRatio: null, byteHitRatio: null, errorRate4xx: null });
  });

  it('count a record in the second it is received', () => {
    const rig = liveRig();
    const sub = collect(rig);
    rig.feed([logLine()]);
    rig.clock.advance(1_000);
    rig.feed([logLine(), logLine()]);
    closeSecond(rig, sub.seconds);
    expect(sub.seconds.map((s) => s.sampledRequests)).toEqual([1, 2]);
  });
});

describe('live filters', () => {
  it('select records the way the stats routes do', () => {
    const rig = liveRig();
    const cases: Array<[string, LiveFilters]> = [
      ['distribution', { distributions: ['E222'] }],
      ['pop code', { distributions: [], pop: ['SFO'] }],
      ['edge location', { distributions: [], pop: ['IAD89-C1'] }],
      ['status', { distributions: [], status: [404] }],
      ['status class', { distributions: [], statusClass: ['4xx'] }],
      ['cache status', { distributions: [], cacheStatus: ['miss'] }],
      ['method', { distributions: [], method: ['POST'] }],
      ['country', { distributions: [], country: ['DE'] }],
      ['path prefix', { distributions: [], pathPrefix: '/api/' }],
      ['bots', { distributions: [], bot: true }],
      ['no bots', { distributions: [], bot: false }],
      ['device', { distributions: [], device: ['mobile'] }],
      ['ssl protocol', { distributions: [], sslProtocol: ['TLSv1.2'] }],
      ['detailed result', { distributions: [], detailedResult: ['Error'] }],
      ['cache behavior', { distributions: [], cacheBehavior: ['/api/*'] }],
      ['http version', { distributions: [], httpVersion: ['1.1'] }],
      ['protocol', { distributions: [], protocol: ['http'] }],
      ['content class', { distributions: [], contentClass: ['html'] }],
      ['source', { distributions: [], source: ['standard'] }],
      ['two filters', { distributions: ['E111'], country: ['US', 'DE'], method: ['GET'] }],
    ];
    const subs = cases.map(([name, filters]) => [name, collect(rig, filters)] as const);
    rig.feed([
      logLine(), // E111, IAD89-C1, 200 hit GET US desktop Chrome /index.html
      logLine({ 'x-host-header': 'd222.cloudfront.net', 'x-edge-location': 'SFO5-C1' }),
      logLine({ 'sc-status': '404', 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'Error', 'c-country': 'DE' }),
      logLine({ 'cs-method': 'POST', 'cs-uri-stem': '/api/orders', 'x-edge-result-type': 'Miss', 'x-edge-detailed-result-type': 'Miss' }),
      logLine({ 'cs-user-agent': 'Googlebot/2.1%20(+http://www.google.com/bot.html)', 'x-edge-location': 'IAD12-P2' }),
      logLine({ 'cs-user-agent': 'Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_0%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20Mobile/15E148', 'ssl-protocol': 'TLSv1.2' }),
      logLine({ 'cache-behavior-path-pattern': '/api/*', 'cs-protocol-version': 'HTTP/1.1', 'cs-protocol': 'http' }),
    ]);
    rig.clock.advance(1_000);
    rig.hub.tick();
    const counts = Object.fromEntries(subs.map(([name, sub]) => [name, sub.seconds[0]?.sampledRequests]));
    expect(counts).toEqual({
      distribution: 1,
      'pop code': 1,
      'edge location': 5,
      status: 1,
      'status class': 1,
      'cache status': 1,
      method: 1,
      country: 1,
      'path prefix': 1,
      bots: 1,
      'no bots': 6,
      device: 1,
      'ssl protocol': 1,
      'detailed result': 1,
      'cache behavior': 1,
      'http version': 1,
      protocol: 1,
      'content class': 6,
      source: 0,
      'two filters': 5,
    });
  });
});

describe('sampled live records', () => {
  it('are flat JSON of strings, numbers and nulls, attacker text kept as text', () => {
    const rig = liveRig();
    const sub = collect(rig, ALL, 10);
    rig.feed([
      logLine({
        'cs-uri-stem': '/caf%C3%A9/%3Cscript%3Ealert(1)%3C/script%3E',
        'cs-user-agent': '%3Cimg%20src=x%20onerror=alert(1)%3E%0A%22',
        'time-to-first-byte': '0.0125',
        'c-country': '-',
      }),
    ]);
    expect(sub.records).toHaveLength(1);
    const record = sub.records[0]!;
    expect(record).toMatchObject({
      timestamp: '2023-11-14T22:13:20.123Z',
      distribution: 'E111',
      host: 'd111.cloudfront.net',
      edgeLocation: 'IAD89-C1',
      pop: 'IAD',
      method: 'GET',
      status: 200,
      path: '/café/<script>alert(1)</script>',
      cacheStatus: 'hit',
      bytes: 1000,
      ttfbMs: 12.5,
      timeTakenMs: 4,
      userAgent: '<img src=x onerror=alert(1)>\n"',
      samplingRate: 100,
    });
    expect(record.edgeRequestId).toMatch(/^req-\d+$/);
    for (const [key, value] of Object.entries(record)) {
      expect(value === null || typeof value === 'string' || typeof value === 'number', key).toBe(true);
    }
    // The client IP is not part of a live record.
    expect(JSON.stringify(record)).not.toContain('192.0.2.10');
  });

  it('are capped at the subscriber rate per second, the rest counted', () => {
    const rig = liveRig();
    const slow = collect(rig, ALL, 3);
    const fast = collect(rig, ALL, 100);
    const countersOnly = collect(rig, ALL, 0);
    rig.feed(Array.from({ length: 10 }, () => logLine()));
    expect(slow.records).toHaveLength(3);
    expect(fast.records).toHaveLength(10);
    expect(countersOnly.records).toHaveLength(0);
    const c = closeSecond(rig, slow.seconds);
    expect(c).toMatchObject({ sampledRequests: 10, recordsSent: 3, recordsOverRate: 7 });
    expect(fast.seconds[0]).toMatchObject({ recordsSent: 10, recordsOverRate: 0 });
    // A new second, a new allowance.
    rig.feed(Array.from({ length: 4 }, () => logLine()));
    expect(slow.records).toHaveLength(6);
  });

  it('only match the subscriber filters', () => {
    const rig = liveRig();
    const sub = collect(rig, { distributions: ['E222'] }, 10);
    rig.feed([logLine(), logLine({ 'x-host-header': 'd222.cloudfront.net' }), logLine()]);
    expect(sub.records.map((r) => r.distribution)).toEqual(['E222']);
  });
});

describe('live tap', () => {
  it('drops what does not fit its queue and says so in the counters', () => {
    const rig = liveRig({ maxQueuedRecords: 5 });
    const sub = collect(rig);
    rig.tap.tap('edgewatch-test', 'shardId-0', Array.from({ length: 8 }, () => ({ data: Buffer.from(logLine()), sequenceNumber: '1', arrivalMs: rig.clock.nowMs })));
    expect(rig.tap.stats()).toMatchObject({ queuedRecords: 5, dropped: 3 });
    rig.tap.drain();
    const c = closeSecond(rig, sub.seconds);
    expect(c).toMatchObject({ sampledRequests: 5, dropped: 3 });
    expect(rig.tap.stats()).toMatchObject({ queuedRecords: 0, published: 5, dropped: 3 });
  });

  it('bounds queued bytes too', () => {
    const rig = liveRig({ maxQueuedBytes: 2 * Buffer.byteLength(logLine()) + 10 });
    collect(rig);
    rig.tap.tap('edgewatch-test', 'shardId-0', Array.from({ length: 4 }, () => ({ data: Buffer.from(logLine()), sequenceNumber: '1', arrivalMs: rig.clock.nowMs })));
    expect(rig.tap.stats()).toMatchObject({ queuedRecords: 2, dropped: 2 });
  });

  it('parses at most maxRecordsPerSecond records a second and counts the rest as dropped', () => {
    const rig = liveRig({ maxRecordsPerSecond: 4 });
    const sub = collect(rig);
    rig.feed(Array.from({ length: 6 }, () => logLine()));
    expect(closeSecond(rig, sub.seconds)).toMatchObject({ sampledRequests: 4, dropped: 2 });
    rig.feed(Array.from({ length: 3 }, () => logLine()));
    expect(closeSecond(rig, sub.seconds)).toMatchObject({ sampledRequests: 3, dropped: 0 });
  });

  it('counts a backlog as stale and unreadable lines as invalid, instead of showing them as live', () => {
    const rig = liveRig({ maxRecordAgeMs: 60_000 });
    const sub = collect(rig);
    rig.feed([logLine(), logLine()], 120_000);
    rig.feed(['not a log line\n', logLine({ 'sc-status': 'abc' }), logLine()]);
    expect(closeSecond(rig, sub.seconds)).toMatchObject({ sampledRequests: 1, stale: 2, invalid: 2, dropped: 0 });
  });

  it('does nothing while no one subscribes', () => {
    const rig = liveRig();
    rig.feed([logLine(), logLine()]);
    expect(rig.tap.stats()).toEqual({ queuedRecords: 0, published: 0, dropped: 0, stale: 0, invalid: 0 });
  });

  it('keeps its failures to itself: a stream without log config drops its records, reported once', () => {
    const errors: string[] = [];
    const rig = liveRig({
      formatOf: (stream) => {
        throw new Error(`no real-time log config is known for stream ${stream}`);
      },
      onError: (err, context) => errors.push(`${context.step}: ${(err as Error).message}`),
    });
    const sub = collect(rig);
    expect(() => rig.feed([logLine(), logLine()])).not.toThrow();
    rig.feed([logLine()]);
    expect(errors).toEqual(['format: no real-time log config is known for stream edgewatch-test']);
    expect(closeSecond(rig, sub.seconds)).toMatchObject({ sampledRequests: 0, dropped: 3 });
  });

  it('works its queue off in slices on its own, without blocking the caller', async () => {
    const rig = liveRig({ sliceRecords: 2 });
    const sub = collect(rig, ALL, 100);
    rig.tap.tap('edgewatch-test', 'shardId-0', Array.from({ length: 5 }, () => ({ data: Buffer.from(logLine()), sequenceNumber: '1', arrivalMs: rig.clock.nowMs })));
    expect(sub.records).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sub.records).toHaveLength(2);
    // The remaining slices follow on later turns of the event loop, however busy the machine is.
    await vi.waitFor(() => expect(sub.records).toHaveLength(5));
    rig.tap.stop();
  });
});

describe('live subscriptions', () => {
  it('end on close: no more counters or records, and the hub forgets them', () => {
    const rig = liveRig();
    const sub = collect(rig, ALL, 10);
    expect(rig.hub.subscriberCount).toBe(1);
    sub.subscription.close();
    sub.subscription.close();
    expect(rig.hub.subscriberCount).toBe(0);
    rig.feed([logLine()]);
    rig.clock.advance(1_000);
    rig.hub.tick();
    expect(sub.seconds).toEqual([]);
    expect(sub.records).toEqual([]);
  });

  it('remove a subscriber whose callback throws and keep serving the others', () => {
    const rig = liveRig();
    let calls = 0;
    rig.hub.subscribe({
      filters: ALL,
      onSecond: () => {
        calls++;
        throw new Error('subscriber bug');
      },
    });
    const healthy = collect(rig);
    rig.clock.advance(2_000);
    rig.hub.tick();
    expect(calls).toBe(1);
    expect(healthy.seconds).toHaveLength(2);
    expect(rig.hub.subscriberCount).toBe(1);
  });

  it('are told when the hub stops, and none is accepted after', () => {
    const rig = liveRig();
    const sub = collect(rig);
    rig.hub.stop();
    expect(sub.closed()).toBe(1);
    expect(rig.hub.subscriberCount).toBe(0);
    expect(() => collect(rig)).toThrow(/stopped/);
  });
});
