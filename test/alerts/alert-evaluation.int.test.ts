/**
 * Alert evaluation in embedded mode: simulated CloudFront traffic through the live tap into the
 * in-process counters, the default rules evaluated every 5 s on a hand-driven clock, alerts stored
 * in embedded ClickHouse. What fires, what does not, and what each alert says.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../api/alerts/alert-model.js';
import type { AlertRule } from '../../api/alerts/alert-rules.js';
import { AlertService } from '../../api/alerts/alert-service.js';
import type { Transition } from '../../api/alerts/alert-state-machine.js';
import { AlertStore } from '../../api/alerts/alert-store.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';
import { TrafficScript, VIDEO, WEB, liveAlertRig, type LiveAlertRig } from './alert-traffic.js';

const dataDir = tempDataDir('alert-eval');
const opened: ClickHouse[] = [];
afterAll(async () => {
  for (const ch of opened) await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const quiet = { info: () => undefined, warn: () => undefined };
let databases = 0;

interface Harness {
  readonly rig: LiveAlertRig;
  readonly service: AlertService;
  readonly store: AlertStore;
  readonly ch: ClickHouse;
  readonly traffic: TrafficScript;
  readonly transitions: Transition[];
  /** Runs `seconds` seconds of traffic from `make`, evaluating every 5 s as the timer would. */
  run(seconds: number, make: (nowMs: number, second: number) => string[]): Promise<void>;
}

async function harness(options: { samplingRate?: number; rules?: (rules: AlertRule[]) => Promise<void> | void } = {}): Promise<Harness> {
  const ch = await migrated(dataDir, `alert_eval_${++databases}`);
  opened.push(ch);
  const store = new AlertStore(ch);
  const rig = liveAlertRig({ samplingRate: options.samplingRate ?? 100 });
  const service = new AlertService({ store, source: rig.source, logger: quiet, now: rig.clock.now, evalIntervalMs: 5_000 });
  await service.start({ timer: false });
  await options.rules?.(service.rules());
  const traffic = new TrafficScript({ startMs: rig.clock.nowMs });
  const transitions: Transition[] = [];
  let second = 0;
  return {
    rig,
    service,
    store,
    ch,
    traffic,
    transitions,
    async run(seconds, make) {
      for (let i = 0; i < seconds; i++) {
        rig.feed(make(rig.clock.nowMs, second++));
        rig.clock.advance(1_000);
        if (rig.clock.nowMs % 5_000 === 0) transitions.push(...(await service.evaluate()));
      }
    },
  };
}

const states = (transitions: readonly Transition[]) => transitions.map((t) => `${t.alert.kind}:${t.to}`);

