/**
 * Sends alert notifications to webhooks: one delivery per alert, transition and webhook, signed
 * (webhook-signature.ts), retried with exponential backoff and jitter while the failure is
 * retriable (no answer, a timeout, 408, 429, 5xx), given up on a refusal (other 4xx) or after
 * `maxAttempts`. Every attempt's outcome is written to the delivery log before the next one, and
 * deliveries still pending are resumed after a restart; a delivery id that exists is never created
 * again, so a restart sends nothing twice (at most one attempt whose answer was lost is repeated,
 * with the same `X-Edgewatch-Delivery` id, for the receiver to recognise).
 */
import type { Alert, NotifiedTransition } from './alert-model.js';
import type { AlertStore } from './alert-store.js';
import { notificationEvent, renderPayload } from './webhook-payload.js';
import { deliveryId, type Delivery, type Webhook } from './webhook-model.js';
import { postToWebhook } from './webhook-post.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from './webhook-signature.js';
import { WebhookTargetRefused } from './webhook-target.js';

/** The log calls the alerting parts make (pino's Logger satisfies it). */
export interface AlertLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface WebhookNotifierOptions {
  readonly store: AlertStore;
  /** The webhooks as configured now (looked up again at every attempt). */
  readonly webhooks: () => readonly Webhook[];
  readonly logger: AlertLogger;
  /** Base of absolute dashboard links in payloads; null: links stay relative. */
  readonly publicUrl?: () => string | null;
  /** Default 8. */
  readonly maxAttempts?: number;
  /** First retry after this (doubling each time, ±20 % jitter); default 1000 ms. */
  readonly retryBaseMs?: number;
  /** Longest wait between attempts; default 300 000 ms. */
  readonly retryMaxMs?: number;
  /** Per attempt; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Attempts in flight at once; default 4. */
  readonly concurrency?: number;
  /** Let webhooks reach loopback, private and link-local addresses; default false (webhook-target.ts). */
  readonly allowPrivateNetworks?: boolean;
  readonly now?: () => number;
  readonly random?: () => number;
}

type Outcome = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly retriable: boolean; readonly status: number | null; readonly error: string; readonly retryAfterMs: number | null };

const MAX_ERROR_LENGTH = 300;

