/**
 * The life of alerts: each evaluation's observations move them pending → firing → resolved.
 *
 * - A condition met starts a pending alert; it fires once the condition has held for the rule's
 *   `forS` (at once when 0). A pending alert whose condition clears first is discarded, silently.
 * - A firing alert resolves once its condition has stayed clear for `holdS`, so it does not flap.
 * - An alert whose rule no longer applies (deleted, disabled, replaced for its distribution) ends at
 *   once: resolved if it fired, discarded if it was pending.
 *
 * At most one alert is active per key (rule × distribution × country). Pure apart from making ids;
 * the caller persists the transitions and sends the notifications.
 */
import { randomBytes } from 'node:crypto';
import type { Alert, AlertContext, AlertState } from './alert-model.js';
import type { AlertRule } from './alert-rules.js';
import { isDropKind, type Observation } from './rule-conditions.js';

/** One rule evaluated on one distribution (and country). */
export interface Candidate {
  readonly key: string;
  readonly rule: AlertRule;
  readonly distribution: string;
  readonly country: string;
  readonly observation: Observation;
}

export interface Transition {
  readonly from: AlertState | null;
  readonly to: AlertState;
  /** The alert after the transition. */
  readonly alert: Alert;
  /** Why it ended, when not because of its condition. */
  readonly reason?: string;
}

export interface StateMachineOptions {
  /** Evaluations run on a timer: a time this much short of `forS` / `holdS` counts as reached. Default 500 ms. */
  readonly toleranceMs?: number;
  readonly newId?: () => string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Tracked {
  alert: Mutable<Alert>;
  /** Since when a firing alert's condition has been clear. */
  clearSinceMs: number | null;
}

export function newAlertId(): string {
  return `al_${randomBytes(8).toString('hex')}`;
}

export class AlertStateMachine {
  readonly #active = new Map<string, Tracked>();
  readonly #toleranceMs: number;
  readonly #newId: () => string;

  constructor(options: StateMachineOptions = {}) {
    this.#toleranceMs = options.toleranceMs ?? 500;
    this.#newId = options.newId ?? newAlertId;
  }

  /** Resumes alerts that were active before a restart (they fire no second time). */
  load(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      if (alert.state !== 'pending' && alert.state !== 'firing') continue;
      this.#active.set(alert.key, { alert: { ...alert }, clearSinceMs: null });
    }
  }

  active(): Alert[] {
    return [...this.#active.values()].map((t) => ({ ...t.alert }));
  }

  /** Keys of the active alerts, with their distribution and country (the evaluator keeps measuring them). */
  activeScopes(): { key: string; ruleId: string; distribution: string; country: string }[] {
    return [...this.#active.values()].map(({ alert }) => ({ key: alert.key, ruleId: alert.ruleId, distribution: alert.distribution, country: alert.country }));
  }

  /** Sets the context of an active alert (captured when it fires). */
  setContext(alertId: string, context: AlertContext): void {
    for (const tracked of this.#active.values()) if (tracked.alert.id === alertId) tracked.alert.context = context;
  }

  step(nowMs: number, candidates: readonly Candidate[]): Transition[] {
    const transitions: Transition[] = [];
    const seen = new Set<string>();
    for (const candidate of candidates) {
      seen.add(candidate.key);
      const tracked = this.#active.get(candidate.key);
      if (tracked === undefined) this.#start(nowMs, candidate, transitions);
      else this.#advance(nowMs, tracked, candidate, transitions);
    }
    for (const [key, tracked] of [...this.#active]) {
      if (seen.has(key)) continue;
      this.#end(nowMs, tracked, 'the rule no longer applies (deleted, disabled or replaced)', transitions);
    }
    return transitions;
  }

  #start(nowMs: number, candidate: Candidate, transitions: Transition[]): void {
    const { rule, observation: obs } = candidate;
    if (!obs.breached) return;
    const alert: Mutable<Alert> = {
      id: this.#newId(),
      key: candidate.key,
      ruleId: rule.id,
      ruleName: rule.name,
      kind: rule.kind,
      severity: rule.severity,
      distribution: candidate.distribution,
      country: candidate.country,
      state: 'pending',
      pendingAtMs: nowMs,
      firedAtMs: null,
      resolvedAtMs: null,
      updatedAtMs: nowMs,
      value: obs.value,
      threshold: obs.threshold,
      baseline: obs.baseline,
      peak: obs.value,
      context: null,
    };
    const tracked: Tracked = { alert, clearSinceMs: null };
    this.#active.set(candidate.key, tracked);
    transitions.push({ from: null, to: 'pending', alert: { ...alert } });
    if (rule.forS === 0) this.#fire(nowMs, tracked, transitions);
  }

  #advance(nowMs: number, tracked: Tracked, candidate: Candidate, transitions: Transition[]): void {
    const { rule, observation: obs } = candidate;
    const alert = tracked.alert;
    alert.updatedAtMs = nowMs;
    alert.ruleName = rule.name;
    alert.severity = rule.severity;
    if (obs.value !== null) {
      alert.value = obs.value;
      alert.threshold = obs.threshold;
      alert.baseline = obs.baseline;
      if (obs.breached) alert.peak = more(rule.kind, alert.peak, obs.value);
    }
    if (alert.state === 'pending') {
      if (!obs.breached) this.#finish(nowMs, tracked, 'discarded', transitions);
      else if (nowMs - alert.pendingAtMs + this.#toleranceMs >= rule.forS * 1000) this.#fire(nowMs, tracked, transitions);
      return;
    }
    if (obs.breached) {
      tracked.clearSinceMs = null;
      return;
    }
    tracked.clearSinceMs ??= nowMs;
    if (nowMs - tracked.clearSinceMs + this.#toleranceMs >= rule.holdS * 1000) this.#finish(nowMs, tracked, 'resolved', transitions);
  }

  #fire(nowMs: number, tracked: Tracked, transitions: Transition[]): void {
    tracked.alert.state = 'firing';
    tracked.alert.firedAtMs = nowMs;
    tracked.alert.updatedAtMs = nowMs;
    tracked.clearSinceMs = null;
    transitions.push({ from: 'pending', to: 'firing', alert: { ...tracked.alert } });
  }

  #end(nowMs: number, tracked: Tracked, reason: string, transitions: Transition[]): void {
    this.#finish(nowMs, tracked, tracked.alert.state === 'firing' ? 'resolved' : 'discarded', transitions, reason);
  }

  #finish(nowMs: number, tracked: Tracked, to: 'resolved' | 'discarded', transitions: Transition[], reason?: string): void {
    const from = tracked.alert.state;
    tracked.alert.state = to;
    tracked.alert.updatedAtMs = nowMs;
    if (to === 'resolved') tracked.alert.resolvedAtMs = nowMs;
    this.#active.delete(tracked.alert.key);
    transitions.push({ from, to, alert: { ...tracked.alert }, ...(reason === undefined ? {} : { reason }) });
  }
}

/** The more extreme of two values in the alert's direction. */
function more(kind: AlertRule['kind'], current: number | null, value: number): number {
  if (current === null) return value;
  return isDropKind(kind) ? Math.min(current, value) : Math.max(current, value);
}
