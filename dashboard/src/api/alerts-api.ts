/**
 * The alerts API (GET /api/v1/alerts, /alerts/rules), on servers that have it (their OpenAPI
 * document says so). Alert messages, countries and contributors come from log records: they are
 * shown as text.
 */
import type { AlertRule, AlertView, KindInfo, RuleKind } from './api-types.js';
import type { StatsApi } from './stats-api.js';

export interface AlertsResponse {
  /** Pending and firing alerts. */
  readonly active: readonly AlertView[];
  /** Alerts that ended in the range, newest first. */
  readonly recent: readonly AlertView[];
  readonly mode: 'live' | 'rollup';
  readonly evaluatedAt: string | null;
  readonly evalIntervalMs: number;
}

export interface AlertRulesResponse {
  readonly rules: readonly (AlertRule & { readonly builtIn: boolean })[];
  readonly kinds: readonly (Omit<KindInfo, 'thresholdRange'> & { readonly kind: RuleKind })[];
}

export interface AlertQuery {
  readonly from: string;
  readonly to: string;
  readonly distribution?: string;
}

export function loadAlerts(stats: StatsApi, query: AlertQuery, signal: AbortSignal): Promise<AlertsResponse> {
  const params: Record<string, string> = { from: query.from, to: query.to };
  if (query.distribution !== undefined && query.distribution !== '') params.distribution = query.distribution;
  return stats.getDocument('/alerts', params, signal) as Promise<AlertsResponse>;
}

export function loadAlertRules(stats: StatsApi, signal: AbortSignal): Promise<AlertRulesResponse> {
  return stats.getDocument('/alerts/rules', {}, signal) as Promise<AlertRulesResponse>;
}

/** When an alert fired (or, still pending, first saw its condition), epoch ms. */
export function alertTimeMs(alert: AlertView): number {
  return Date.parse(alert.firedAt ?? alert.startedAt);
}

/** Markers for a time chart: the alerts of these kinds that fired within [fromMs, toMs]. */
export function alertMarkers(response: AlertsResponse, kinds: readonly RuleKind[], fromMs: number, toMs: number): { t: number; label: string }[] {
  return [...response.active, ...response.recent]
    .filter((a) => kinds.includes(a.kind) && a.state !== 'discarded')
    .map((a) => ({ t: alertTimeMs(a), label: `${a.severity}: ${a.message}` }))
    .filter((m) => Number.isFinite(m.t) && m.t >= fromMs && m.t <= toMs)
    .sort((a, b) => a.t - b.t);
}

/** A link the alerts API made to a dashboard view: used only when it is one of ours (same page, a view fragment). */
export function dashboardLinkOf(alert: AlertView): string | null {
  return alert.link !== null && /^\/#\/[a-z]+(\?[A-Za-z0-9%._~,*/=&+-]*)?$/.test(alert.link) ? alert.link : null;
}
