/**
 * Alert notifications to a local webhook receiver: exactly one signed, accepted delivery per
 * transition, also when the receiver fails the first time; nothing sent twice across a restart;
 * a delivery pending at shutdown sent after it; refusals given up; the delivery log; Slack format.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../../api/alerts/alert-service.js';
import { AlertStore } from '../../api/alerts/alert-store.js';
import type { NotificationEvent } from '../../api/alerts/webhook-payload.js';
import { signPayload, verifySignature } from '../../api/alerts/webhook-signature.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { migrated, tempDataDir } from '../storage/storage-env.js';
import { TrafficScript, WEB, liveAlertRig, type LiveAlertRig } from './alert-traffic.js';
import { WebhookReceiver } from './webhook-receiver.js';

const RECEIVER_PORT = 46701;
const SECRET = 'test-webhook-secret-0123456789';
const dataDir = tempDataDir('alert-webhooks');
const opened: ClickHouse[] = [];
const quiet = { info: () => undefined, warn: () => undefined };
let receiver: WebhookReceiver;
let databases = 0;

beforeAll(async () => {
  receiver = await WebhookReceiver.start(RECEIVER_PORT);
});

afterAll(async () => {
  await receiver.close();
  for (const ch of opened) await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  readonly rig: LiveAlertRig;
  readonly service: AlertService;
  readonly traffic: TrafficScript;
  seconds(count: number, make: (nowMs: number) => string[]): Promise<void>;
}

function serviceOn(store: AlertStore, startMs?: number): Run {
  const rig = liveAlertRig(startMs === undefined ? {} : { startMs });
  const service = new AlertService({
    store,
    source: rig.source,
    logger: quiet,
    now: rig.clock.now,
    publicUrl: () => 'https://edgewatch.example.net',
    // The receiver listens on loopback, which webhooks may reach only when allowed.
    delivery: { retryBaseMs: 100, retryMaxMs: 1_000, timeoutMs: 2_000, maxAttempts: 5, allowPrivateNetworks: true },
  });
  const traffic = new TrafficScript({ startMs: rig.clock.nowMs });
  return {
    rig,
    service,
    traffic,
    async seconds(count, make) {
      for (let i = 0; i < count; i++) {
        rig.feed(make(rig.clock.nowMs));
        rig.clock.advance(1_000);
        if (rig.clock.nowMs % 5_000 === 0) await service.evaluate();
      }
    },
  };
}

async function freshStore(): Promise<AlertStore> {
  const ch = await migrated(dataDir, `alert_hooks_${++databases}`);
  opened.push(ch);
  return new AlertStore(ch);
}

/** Reads until `done` holds (a delivery's outcome is logged just after the receiver answered). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const burst = (run: Run) => (now: number) => [...run.traffic.normal(now, 20), ...run.traffic.geoBlocked(now, 10, ['CN', 'RU', 'CN'])];
const calm = (run: Run) => (now: number) => run.traffic.normal(now, 20);

describe('webhook notifications', () => {
  it('deliver exactly one signed notification per transition, also when the receiver fails first, and none twice after a restart', async () => {
    receiver.requests.length = 0;
    const store = await freshStore();
    const first = serviceOn(store);
    await first.service.start({ timer: false });
    const hook = await first.service.createWebhook({ name: 'ops', url: `${receiver.url}/hooks/edgewatch?team=cdn`, format: 'json', secret: SECRET, enabled: true });

    // The receiver fails the first attempt of the firing notification.
    receiver.script.push(500);
    await first.seconds(60, calm(first));
    await first.seconds(20, burst(first));
    await receiver.waitFor('the firing notification to be accepted', () => receiver.acceptedOf('alert.firing').length === 1);
    expect(receiver.requests).toHaveLength(2);
    const [failed, accepted] = receiver.requests as [typeof receiver.requests[0], typeof receiver.requests[0]];
    expect(failed.status).toBe(500);
    expect(WebhookReceiver.deliveryId(failed)).toBe(WebhookReceiver.deliveryId(accepted));
    expect(failed.body).toBe(accepted.body);
    for (const r of receiver.requests) {
      expect(WebhookReceiver.signedWith(r, SECRET)).toBe(true);
      expect(WebhookReceiver.signedWith(r, `${SECRET}x`)).toBe(false);
      expect(r.path).toBe('/hooks/edgewatch?team=cdn');
      expect(r.headers['content-type']).toBe('application/json');
    }
    const event = JSON.parse(accepted.body) as NotificationEvent;
    expect(event.type).toBe('alert.firing');
    expect(event.alert).toMatchObject({ kind: 'geoBlockedSpike', state: 'firing', distribution: WEB.id, metric: 'geoBlockedPerSecond' });
    expect(event.alert.context?.top.countries.map((c) => c.value)).toEqual(['CN', 'RU']);
    expect(event.alert.link).toBe(`https://edgewatch.example.net/#/live?distribution=${WEB.id}&country=CN%2CRU&detailedResult=ClientGeoBlocked`);
    expect(event.alert.message).toMatch(/Geo-blocked requests spike on E3KX9T2WQ7ZP5N: .* requests\/s, threshold .*top countries CN \d+ %, RU \d+ %/);

    const firingLog = await eventually(() => first.service.listDeliveries({ limit: 10 }), (log) => log[0]?.status === 'delivered');
    expect(firingLog.map((d) => [d.transition, d.status, d.attempts, d.lastStatusCode, d.webhookId])).toEqual([['firing', 'delivered', 2, 200, hook.id]]);

    // Restart while the burst goes on: the new process resumes the firing alert and sends nothing.
    await first.service.stop();
    const second = serviceOn(store, first.rig.clock.nowMs);
    await second.service.start({ timer: false });
    expect(second.service.activeAlerts().map((a) => a.state)).toEqual(['firing']);
    await second.seconds(30, burst(second));
    await second.seconds(120, calm(second));
    await receiver.waitFor('the resolved notification', () => receiver.acceptedOf('alert.resolved').length === 1);
    // Give a duplicate, if there were one, time to arrive.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);
    expect(receiver.acceptedOf('alert.resolved')).toHaveLength(1);
    const resolved = JSON.parse(receiver.acceptedOf('alert.resolved')[0]!.body) as NotificationEvent;
    expect(resolved.alert.id).toBe(event.alert.id);
    expect(resolved.alert.state).toBe('resolved');
    expect(resolved.alert.context?.top.countries.map((c) => c.value)).toEqual(['CN', 'RU']);

    const log = await eventually(() => second.service.listDeliveries({ alertId: event.alert.id, limit: 10 }), (l) => l.every((d) => d.status === 'delivered'));
    expect(log.map((d) => [d.transition, d.status]).sort()).toEqual([
      ['firing', 'delivered'],
      ['resolved', 'delivered'],
    ]);
    await second.service.stop();
  }, 60_000);

  it('send a delivery that was still pending at shutdown after the restart, once', async () => {
    receiver.requests.length = 0;
    receiver.defaultStatus = 503;
    const store = await freshStore();
    const first = serviceOn(store);
    await first.service.start({ timer: false });
    await first.service.createWebhook({ name: 'ops', url: `${receiver.url}/down`, format: 'json', secret: SECRET, enabled: true });
    await first.seconds(60, calm(first));
    await first.seconds(20, burst(first));
    await receiver.waitFor('a failed attempt', () => receiver.requests.length >= 1);
    await first.service.stop();
    expect((await store.pendingDeliveries()).map((d) => d.transition)).toEqual(['firing']);

    receiver.defaultStatus = 200;
    const second = serviceOn(store, first.rig.clock.nowMs);
    await second.service.start({ timer: false });
    await receiver.waitFor('the resumed delivery', () => receiver.acceptedOf('alert.firing').length === 1);
    await second.seconds(10, burst(second));
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);
    expect(await store.pendingDeliveries()).toEqual([]);
    await second.service.stop();
  }, 60_000);

  it('give up on a refusal (4xx other than 408/429) without retrying, and say so in the log', async () => {
    receiver.requests.length = 0;
    receiver.defaultStatus = 200;
    receiver.script.push(410);
    const store = await freshStore();
    const run = serviceOn(store);
    await run.service.start({ timer: false });
    await run.service.createWebhook({ name: 'gone', url: `${receiver.url}/gone`, format: 'json', secret: SECRET, enabled: true });
    await run.seconds(60, calm(run));
    await run.seconds(20, burst(run));
    await receiver.waitFor('the refused attempt', () => receiver.requests.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests).toHaveLength(1);
    const log = await eventually(() => run.service.listDeliveries({ limit: 5 }), (l) => l[0]?.status === 'failed');
    expect(log.map((d) => [d.status, d.attempts, d.lastStatusCode, d.lastError])).toEqual([['failed', 1, 410, 'HTTP 410']]);
    await run.service.stop();
  }, 60_000);

  it('send Slack-compatible messages with record text escaped', async () => {
    receiver.requests.length = 0;
    receiver.defaultStatus = 200;
    const store = await freshStore();
    const run = serviceOn(store);
    await run.service.start({ timer: false });
    await run.service.createWebhook({ name: 'slack', url: `${receiver.url}/services/T000/B000/XXXX`, format: 'slack', secret: SECRET, enabled: true });
    await run.seconds(60, calm(run));
    await run.seconds(20, (now) => [
      ...run.traffic.normal(now, 20),
      ...run.traffic.geoBlocked(now, 10, ['CN']).map((line) => run.traffic.withFields(line, { 'cs-uri-stem': '/<script>alert(1)</script>' })),
    ]);
    await receiver.waitFor('the Slack message', () => receiver.accepted().length === 1);
    const body = JSON.parse(receiver.accepted()[0]!.body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(body.text).toMatch(/^\[FIRING\] Geo-blocked requests spike on E3KX9T2WQ7ZP5N/);
    const all = JSON.stringify(body.blocks);
    expect(all).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(all).not.toContain('<script>');
    expect(all).toContain('<https://edgewatch.example.net/#/live?distribution=E3KX9T2WQ7ZP5N');
    expect(WebhookReceiver.signedWith(receiver.accepted()[0]!, SECRET)).toBe(true);
    await run.service.stop();
  }, 60_000);
});

describe('webhook signatures', () => {
  it('sign "<timestamp>.<body>" with HMAC-SHA256 and refuse stale timestamps', () => {
    const body = '{"a":1}';
    const signature = signPayload('s3cret-s3cret-s3cret', 1_700_000_000, body);
    // What a receiver computes with any HMAC library.
    expect(signature).toBe(`sha256=${createHmac('sha256', 's3cret-s3cret-s3cret').update('1700000000.{"a":1}').digest('hex')}`);
    expect(verifySignature('s3cret-s3cret-s3cret', signature, '1700000000', body, { nowS: 1_700_000_100 })).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', signature, '1700000000', body, { nowS: 1_700_001_000 })).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', signature, '1700000000', '{"a":2}', { nowS: 1_700_000_000 })).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', undefined, '1700000000', body)).toBe(false);
  });
});