export class WebhookNotifier {
  readonly #options: WebhookNotifierOptions;
  readonly #store: AlertStore;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #timeoutMs: number;
  readonly #allowPrivateNetworks: boolean;
  readonly #concurrency: number;
  /** Deliveries that exist (any status): never created twice. */
  readonly #known = new Set<string>();
  /** Pending deliveries by id, with when they are due. */
  readonly #pending = new Map<string, Delivery>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Ids of the deliveries being attempted now. */
  readonly #running = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: WebhookNotifierOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#retryBaseMs = options.retryBaseMs ?? 1_000;
    this.#retryMaxMs = options.retryMaxMs ?? 300_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#allowPrivateNetworks = options.allowPrivateNetworks ?? false;
    this.#concurrency = options.concurrency ?? 4;
  }

  /** Loads what exists for the active alerts and resumes pending deliveries. */
  async start(activeAlertIds: readonly string[]): Promise<void> {
    for (const id of await this.#store.deliveryIdsOf(activeAlertIds)) this.#known.add(id);
    for (const delivery of await this.#store.pendingDeliveries()) {
      this.#known.add(delivery.id);
      this.#pending.set(delivery.id, delivery);
    }
    this.#schedule();
  }

  /** Stops sending; waits for attempts in flight (each bounded by its timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Deliveries waiting for an attempt. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Creates (and persists, before any attempt) one delivery per enabled webhook for this transition,
   * unless it exists already, then sends them.
   */
  async notify(alert: Alert, transition: NotifiedTransition): Promise<void> {
    const now = this.#now();
    const event = notificationEvent(alert, transition, now, this.#options.publicUrl?.() ?? null);
    const created: Delivery[] = [];
    for (const webhook of this.#options.webhooks()) {
      if (!webhook.enabled) continue;
      const id = deliveryId(alert.id, transition, webhook.id);
      if (this.#known.has(id)) continue;
      created.push({
        id,
        alertId: alert.id,
        transition,
        webhookId: webhook.id,
        webhookName: webhook.name,
        status: 'pending',
        attempts: 0,
        lastStatusCode: null,
        lastError: '',
        createdAtMs: now,
        lastAttemptAtMs: null,
        nextAttemptAtMs: now,
        deliveredAtMs: null,
        payload: renderPayload(event, webhook.format),
      });
    }
    if (created.length === 0) return;
    await this.#store.saveDeliveries(created);
    for (const delivery of created) {
      this.#known.add(delivery.id);
      this.#pending.set(delivery.id, delivery);
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const now = this.#now();
    let next = Infinity;
    for (const delivery of this.#pending.values()) {
      if (this.#inFlight.size >= this.#concurrency) break;
      if (this.#running.has(delivery.id)) continue;
      const due = delivery.nextAttemptAtMs ?? now;
      if (due <= now) this.#run(delivery);
      else next = Math.min(next, due);
    }
    if (next !== Infinity && this.#inFlight.size < this.#concurrency) {
      this.#timer = setTimeout(() => this.#schedule(), Math.max(10, next - now));
      this.#timer.unref();
    }
  }

  #run(delivery: Delivery): void {
    this.#running.add(delivery.id);
    const attempt = this.#attempt(delivery).finally(() => {
      this.#running.delete(delivery.id);
      this.#inFlight.delete(attempt);
      this.#schedule();
    });
    this.#inFlight.add(attempt);
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const webhook = this.#options.webhooks().find((w) => w.id === delivery.webhookId);
    const now = this.#now();
    let updated: Delivery;
    if (webhook === undefined || !webhook.enabled) {
      updated = { ...delivery, status: 'failed', lastError: 'the webhook was deleted or disabled', nextAttemptAtMs: null };
    } else {
      const outcome = await this.#send(webhook, delivery);
      const attempts = delivery.attempts + 1;
      const base = { ...delivery, attempts, lastAttemptAtMs: now, lastStatusCode: outcome.status };
      if (outcome.ok) {
        updated = { ...base, status: 'delivered', lastError: '', nextAttemptAtMs: null, deliveredAtMs: this.#now() };
      } else if (outcome.retriable && attempts < this.#maxAttempts) {
        updated = { ...base, status: 'pending', lastError: outcome.error, nextAttemptAtMs: this.#now() + this.#backoff(attempts, outcome.retryAfterMs) };
      } else {
        updated = { ...base, status: 'failed', lastError: outcome.error, nextAttemptAtMs: null };
      }
    }
    const log = { delivery: updated.id, webhook: updated.webhookId, webhookName: updated.webhookName, attempts: updated.attempts, statusCode: updated.lastStatusCode };
    if (updated.status === 'failed') this.#options.logger.warn({ ...log, error: updated.lastError }, 'alert notification given up');
    else if (updated.status === 'pending') this.#options.logger.info({ ...log, error: updated.lastError }, 'alert notification failed; will retry');
    if (updated.status === 'pending') this.#pending.set(updated.id, updated);
    else this.#pending.delete(updated.id);
    try {
      await this.#store.saveDeliveries([updated]);
    } catch (err) {
      // The attempt stands; the log row catches up with the next write of this delivery.
      this.#options.logger.warn({ err, delivery: updated.id }, 'cannot write the delivery log');
    }
  }

  #backoff(attempts: number, retryAfterMs: number | null): number {
    const exponential = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** (attempts - 1));
    const jittered = exponential * (0.8 + 0.4 * this.#random());
    return Math.min(this.#retryMaxMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  async #send(webhook: Webhook, delivery: Delivery): Promise<Outcome> {
    const timestampS = Math.floor(this.#now() / 1000);
    try {
      const response = await postToWebhook(webhook.url, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'edgewatch-alerts',
          [DELIVERY_HEADER]: delivery.id,
          [EVENT_HEADER]: `alert.${delivery.transition}`,
          [TIMESTAMP_HEADER]: String(timestampS),
          [SIGNATURE_HEADER]: signPayload(webhook.secret, timestampS, delivery.payload),
        },
        body: delivery.payload,
        timeoutMs: this.#timeoutMs,
        allowPrivateNetworks: this.#allowPrivateNetworks,
      });
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
      const retriable = response.status === 408 || response.status === 429 || response.status >= 500;
      return { ok: false, retriable, status: response.status, error: `HTTP ${response.status}`, retryAfterMs: retryAfter(response.retryAfter) };
    } catch (err) {
      // A refused target stays refused: giving up at once says so in the delivery log.
      if (err instanceof WebhookTargetRefused) return { ok: false, retriable: false, status: null, error: err.message.slice(0, MAX_ERROR_LENGTH), retryAfterMs: null };
      const error = err instanceof Error ? `${err.name}: ${causeOf(err)}` : String(err);
      return { ok: false, retriable: true, status: null, error: error.slice(0, MAX_ERROR_LENGTH), retryAfterMs: null };
    }
  }
}

/** The network error's code (ECONNREFUSED, ETIMEDOUT…) or its message. */
function causeOf(err: Error): string {
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) return (cause as Error & { code?: string }).code ?? cause.message;
  const code = (err as Error & { code?: string }).code;
  return code === undefined ? err.message : `${code} ${err.message}`;
}

function retryAfter(value: string | null): number | null {
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return null;
  return Number(value.trim()) * 1000;
}