describe('alert evaluation (embedded, in-process counters)', () => {
  it('a geo-blocked burst fires exactly one alert naming its countries, and resolves after it', async () => {
    const h = await harness();
    const background = (now: number) => h.traffic.normal(now, 20);
    await h.run(120, background);
    const statementsBefore = h.ch.queueStats().completed;
    expect(h.transitions).toEqual([]);
    // No ClickHouse statement while nothing happens: evaluation reads the in-process counters only.
    expect(h.ch.queueStats().completed).toBe(statementsBefore);

    const burstStart = h.rig.clock.nowMs;
    await h.run(40, (now, s) => [...background(now), ...h.traffic.geoBlocked(now, 10, s % 3 === 0 ? ['RU'] : ['CN'])]);
    await h.run(150, background);

    expect(states(h.transitions)).toEqual(['geoBlockedSpike:pending', 'geoBlockedSpike:firing', 'geoBlockedSpike:resolved']);
    const fired = h.transitions[1]!.alert;
    expect(fired.distribution).toBe(WEB.id);
    expect(fired.firedAtMs! - burstStart).toBeLessThanOrEqual(15_000);
    expect(fired.context?.top.countries.map((c) => c.value)).toEqual(['CN', 'RU']);
    expect(fired.context?.top.countries[0]!.share).toBeGreaterThan(0.5);
    expect(fired.context).toMatchObject({
      metric: 'geoBlockedPerSecond',
      unit: 'requests/s',
      windowS: 30,
      baselineS: 900,
      source: 'live',
      link: `/#/live?distribution=${WEB.id}&country=CN%2CRU&detailedResult=ClientGeoBlocked`,
    });
    expect(fired.context!.top.pops.length).toBeGreaterThan(0);
    expect(fired.context!.top.paths.length).toBeGreaterThan(0);
    expect(fired.value).toBeGreaterThanOrEqual(fired.threshold);
    expect(fired.baseline).toBe(0);

    const resolved = h.transitions[2]!.alert;
    expect(resolved.id).toBe(fired.id);
    // The hold time (60 s) after the window (30 s) has let the burst go.
    expect(resolved.resolvedAtMs! - (burstStart + 40_000)).toBeGreaterThanOrEqual(60_000);
    expect(resolved.peak).toBeGreaterThanOrEqual(fired.value!);

    const stored = await h.store.listAlerts({ fromMs: burstStart - 1000, toMs: h.rig.clock.nowMs + 1000, limit: 10 });
    expect(stored.map((a: Alert) => [a.id, a.state, a.firedAtMs])).toEqual([[fired.id, 'resolved', fired.firedAtMs]]);
    expect(stored[0]!.context?.top.countries.map((c) => c.value)).toEqual(['CN', 'RU']);
    await h.service.stop();
  });

  it('a second burst soon after the first fires as fast: the baseline is a median of minutes, which one burst does not lift', async () => {
    const h = await harness();
    const background = (now: number) => h.traffic.normal(now, 20);
    const burst = (now: number) => [...background(now), ...h.traffic.geoBlocked(now, 12, ['IR'])];
    await h.run(180, background);
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      const start = h.rig.clock.nowMs;
      await h.run(60, burst);
      const fired = h.transitions.filter((t) => t.to === 'firing').at(-1)!.alert;
      delays.push(fired.firedAtMs! - start);
      await h.run(120, background);
    }
    expect(states(h.transitions)).toEqual(Array(2).fill(['geoBlockedSpike:pending', 'geoBlockedSpike:firing', 'geoBlockedSpike:resolved']).flat());
    expect(delays[1]).toBeLessThanOrEqual(delays[0]!);
    expect(h.transitions.at(-2)!.alert.baseline).toBe(0);
    await h.service.stop();
  });

  it('a burst in the first minute after a start fires: the floor stands in for the baseline', async () => {
    const h = await harness();
    await h.run(20, (now) => h.traffic.normal(now, 20));
    await h.run(20, (now) => [...h.traffic.normal(now, 20), ...h.traffic.geoBlocked(now, 8, ['KP'], VIDEO)]);
    expect(states(h.transitions)).toEqual(['geoBlockedSpike:pending', 'geoBlockedSpike:firing']);
    expect(h.transitions[1]!.alert.distribution).toBe(VIDEO.id);
    expect(h.transitions[1]!.alert.baseline).toBeNull();
    expect(h.transitions[1]!.alert.context?.notes.join()).toMatch(/no baseline yet/);
    await h.service.stop();
  });

  it('confirms a pending alert when its pending time is over, not at the next interval', async () => {
    const h = await harness();
    expect(h.service.nextDelayMs(h.rig.clock.nowMs)).toBe(5_000);
    await h.run(60, (now) => h.traffic.normal(now, 20));
    while (!h.transitions.some((t) => t.to === 'pending')) await h.run(1, (now) => [...h.traffic.normal(now, 20), ...h.traffic.geoBlocked(now, 20, ['CN'])]);
    const pending = h.transitions.find((t) => t.to === 'pending')!.alert;
    // The default geo-blocked rule is pending for 3 s: the next evaluation comes then.
    expect(h.service.nextDelayMs(pending.pendingAtMs)).toBe(3_000);
    h.rig.feed(h.traffic.geoBlocked(h.rig.clock.nowMs, 20, ['CN']));
    h.rig.clock.nowMs = pending.pendingAtMs + 3_000;
    expect((await h.service.evaluate()).map((t) => t.to)).toEqual(['firing']);
    expect(h.service.nextDelayMs(h.rig.clock.nowMs)).toBe(5_000);
    await h.service.stop();
  });

  it('normal diurnal change fires nothing', async () => {
    const h = await harness();
    // The morning ramp, compressed: traffic triples over an hour, with the simulator's normal mix of
    // errors, misses, origin latency, edge function errors and the live event's audience swings.
    const seconds = 3_600;
    let owed = 0;
    await h.run(seconds, (now, s) => {
      owed += 8 * (1 + (2 * s) / seconds);
      const count = Math.floor(owed);
      owed -= count;
      return h.traffic.normal(now, count);
    });
    expect(states(h.transitions)).toEqual([]);
    await h.service.stop();
  }, 180_000);

  it('a burst below the minimum count of sampled lines fires nothing, however many requests it stands for', async () => {
    // At 10 % sampling each line stands for 10 requests: 15 lines in 5 s are 150 requests (5/s,
    // three times the threshold of 1.5/s), but only 15 lines seen, below the minimum of 20.
    const h = await harness({ samplingRate: 10 });
    await h.run(120, (now) => h.traffic.normal(now, 5));
    await h.run(5, (now) => [...h.traffic.normal(now, 5), ...h.traffic.geoBlocked(now, 3, ['CN'])]);
    await h.run(90, (now) => h.traffic.normal(now, 5));
    expect(states(h.transitions)).toEqual([]);
    // The same burst with 25 lines does fire: the minimum count is what kept the first one quiet.
    await h.run(5, (now) => [...h.traffic.normal(now, 5), ...h.traffic.geoBlocked(now, 5, ['CN'])]);
    await h.run(10, (now) => h.traffic.normal(now, 5));
    expect(states(h.transitions)).toEqual(['geoBlockedSpike:pending', 'geoBlockedSpike:firing']);
    expect(h.transitions[1]!.alert.context?.sampled).toBeGreaterThanOrEqual(20);
    await h.service.stop();
  });

  it('a per-country rule fires one alert per country', async () => {
    const h = await harness();
    const geo = h.service.rules().find((r) => r.kind === 'geoBlockedSpike')!;
    await h.service.updateRule(geo.id, { perCountry: true, minSampled: 10 });
    await h.run(60, (now, s) => [...h.traffic.normal(now, 20), ...(s >= 30 ? h.traffic.geoBlocked(now, 10, ['CN', 'IR']) : [])]);
    const fired = h.transitions.filter((t) => t.to === 'firing').map((t) => t.alert);
    expect(fired.map((a) => a.country).sort()).toEqual(['CN', 'IR']);
    for (const alert of fired) {
      expect(alert.context?.top.countries.map((c) => c.value)).toEqual([alert.country]);
      expect(alert.context?.link).toContain(`country=${alert.country}&`);
    }
    await h.service.stop();
  });
});

