/**
 * The alerts' in-process counters: what LiveAlertSource measures from records the live tap parsed,
 * on a hand-driven clock.
 */
import { describe, expect, it } from 'vitest';
import { spanKey, latencyQuantile, addLatency, type DistributionMeasures } from '../../api/alerts/alert-measures.js';
import { VIDEO, WEB, TrafficScript, liveAlertRig, type LiveAlertRig } from './alert-traffic.js';

const SPAN = { windowMs: 30_000, baselineMs: 300_000 };

async function measures(rig: LiveAlertRig, distribution = WEB.id, countries = false): Promise<DistributionMeasures> {
  const snapshot = await rig.source.read(rig.clock.nowMs, [SPAN], { countries });
  const m = snapshot.distributions.get(distribution)?.get(spanKey(SPAN));
  if (m === undefined) throw new Error(`no measures for ${distribution}`);
  return m;
}

/** Feeds `perSecond` lines a second for `seconds` seconds, from `make`. */
function run(rig: LiveAlertRig, seconds: number, make: (nowMs: number) => string[]): void {
  for (let s = 0; s < seconds; s++) {
    rig.feed(make(rig.clock.nowMs));
    rig.clock.advance(1_000);
  }
}

describe('LiveAlertSource', () => {
  it('splits window and baseline by the second records arrived, with the time it has covered', async () => {
    const rig = liveAlertRig();
    const traffic = new TrafficScript();
    run(rig, 100, (now) => traffic.of(WEB, now, 10));
    run(rig, 20, (now) => [...traffic.of(WEB, now, 10), ...traffic.geoBlocked(now, 5, ['CN', 'RU'])]);
    const m = await measures(rig);
    // Now is the start of second 120: the window holds seconds 91–120 (the current one empty so far).
    expect(m.window.coveredMs).toBe(29_000);
    expect(m.window.sampledRequests).toBe(9 * 10 + 20 * 15);
    expect(m.window.sampledGeoBlocked).toBe(100);
    expect(m.window.geoBlocked).toBe(100);
    // The baseline began when the source did: 90 s of the 300 asked for.
    expect(m.baseline.coveredMs).toBe(91_000);
    expect(m.baseline.sampledRequests).toBe(910);
    expect(m.baseline.geoBlocked).toBe(0);
  });

  it('extrapolates counts by sampling rate and keeps the sampled lines apart', async () => {
    const rig = liveAlertRig({ samplingRate: 5 });
    const traffic = new TrafficScript();
    run(rig, 3, (now) => traffic.geoBlocked(now, 2, ['CN']));
    const m = await measures(rig);
    expect(m.window.sampledGeoBlocked).toBe(6);
    expect(m.window.geoBlocked).toBe(120);
  });

  it('counts geo-blocked requests per country, 5xx, 4xx other than geo-blocked, edge function errors and origin latency', async () => {
    const rig = liveAlertRig();
    const traffic = new TrafficScript();
    const origin = { 'x-edge-result-type': 'Miss', 'x-edge-response-result-type': 'Miss', 'x-edge-detailed-result-type': 'Miss', 'sc-status': '200', 'cs-protocol': 'https', 'cs-method': 'GET' };
    run(rig, 10, (now) => [
      ...traffic.geoBlocked(now, 3, ['CN', 'CN', 'RU']),
      ...traffic.of(WEB, now, 2, { 'sc-status': '404', 'x-edge-detailed-result-type': 'Error', 'x-edge-result-type': 'Error', 'origin-fbl': '-' }),
      ...traffic.of(WEB, now, 1, { 'sc-status': '503', 'x-edge-result-type': 'LambdaExecutionError', 'x-edge-detailed-result-type': 'LambdaExecutionError', 'origin-fbl': '-' }),
      ...traffic.of(WEB, now, 1, { 'sc-status': '503', 'x-edge-result-type': 'FunctionExecutionError', 'x-edge-detailed-result-type': 'FunctionExecutionError', 'origin-fbl': '-' }),
      ...traffic.of(WEB, now, 9, { ...origin, 'origin-fbl': '0.100' }),
      ...traffic.of(WEB, now, 1, { ...origin, 'origin-fbl': '2.500' }),
    ]);
    const m = await measures(rig, WEB.id, true);
    expect(m.window.sampledGeoBlocked).toBe(30);
    expect(m.window.sampled4xxOther).toBe(20);
    expect(m.window.status4xx).toBe(50);
    expect(m.window.sampled5xx).toBe(20);
    expect(m.window.sampledEdgeFunctionErrors).toBe(20);
    expect(m.window.sampledOriginLatency).toBe(100);
    // 90 % of origin fetches at 100 ms, 10 % at 2.5 s: the p95 is the slow ones (histogram buckets ±3 %).
    expect(m.window.originLatencyP95Ms).toBeGreaterThan(2_400);
    expect(m.window.originLatencyP95Ms).toBeLessThan(2_600);
    expect(m.countries.get('CN')?.window.sampledGeoBlocked).toBe(20);
    expect(m.countries.get('RU')?.window.sampledGeoBlocked).toBe(10);
  });

  it('keeps distributions apart and forgets seconds older than its history', async () => {
    const rig = liveAlertRig();
    const traffic = new TrafficScript();
    run(rig, 5, (now) => [...traffic.of(WEB, now, 3), ...traffic.of(VIDEO, now, 7)]);
    expect((await measures(rig, WEB.id)).window.sampledRequests).toBe(15);
    expect((await measures(rig, VIDEO.id)).window.sampledRequests).toBe(35);
    rig.clock.advance(3_700_000);
    const later = await measures(rig, WEB.id);
    expect(later.window.sampledRequests).toBe(0);
    expect(later.baseline.sampledRequests).toBe(0);
  });

  it('names the top countries, POPs, paths and ASNs of a signal, per country when asked', async () => {
    const rig = liveAlertRig();
    const traffic = new TrafficScript();
    run(rig, 10, (now) => [
      ...traffic.geoBlocked(now, 6, ['CN', 'CN', 'CN', 'RU', 'RU', 'KP']).map((l) => traffic.withFields(l, { 'cs-uri-stem': '/wp-login.php', asn: '4134' })),
      ...traffic.of(WEB, now, 10),
    ]);
    const now = rig.clock.nowMs;
    const top = await rig.source.contributors({ distribution: WEB.id, signal: 'geoBlocked', fromMs: now - 30_000, toMs: now });
    expect(top.countries.map((c) => c.value)).toEqual(['CN', 'RU', 'KP']);
    expect(top.countries[0]).toEqual({ value: 'CN', requests: 30, share: 0.5 });
    expect(top.paths[0]).toMatchObject({ value: '/wp-login.php', share: 1 });
    expect(top.asns[0]).toMatchObject({ value: 'AS4134', share: 1 });
    expect(top.pops.length).toBeGreaterThan(0);
    const russia = await rig.source.contributors({ distribution: WEB.id, signal: 'geoBlocked', fromMs: now - 30_000, toMs: now, country: 'RU' });
    expect(russia.countries).toEqual([{ value: 'RU', requests: 20, share: 1 }]);
  });

  it('notes records the live view dropped', async () => {
    const rig = liveAlertRig();
    rig.hub.noteLoss({ dropped: 12 });
    const snapshot = await rig.source.read(rig.clock.nowMs + 500, [SPAN], { countries: false });
    expect(snapshot.notes.join(' ')).toMatch(/dropped 12 records/);
  });
});

describe('latency histogram', () => {
  it('gives weighted quantiles within its bucket width', () => {
    const h = new Map<number, number>();
    for (let ms = 1; ms <= 1000; ms++) addLatency(h, ms, 1);
    expect(latencyQuantile(h, 0.5)).toBeGreaterThan(485);
    expect(latencyQuantile(h, 0.5)).toBeLessThan(515);
    addLatency(h, 5_000, 10_000);
    expect(latencyQuantile(h, 0.95)).toBeGreaterThan(4_850);
    expect(latencyQuantile(new Map(), 0.95)).toBeNull();
  });
});
