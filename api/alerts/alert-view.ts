/**
 * An alert as the API and webhooks show it: times in ISO 8601, the metric named, a one-line
 * message, and its context. Countries, POPs, paths and ASNs come from log records, so they are
 * attacker-controlled text: render them as text.
 */
import type { Alert, AlertContext, AlertState, Contributor } from './alert-model.js';
import { KIND_INFO, type RuleKind, type Severity } from './alert-rules.js';

export interface AlertView {
  readonly id: string;
  readonly ruleId: string;
  readonly name: string;
  readonly kind: RuleKind;
  readonly metric: string;
  readonly unit: string;
  readonly severity: Severity;
  readonly state: AlertState;
  readonly distribution: string;
  readonly country: string;
  /** When its condition was first seen (pending). */
  readonly startedAt: string;
  readonly firedAt: string | null;
  readonly resolvedAt: string | null;
  /** resolvedAt, or when a pending alert was discarded; null while active. */
  readonly endedAt: string | null;
  readonly updatedAt: string;
  readonly value: number | null;
  readonly threshold: number;
  readonly baseline: number | null;
  readonly peak: number | null;
  readonly message: string;
  /** Dashboard view of its traffic (relative to the server). */
  readonly link: string | null;
  readonly context: AlertContext | null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function significant(value: number): string {
  if (Math.abs(value) >= 100) return String(Math.round(value));
  const text = value.toPrecision(3);
  return text.includes('.') && !text.includes('e') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** A number as people read it: 3 significant digits, fractions as percentages. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  return unit === 'fraction' ? `${significant(value * 100)} %` : `${significant(value)} ${unit}`;
}

function topText(list: readonly Contributor[]): string {
  return list
    .slice(0, 3)
    .map((c) => `${c.value} ${Math.round(c.share * 100)} %`)
    .join(', ');
}

export function alertMessage(alert: Alert): string {
  const info = KIND_INFO[alert.kind];
  const scope = `${alert.distribution === '' ? 'unknown distribution' : alert.distribution}${alert.country === '' ? '' : ` (${alert.country})`}`;
  const parts = [`${alert.ruleName} on ${scope}: ${formatValue(alert.value, info.unit)}`, `threshold ${formatValue(alert.threshold, info.unit)}`];
  if (alert.baseline !== null) parts.push(`baseline ${formatValue(alert.baseline, info.unit)}`);
  let message = parts.join(', ');
  const countries = alert.context === null ? '' : topText(alert.context.top.countries);
  if (countries !== '') message += `; top countries ${countries}`;
  if (alert.state === 'resolved') message = `Resolved: ${message}`;
  return message;
}

export function toAlertView(alert: Alert): AlertView {
  const info = KIND_INFO[alert.kind];
  const ended = alert.state === 'resolved' || alert.state === 'discarded' ? (alert.resolvedAtMs ?? alert.updatedAtMs) : null;
  return {
    id: alert.id,
    ruleId: alert.ruleId,
    name: alert.ruleName,
    kind: alert.kind,
    metric: info.metric,
    unit: info.unit,
    severity: alert.severity,
    state: alert.state,
    distribution: alert.distribution,
    country: alert.country,
    startedAt: new Date(alert.pendingAtMs).toISOString(),
    firedAt: iso(alert.firedAtMs),
    resolvedAt: iso(alert.resolvedAtMs),
    endedAt: iso(ended),
    updatedAt: new Date(alert.updatedAtMs).toISOString(),
    value: alert.value,
    threshold: alert.threshold,
    baseline: alert.baseline,
    peak: alert.peak,
    message: alertMessage(alert),
    link: alert.context?.link ?? null,
    context: alert.context,
  };
}
