/**
 * Webhooks that alerts are sent to, and the delivery log of those notifications.
 */
import type { NotifiedTransition } from './alert-model.js';

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
/** json: the alert as JSON; slack: a Slack-compatible message (`text` and `blocks`). */
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface Webhook {
  readonly id: string;
  readonly name: string;
  /** Where to POST; may itself hold a secret (Slack's URLs do), so the API shows its origin only. */
  readonly url: string;
  readonly format: WebhookFormat;
  /** Signs each delivery (HMAC-SHA256); never returned by the API. */
  readonly secret: string;
  readonly enabled: boolean;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
/** pending: not yet accepted (retrying); delivered: a 2xx answer; failed: given up. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  readonly id: string;
  readonly alertId: string;
  readonly transition: NotifiedTransition;
  readonly webhookId: string;
  readonly webhookName: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** HTTP status of the last attempt; null when it got no answer. */
  readonly lastStatusCode: number | null;
  readonly lastError: string;
  readonly createdAtMs: number;
  readonly lastAttemptAtMs: number | null;
  readonly nextAttemptAtMs: number | null;
  readonly deliveredAtMs: number | null;
  /** The exact body sent (every attempt sends the same bytes). */
  readonly payload: string;
}

/** One delivery per alert, transition and webhook: the same inputs always give the same id. */
export function deliveryId(alertId: string, transition: NotifiedTransition, webhookId: string): string {
  return `${alertId}.${transition}.${webhookId}`;
}

/** The URL as the API shows it: scheme, host and port, the rest elided (paths of chat webhooks are secrets). */
export function urlOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && parsed.search === '' ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return '';
  }
}