describe('every kind fires on its condition', () => {
  const web = (h: Harness, now: number, count: number, values: Record<string, string>) => h.traffic.of(WEB, now, count, values);
  const firing = (h: Harness) => h.transitions.filter((t) => t.to === 'firing').map((t) => t.alert);

  it('5xx error rate', async () => {
    const h = await harness();
    await h.run(60, (now) => h.traffic.normal(now, 20));
    await h.run(60, (now) => [...h.traffic.normal(now, 20), ...web(h, now, 5, { 'sc-status': '502', 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'OriginConnectError', 'origin-fbl': '-' })]);
    expect(firing(h).map((a) => a.kind)).toEqual(['errorRate5xx']);
    expect(firing(h)[0]!.value).toBeGreaterThan(0.2);
    expect(firing(h)[0]!.context?.contributorsOf).toMatch(/5xx/);
    await h.service.stop();
  });

  it('4xx error rate (geo-blocked requests left out)', async () => {
    const h = await harness();
    await h.run(60, (now) => h.traffic.normal(now, 20));
    await h.run(90, (now) => [...h.traffic.normal(now, 20), ...web(h, now, 8, { 'sc-status': '404', 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'Error', 'cs-uri-stem': '/missing.js' })]);
    expect(firing(h).map((a) => a.kind)).toEqual(['errorRate4xx']);
    expect(firing(h)[0]!.context?.top.paths[0]?.value).toBe('/missing.js');
    expect(firing(h)[0]!.context?.top.paths[0]?.share).toBeGreaterThan(0.9);
    await h.service.stop();
  });

  it('edge function errors', async () => {
    const h = await harness();
    await h.run(60, (now) => h.traffic.normal(now, 20));
    await h.run(60, (now, s) => [
      ...h.traffic.normal(now, 20),
      ...(s % 2 === 0 ? web(h, now, 1, { 'sc-status': '503', 'x-edge-result-type': 'LambdaExecutionError', 'x-edge-response-result-type': 'LambdaExecutionError', 'x-edge-detailed-result-type': 'LambdaExecutionError', 'origin-fbl': '-' }) : []),
    ]);
    expect(firing(h).map((a) => a.kind)).toContain('edgeFunctionErrors');
    await h.service.stop();
  });

  it('origin latency p95', async () => {
    const h = await harness();
    await h.run(60, (now) => h.traffic.normal(now, 20));
    await h.run(120, (now) => [...h.traffic.normal(now, 20), ...web(h, now, 3, { 'x-edge-result-type': 'Miss', 'x-edge-response-result-type': 'Miss', 'x-edge-detailed-result-type': 'Miss', 'sc-status': '200', 'origin-fbl': '3.200', 'cs-uri-stem': '/slow/report' })]);
    expect(firing(h).map((a) => a.kind)).toEqual(['originLatencyP95']);
    expect(firing(h)[0]!.value).toBeGreaterThan(3_000);
    expect(firing(h)[0]!.context?.top.paths[0]).toMatchObject({ value: '/slow/report' });
    await h.service.stop();
  });

  it('cache hit ratio drop', async () => {
    const h = await harness();
    await h.run(200, (now) => h.traffic.normal(now, 40));
    const miss = { 'x-edge-result-type': 'Miss', 'x-edge-response-result-type': 'Miss', 'x-edge-detailed-result-type': 'Miss' };
    await h.run(260, (now) => h.traffic.normal(now, 40).map((line) => (line.includes(VIDEO.domainName) || line.includes('video.example.net') || line.includes('live.example.net') ? h.traffic.withFields(line, miss) : line)));
    const fired = firing(h);
    expect(fired.map((a) => [a.kind, a.distribution])).toEqual([['cacheHitRatioDrop', VIDEO.id]]);
    expect(fired[0]!.baseline).toBeGreaterThan(0.8);
    expect(fired[0]!.value).toBeLessThan(fired[0]!.threshold);
    await h.service.stop();
  }, 120_000);

  it('traffic drop (a distribution goes silent)', async () => {
    const h = await harness();
    const isWeb = (line: string) => line.includes(WEB.domainName) || line.includes('example.com\t');
    await h.run(200, (now) => h.traffic.normal(now, 20));
    await h.run(150, (now) => h.traffic.normal(now, 20).filter((line) => !isWeb(line)));
    const fired = firing(h);
    expect(fired.map((a) => [a.kind, a.distribution])).toEqual([['trafficDrop', WEB.id]]);
    expect(fired[0]!.context?.top.countries.length).toBeGreaterThan(0);
    await h.service.stop();
  }, 120_000);
});
