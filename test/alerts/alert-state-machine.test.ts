/**
 * Rule conditions and the pending → firing → resolved state machine, on hand-made measures.
 */
import { describe, expect, it } from 'vitest';
import { emptySpan, type ScopeMeasures, type SpanMeasures } from '../../api/alerts/alert-measures.js';
import { defaultRules, rulesFor, validateRuleSpec, RuleValidationError, type AlertRule } from '../../api/alerts/alert-rules.js';
import { AlertStateMachine, type Candidate } from '../../api/alerts/alert-state-machine.js';
import { observe, type Observation } from '../../api/alerts/rule-conditions.js';
import { dashboardLink } from '../../api/alerts/dashboard-link.js';

const RULES = defaultRules(0);
const rule = (kind: AlertRule['kind'], overrides: Partial<AlertRule> = {}): AlertRule => ({ ...RULES.find((r) => r.kind === kind)!, ...overrides });

function span(values: Partial<SpanMeasures>): SpanMeasures {
  return { ...emptySpan(30_000), ...values };
}

function scope(window: Partial<SpanMeasures>, baseline: Partial<SpanMeasures> = {}): ScopeMeasures {
  return { window: span(window), baseline: { ...emptySpan(900_000), geoBlockedMedianPerS: 0, requestsMedianPerS: 0, ...baseline } };
}

describe('rule conditions', () => {
  const geo = rule('geoBlockedSpike');

  it('geo-blocked spike: against max(baseline, floor), with a minimum of sampled lines', () => {
    // 60 blocked in 30 s = 2/s; floor 0.5/s × 3 = 1.5/s.
    expect(observe(geo, scope({ geoBlocked: 60, sampledGeoBlocked: 60 }))).toMatchObject({ breached: true, value: 2, threshold: 1.5, baseline: 0 });
    // Same rate, but only 6 sampled lines at 10 % sampling: noise.
    expect(observe(geo, scope({ geoBlocked: 60, sampledGeoBlocked: 6 })).breached).toBe(false);
    // A baseline of 1/s lifts the threshold to 3/s.
    expect(observe(geo, scope({ geoBlocked: 60, sampledGeoBlocked: 60 }, { geoBlocked: 900, geoBlockedMedianPerS: 1 }))).toMatchObject({ breached: false, threshold: 3, baseline: 1 });
    // The baseline is the median of its minutes: an earlier burst in two of fifteen minutes leaves it at 0.
    expect(observe(geo, scope({ geoBlocked: 60, sampledGeoBlocked: 60 }, { geoBlocked: 6000, geoBlockedMedianPerS: 0 }))).toMatchObject({ breached: true, baseline: 0 });
  });

  it('geo-blocked spike in the first minute: no baseline yet, the floor decides', () => {
    const obs = observe(geo, { window: span({ geoBlocked: 60, sampledGeoBlocked: 60, coveredMs: 20_000 }), baseline: emptySpan(0) });
    expect(obs).toMatchObject({ breached: true, baseline: null, value: 3, threshold: 1.5 });
    expect(obs.notes.join()).toMatch(/no baseline yet/);
  });

  it('error rates: absolute thresholds; 4xx leaves geo-blocked requests out', () => {
    const r5 = rule('errorRate5xx');
    expect(observe(r5, scope({ requests: 1000, status5xx: 60, sampled5xx: 60 }))).toMatchObject({ breached: true, value: 0.06 });
    expect(observe(r5, scope({ requests: 10, status5xx: 6, sampled5xx: 6 })).breached).toBe(false);
    const r4 = rule('errorRate4xx');
    expect(observe(r4, scope({ requests: 1000, status4xx: 600, geoBlocked: 550, sampled4xxOther: 50 }))).toMatchObject({ breached: false, value: 0.05 });
    expect(observe(r4, scope({ requests: 1000, status4xx: 300, sampled4xxOther: 300 })).breached).toBe(true);
  });

  it('cache hit ratio drop: needs a baseline with enough lines', () => {
    const r = rule('cacheHitRatioDrop');
    const window = { cacheableRequests: 1000, cacheableHits: 600, sampledCacheable: 1000 };
    expect(observe(r, scope(window, { cacheableRequests: 10_000, cacheableHits: 9_000, sampledCacheable: 10_000 }))).toMatchObject({ breached: true, value: 0.6, baseline: 0.9, threshold: 0.7 });
    expect(observe(r, scope(window, { cacheableRequests: 10_000, cacheableHits: 7_500, sampledCacheable: 10_000 })).breached).toBe(false);
    expect(observe(r, scope(window, { coveredMs: 10_000, cacheableRequests: 100, cacheableHits: 90, sampledCacheable: 100 })).breached).toBe(false);
  });

  it('origin latency p95 and edge function errors: absolute, with minimum counts', () => {
    expect(observe(rule('originLatencyP95'), scope({ originLatencyP95Ms: 2500, sampledOriginLatency: 80 })).breached).toBe(true);
    expect(observe(rule('originLatencyP95'), scope({ originLatencyP95Ms: 2500, sampledOriginLatency: 10 })).breached).toBe(false);
    expect(observe(rule('edgeFunctionErrors'), scope({ edgeFunctionErrors: 30, sampledEdgeFunctionErrors: 30 }))).toMatchObject({ breached: true, value: 1 });
    expect(observe(rule('edgeFunctionErrors'), scope({ edgeFunctionErrors: 300, sampledEdgeFunctionErrors: 3 })).breached).toBe(false);
  });

  it('traffic drop: fires for a distribution that goes silent, never for a quiet one', () => {
    const r = rule('trafficDrop');
    const busy = { requests: 90_000, sampledRequests: 90_000, requestsMedianPerS: 100 };
    expect(observe(r, { window: span({ coveredMs: 60_000, requests: 100, sampledRequests: 100 }), baseline: span({ coveredMs: 900_000, ...busy }) })).toMatchObject({ breached: true, baseline: 100 });
    expect(observe(r, { window: span({ coveredMs: 60_000, requests: 5_000, sampledRequests: 5_000 }), baseline: span({ coveredMs: 900_000, ...busy }) }).breached).toBe(false);
    // 300 lines in 15 minutes predict 20 in the window: too quiet to tell.
    expect(observe(r, { window: span({ coveredMs: 60_000 }), baseline: span({ coveredMs: 900_000, requests: 300, sampledRequests: 300, requestsMedianPerS: 0.33 }) }).breached).toBe(false);
  });
});

