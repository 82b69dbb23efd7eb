/**
 * An alert: one episode of one rule on one distribution (and country, for per-country rules), from
 * the first evaluation that saw its condition (pending) through firing to resolved. A pending alert
 * whose condition clears before it fires is discarded without a notification.
 */
import type { RuleKind, Severity } from './alert-rules.js';

export const ALERT_STATES = ['pending', 'firing', 'resolved', 'discarded'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The transitions that send notifications. */
export const NOTIFIED_TRANSITIONS = ['firing', 'resolved'] as const;
export type NotifiedTransition = (typeof NOTIFIED_TRANSITIONS)[number];

/** A value contributing to an alert: a country, POP, path or ASN. */
export interface Contributor {
  readonly value: string;
  /** Requests it stands for in the window (extrapolated by sampling rate). */
  readonly requests: number;
  /** Its share of the alert's requests in the window (0–1). */
  readonly share: number;
}

export interface AlertContributors {
  readonly countries: readonly Contributor[];
  readonly pops: readonly Contributor[];
  readonly paths: readonly Contributor[];
  readonly asns: readonly Contributor[];
}

export const NO_CONTRIBUTORS: AlertContributors = { countries: [], pops: [], paths: [], asns: [] };

/** What an alert says about itself, captured when it fires. */
export interface AlertContext {
  readonly metric: string;
  readonly unit: string;
  /** What the contributors are (the requests the alert is about). */
  readonly contributorsOf: string;
  readonly windowS: number;
  readonly baselineS: number | null;
  /** Sampled lines behind the value. */
  readonly sampled: number;
  readonly top: AlertContributors;
  /** Dashboard view of the alert's traffic, relative to the server (`/#/live?…`). */
  readonly link: string;
  /** How the value was measured: 'live' (in-process counters) or 'rollup' (ClickHouse). */
  readonly source: 'live' | 'rollup';
  /** Notes on the measurement (no baseline yet, counts may be low, …). */
  readonly notes: readonly string[];
}

export interface Alert {
  readonly id: string;
  /** rule × distribution × country: at most one active alert per key. */
  readonly key: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly kind: RuleKind;
  readonly severity: Severity;
  readonly distribution: string;
  /** Viewer country of a per-country rule; '' otherwise. */
  readonly country: string;
  readonly state: AlertState;
  readonly pendingAtMs: number;
  readonly firedAtMs: number | null;
  readonly resolvedAtMs: number | null;
  readonly updatedAtMs: number;
  /** The metric over the window at the last transition (or evaluation, for active alerts). */
  readonly value: number | null;
  /** The threshold the value was compared with, in the metric's unit. */
  readonly threshold: number;
  readonly baseline: number | null;
  /** The most extreme value while active (highest; lowest for drop kinds). */
  readonly peak: number | null;
  readonly context: AlertContext | null;
}

export function isActive(alert: Pick<Alert, 'state'>): boolean {
  return alert.state === 'pending' || alert.state === 'firing';
}

export function alertKey(ruleId: string, distribution: string, country: string): string {
  return `${ruleId}|${distribution}|${country}`;
}
