/**
 * Alerts: the alerts firing (or pending) now, those that ended in the time range, and the rules
 * that raise them (read-only: changing rules and webhooks is an admin action of the API). On a
 * server without alerting, an explanatory empty state.
 */
import { dashboardLinkOf, loadAlertRules, loadAlerts, type AlertsResponse } from '../api/alerts-api.js';
import type { AlertView } from '../api/api-types.js';
import { formatCount, formatDateTime, formatDuration, formatRatio, UNIT_SPACE } from '../format/format.js';
import { resolveRange } from '../state/time-range.js';
import { dataTable, type Column } from '../ui/data-table.js';
import { h } from '../ui/dom.js';
import { Panel, runPanel } from '../ui/panel.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid } from './view-kit.js';

/** A value in its alert's unit: fractions as percentages. */
export function alertValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'fraction') return formatRatio(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits })}${UNIT_SPACE}${unit}`;
}

function alertColumns(ctx: ViewContext, ended: boolean): Column<AlertView>[] {
  const time = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
  return [
    { key: 'severity', label: 'Severity', value: (a) => a.severity },
    { key: 'state', label: 'State', value: (a) => a.state },
    { key: 'name', label: 'Alert', value: (a) => a.name },
    { key: 'distribution', label: 'Distribution', value: (a) => a.distribution || '(all)' },
    { key: 'country', label: 'Country', value: (a) => a.country || '—' },
    { key: 'started', label: ended ? 'Fired' : 'Since', value: (a) => time(a.firedAt ?? a.startedAt), format: (ms) => formatDateTime(ms, ctx.timeZone), numeric: true },
    ended
      ? { key: 'ended', label: 'Ended', value: (a) => time(a.endedAt), format: (ms) => formatDateTime(ms, ctx.timeZone), numeric: true }
      : { key: 'value', label: 'Value', value: (a) => alertValue(a.value, a.unit) },
    { key: 'threshold', label: 'Threshold', value: (a) => alertValue(a.threshold, a.unit) },
    { key: 'message', label: 'Details', value: (a) => a.message, long: true },
    { key: 'link', label: 'Traffic', value: (a) => (dashboardLinkOf(a) === null ? null : 'open live view'), href: (a) => dashboardLinkOf(a) },
  ];
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const active = new Panel('Active alerts', { wide: true, id: 'alerts-active' });
  const recent = new Panel('Recent alerts', { wide: true, id: 'alerts-recent', note: 'Alerts that ended in the selected time range, newest first.' });
  const rules = new Panel('Alert rules', { wide: true, id: 'alert-rules', note: 'Rules are changed through the API by admin tokens.' });
  root.replaceChildren(grid([active.element, recent.element, rules.element]));

  const load = (nowMs: number): void => {
    if (!ctx.capabilities.alerts) {
      const none = 'No alerts: this server does not evaluate alert rules. With alerting on, firing alerts (geo-blocked spikes, 5xx spikes, hit-ratio drops, origin latency, edge function errors) appear here and are marked on the charts.';
      active.empty(none);
      recent.empty('Nothing has fired.');
      rules.empty('Alerting is off on this server.');
      return;
    }
    const range = resolveRange(ctx.state.range, nowMs);
    const alerts: Promise<AlertsResponse> = loadAlerts(ctx.stats, { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), distribution: ctx.state.distributions.join(',') }, ctx.signal);
    alerts.catch(() => undefined);
    void runPanel(active, ctx.signal, async () => {
      const response = await alerts;
      const evaluated = response.evaluatedAt === null ? 'not evaluated yet' : `last evaluated ${formatDateTime(Date.parse(response.evaluatedAt), ctx.timeZone)}, every ${formatDuration(Math.max(60_000, response.evalIntervalMs)).replace('1\u00a0min', 'minute')}`;
      const status = h('p', { class: 'panel-note', 'data-alerts-status': response.mode }, [`Rules ${evaluated} (${response.mode === 'live' ? 'from live counters' : 'from ClickHouse rollups'}).`]);
      if (response.active.length === 0) return [status, h('p', { class: 'state state-empty' }, ['No alert is firing.'])];
      return [status, dataTable(response.active, alertColumns(ctx, false), { caption: 'Alerts pending or firing now', sortKey: 'started', id: 'alerts-active' })];
    });
    void runPanel(recent, ctx.signal, async () => {
      const response = await alerts;
      return response.recent.length === 0 ? { empty: 'No alert ended in this range.' } : dataTable(response.recent, alertColumns(ctx, true), { caption: 'Alerts that ended in this range', sortKey: 'started', id: 'alerts-recent' });
    });
    void runPanel(rules, ctx.signal, async () => {
      const response = await loadAlertRules(ctx.stats, ctx.signal);
      const unitOf = new Map(response.kinds.map((k) => [k.kind, k]));
      return dataTable(
        response.rules,
        [
          { key: 'name', label: 'Rule', value: (r) => r.name },
          { key: 'kind', label: 'Watches', value: (r) => unitOf.get(r.kind)?.metric ?? r.kind },
          { key: 'severity', label: 'Severity', value: (r) => r.severity },
          { key: 'distribution', label: 'Distribution', value: (r) => r.distribution || 'every distribution' },
          { key: 'threshold', label: 'Threshold', value: (r) => `${formatCount(r.threshold)} (${unitOf.get(r.kind)?.threshold ?? ''})`, long: true },
          { key: 'window', label: 'Window', value: (r) => formatDuration(r.windowS * 1000) },
          { key: 'enabled', label: 'On', value: (r) => (r.enabled ? 'yes' : 'no') },
        ],
        { caption: 'Alert rules', sortKey: 'name', descending: false, id: 'alert-rules' },
      );
    });
  };

  load(Date.now());
  return { refresh: () => load(Date.now()), dispose: () => undefined };
}

export const alertsView: ViewDefinition = { name: 'alerts', title: 'Alerts', usesTimeRange: true, mount };