describe('rules', () => {
  it('a distribution rule replaces the default of its kind, disabled ones included', () => {
    const own = rule('errorRate5xx', { id: 'r_own', distribution: 'E1', threshold: 0.5 });
    const off = rule('geoBlockedSpike', { id: 'r_off', distribution: 'E1', enabled: false });
    const forE1 = rulesFor('E1', [...RULES, own, off]);
    expect(forE1.filter((r) => r.kind === 'errorRate5xx').map((r) => r.id)).toEqual(['r_own']);
    expect(forE1.some((r) => r.kind === 'geoBlockedSpike')).toBe(false);
    expect(rulesFor('E2', [...RULES, own, off])).toHaveLength(RULES.length);
  });

  it('are validated per kind, naming the field', () => {
    const check = (r: AlertRule) => {
      try {
        validateRuleSpec(r);
        return null;
      } catch (err) {
        return err instanceof RuleValidationError ? err.field : 'other';
      }
    };
    expect(RULES.map(check)).toEqual(RULES.map(() => null));
    expect(check(rule('errorRate5xx', { threshold: 2 }))).toBe('threshold');
    expect(check(rule('errorRate5xx', { perCountry: true }))).toBe('perCountry');
    expect(check(rule('geoBlockedSpike', { windowS: 900, baselineS: 3000 }))).toBe('baselineS');
    expect(check(rule('geoBlockedSpike', { name: ' ' }))).toBe('name');
  });
});

