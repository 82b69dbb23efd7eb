/**
 * The body of a notification, built once per delivery (every retry sends the same bytes):
 *
 * - json: `{ id, type: "alert.firing" | "alert.resolved", createdAt, alert }`, `alert` as
 *   GET /api/v1/alerts shows it, with an absolute `link` when the public URL is configured;
 * - slack: a Slack-compatible message (`text` for notifications, `blocks` for the layout), with
 *   record-derived text escaped for Slack's markup.
 */
import type { Alert, NotifiedTransition } from './alert-model.js';
import { KIND_INFO } from './alert-rules.js';
import { formatValue, toAlertView, type AlertView } from './alert-view.js';
import { absoluteLink } from './dashboard-link.js';
import type { WebhookFormat } from './webhook-model.js';

export interface NotificationEvent {
  /** alert id and transition: the same for every webhook. */
  readonly id: string;
  readonly type: `alert.${NotifiedTransition}`;
  readonly createdAt: string;
  readonly alert: AlertView;
}

export function notificationEvent(alert: Alert, transition: NotifiedTransition, nowMs: number, baseUrl: string | null): NotificationEvent {
  const view = toAlertView(alert);
  return {
    id: `${alert.id}.${transition}`,
    type: `alert.${transition}`,
    createdAt: new Date(nowMs).toISOString(),
    alert: { ...view, link: view.link === null ? null : absoluteLink(view.link, baseUrl) },
  };
}

/** Slack's markup escapes (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackMessage(event: NotificationEvent): Record<string, unknown> {
  const alert = event.alert;
  const unit = KIND_INFO[alert.kind].unit;
  const label = event.type === 'alert.firing' ? 'FIRING' : 'RESOLVED';
  const headline = `[${label}] ${alert.name} on ${alert.distribution || 'unknown distribution'}${alert.country === '' ? '' : ` (${alert.country})`}`;
  const fields = [
    `*Value*\n${formatValue(alert.value, unit)}`,
    `*Threshold*\n${formatValue(alert.threshold, unit)}`,
    `*Baseline*\n${formatValue(alert.baseline, unit)}`,
    `*Severity*\n${alert.severity}`,
  ];
  const top = alert.context?.top;
  const lists = top === undefined ? [] : ([
    ['Countries', top.countries],
    ['POPs', top.pops],
    ['Paths', top.paths],
    ['ASNs', top.asns],
  ] as const);
  const topLines = lists
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => `*${name}*: ${list.map((c) => `${slackEscape(c.value.slice(0, 80))} (${Math.round(c.share * 100)} %)`).join(', ')}`);
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(headline)}*\n${slackEscape(alert.message)}` } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text: slackEscape(text) })) },
  ];
  if (topLines.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: topLines.join('\n') } });
  if (alert.link !== null && /^https?:\/\//.test(alert.link)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${alert.link.replace(/[<>|]/g, encodeURIComponent)}|Open in edgewatch>` }] });
  }
  return { text: slackEscape(`${headline}: ${alert.message}`), blocks };
}

export function renderPayload(event: NotificationEvent, format: WebhookFormat): string {
  return JSON.stringify(format === 'slack' ? slackMessage(event) : event);
}