describe('alert state machine', () => {
  const geo = rule('geoBlockedSpike', { forS: 10, holdS: 30 });
  const breach = (value: number): Observation => ({ breached: true, value, threshold: 1.5, baseline: 0.1, sampled: 50, notes: [] });
  const clear: Observation = { breached: false, value: 0.2, threshold: 1.5, baseline: 0.1, sampled: 2, notes: [] };
  const at = (observation: Observation, r: AlertRule = geo): Candidate => ({ key: `${r.id}|E1|`, rule: r, distribution: 'E1', country: '', observation });
  let n = 0;
  const machine = () => new AlertStateMachine({ toleranceMs: 0, newId: () => `al_${++n}` });

  it('goes pending, fires after forS, resolves after holdS clear, one transition each', () => {
    const m = machine();
    const t0 = 1_000_000;
    expect(m.step(t0, [at(breach(3))]).map((t) => t.to)).toEqual(['pending']);
    expect(m.step(t0 + 5_000, [at(breach(5))])).toEqual([]);
    const fired = m.step(t0 + 10_000, [at(breach(4))]);
    expect(fired.map((t) => [t.from, t.to])).toEqual([['pending', 'firing']]);
    expect(fired[0]!.alert).toMatchObject({ state: 'firing', pendingAtMs: t0, firedAtMs: t0 + 10_000, peak: 5 });
    // Clear for less than the hold time, then breached again: still the same firing alert.
    expect(m.step(t0 + 15_000, [at(clear)])).toEqual([]);
    expect(m.step(t0 + 40_000, [at(breach(3))])).toEqual([]);
    expect(m.step(t0 + 45_000, [at(clear)])).toEqual([]);
    expect(m.step(t0 + 70_000, [at(clear)])).toEqual([]);
    const resolved = m.step(t0 + 75_000, [at(clear)]);
    expect(resolved.map((t) => t.to)).toEqual(['resolved']);
    expect(resolved[0]!.alert).toMatchObject({ state: 'resolved', resolvedAtMs: t0 + 75_000 });
    expect(m.active()).toEqual([]);
  });

  it('discards a pending alert whose condition clears before forS, silently', () => {
    const m = machine();
    m.step(0, [at(breach(3))]);
    expect(m.step(5_000, [at(clear)]).map((t) => t.to)).toEqual(['discarded']);
    expect(m.active()).toEqual([]);
  });

  it('fires at once with forS 0, and resumes loaded alerts without firing them again', () => {
    const m = machine();
    const instant = rule('geoBlockedSpike', { forS: 0, holdS: 30 });
    const first = m.step(0, [at(breach(3), instant)]);
    expect(first.map((t) => t.to)).toEqual(['pending', 'firing']);
    const resumed = machine();
    resumed.load(m.active());
    expect(resumed.step(5_000, [at(breach(3), instant)])).toEqual([]);
    expect(resumed.step(40_000, [at(clear, instant)])).toEqual([]);
    expect(resumed.step(71_000, [at(clear, instant)]).map((t) => t.to)).toEqual(['resolved']);
  });

  it('ends an alert whose rule no longer applies', () => {
    const m = machine();
    const instant = rule('geoBlockedSpike', { forS: 0 });
    m.step(0, [at(breach(3), instant)]);
    const ended = m.step(5_000, []);
    expect(ended.map((t) => [t.to, t.reason])).toEqual([['resolved', expect.stringMatching(/no longer applies/)]]);
  });
});

describe('dashboard links', () => {
  it('open the live view filtered to the alert, in the dashboard URL format', () => {
    expect(dashboardLink({ kind: 'geoBlockedSpike', distribution: 'E3KX9T2WQ7ZP5N', countries: ['CN', 'RU', '<x>'] })).toBe(
      '/#/live?distribution=E3KX9T2WQ7ZP5N&country=CN%2CRU&detailedResult=ClientGeoBlocked',
    );
    expect(dashboardLink({ kind: 'edgeFunctionErrors', distribution: 'E1' })).toBe(
      '/#/live?distribution=E1&detailedResult=LambdaExecutionError%2CFunctionExecutionError%2CFunctionThrottledError',
    );
    expect(dashboardLink({ kind: 'trafficDrop', distribution: '' })).toBe('/#/live');
  });
});
