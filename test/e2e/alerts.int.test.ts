/**
 * Alerts end to end, as `npm start` runs them: simulated CloudFront traffic written into the local
 * Kinesis stream, read by the pipeline's source, counted in process by the alert evaluator (every
 * 5 s), notifications signed and POSTed to a local webhook receiver that fails the first time; rules
 * and the webhook set up through the API with an admin token; the pipeline restarted mid-alert.
 *
 * A burst below the minimum count fires nothing; a geo-blocked burst fires exactly one alert naming
 * its countries, within seconds, and resolves once it is over; the restart sends nothing twice.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../api/alerts/alert-view.js';
import type { NotificationEvent } from '../../api/alerts/webhook-payload.js';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';
import { streamLogConfig } from '../../cli/stream-log-config.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { TrafficScript, WEB } from '../alerts/alert-traffic.js';
import { WebhookReceiver } from '../alerts/webhook-receiver.js';

const HTTP_PORT = 46710;
const KINESIS_PORT = 46711;
const RECEIVER_PORT = 46712;
const ADMIN_TOKEN = `alerts-e2e-admin-${crypto.randomBytes(12).toString('hex')}`;
const SECRET = `alerts-e2e-secret-${crypto.randomBytes(12).toString('hex')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes lines into the pipeline's local Kinesis every 250 ms: background traffic plus a burst when asked. */
class TrafficWriter {
  readonly #traffic: TrafficScript;
  #pipeline: RunningPipeline;
  #client: ReturnType<typeof createKinesisClient> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  /** Geo-blocked lines a second, from these countries. */
  burst: { perSecond: number; countries: string[] } | null = null;
  firstBurstWrittenAtMs: number | null = null;

  constructor(pipeline: RunningPipeline) {
    this.#pipeline = pipeline;
    this.#traffic = new TrafficScript({ layout: layoutOf(streamLogConfig(pipeline.config).fields) });
  }

  #sink(): KinesisRecordWriter {
    this.#client ??= createKinesisClient({ region: this.#pipeline.config.kinesis.region, endpoint: this.#pipeline.localKinesisEndpoint! });
    return new KinesisRecordWriter({ client: this.#client, streamName: this.#pipeline.config.kinesis.streamName });
  }

  start(pipeline: RunningPipeline = this.#pipeline): void {
    this.#pipeline = pipeline;
    const sink = this.#sink();
    this.#timer = setInterval(() => {
      this.#writing = this.#writing.then(async () => {
        const now = Date.now();
        const lines = this.#traffic.normal(now, 10);
        const burst = this.burst;
        if (burst !== null) lines.push(...this.#traffic.geoBlocked(now, Math.round(burst.perSecond / 4), burst.countries));
        await sink.putRecords(lines.map((l) => Buffer.from(l)));
        if (burst !== null) this.firstBurstWrittenAtMs ??= Date.now();
      });
    }, 250);
  }

  /** Writes a few geo-blocked lines once. */
  async once(count: number, countries: string[]): Promise<void> {
    await this.#sink().putRecords(this.#traffic.geoBlocked(Date.now(), count, countries).map((l) => Buffer.from(l)));
  }

  /** Stops writing (the local Kinesis goes away with its pipeline). */
  async pause(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#writing;
    this.#client?.destroy();
    this.#client = null;
  }
}

describe('alerts end to end', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-alerts-e2e-'));
  const config = loadConfig({
    EDGEWATCH_DATA_DIR: dataDir,
    PORT: String(HTTP_PORT),
    EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
    EDGEWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
    EDGEWATCH_SIMULATOR: '0',
    EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '500',
    EDGEWATCH_PUBLIC_URL: 'https://edgewatch.example.net',
    // The test's receiver listens on loopback.
    EDGEWATCH_WEBHOOK_ALLOW_PRIVATE: '1',
    EDGEWATCH_LOG_LEVEL: 'warn',
  });
  let pipeline: RunningPipeline | null = null;
  let receiver: WebhookReceiver;
  let writer: TrafficWriter | null = null;

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${pipeline!.url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(RECEIVER_PORT);
    pipeline = await startPipeline(config, createLogger('warn'));
  });

  afterAll(async () => {
    await writer?.pause();
    await pipeline?.stop();
    await receiver?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires one signed alert per transition naming the countries, resolves it, and sends nothing twice across a restart', async () => {
    // Through the API, as an operator would: a shorter window and hold time so the test is quick,
    // and a webhook that fails its first delivery.
    const rules = (await api('GET', '/alerts/rules')).body as { rules: { id: string; kind: string }[] };
    const geo = rules.rules.find((r) => r.kind === 'geoBlockedSpike')!;
    expect((await api('PATCH', `/alerts/rules/${geo.id}`, { windowS: 10, holdS: 15 })).status).toBe(200);
    expect((await api('POST', '/alerts/webhooks', { name: 'ops', url: `${receiver.url}/edgewatch`, secret: SECRET })).status).toBe(201);
    receiver.script.push(500);

    writer = new TrafficWriter(pipeline!);
    writer.start();
    await sleep(6_000);

    // Ten blocked requests: below the minimum count of 20 sampled lines.
    await writer.once(10, ['CN']);
    await sleep(8_000);
    expect(receiver.requests).toEqual([]);
    expect(((await api('GET', '/alerts')).body as { active: unknown[] }).active).toEqual([]);

    // The burst.
    writer.burst = { perSecond: 16, countries: ['CN', 'CN', 'RU'] };
    await receiver.waitFor('the firing notification', () => receiver.acceptedOf('alert.firing').length === 1, 30_000);
    const firing = JSON.parse(receiver.acceptedOf('alert.firing')[0]!.body) as NotificationEvent;
    const delayS = (Date.parse(firing.alert.firedAt!) - writer.firstBurstWrittenAtMs!) / 1000;
    console.info(`alerts e2e: geo-blocked burst to firing in ${delayS.toFixed(1)} s`);
    expect(delayS).toBeLessThan(15);
    expect(firing.alert).toMatchObject({ kind: 'geoBlockedSpike', state: 'firing', distribution: WEB.id });
    expect(firing.alert.context?.top.countries.map((c) => c.value)).toEqual(['CN', 'RU']);
    expect(firing.alert.link).toBe(`https://edgewatch.example.net/#/live?distribution=${WEB.id}&country=CN%2CRU&detailedResult=ClientGeoBlocked`);
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 200]);
    for (const r of receiver.requests) expect(WebhookReceiver.signedWith(r, SECRET)).toBe(true);

    const listed = (await api('GET', '/alerts')).body as { active: AlertView[]; mode: string };
    expect(listed.mode).toBe('live');
    expect(listed.active.map((a) => [a.id, a.state])).toEqual([[firing.alert.id, 'firing']]);

    // Restart while the burst goes on: the alert is resumed, not fired again.
    await writer.pause();
    await pipeline!.stop();
    pipeline = await startPipeline(config, createLogger('warn'));
    writer.start(pipeline);
    await sleep(8_000);
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);
    expect(((await api('GET', '/alerts')).body as { active: AlertView[] }).active.map((a) => [a.id, a.state])).toEqual([[firing.alert.id, 'firing']]);

    // The burst ends: resolved after the window and the hold time.
    writer.burst = null;
    await receiver.waitFor('the resolved notification', () => receiver.acceptedOf('alert.resolved').length === 1, 60_000);
    await sleep(3_000);
    const resolved = JSON.parse(receiver.acceptedOf('alert.resolved')[0]!.body) as NotificationEvent;
    expect(resolved.alert).toMatchObject({ id: firing.alert.id, state: 'resolved' });
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);
    expect(receiver.acceptedOf('alert.resolved')).toHaveLength(1);
    expect(receiver.requests).toHaveLength(3);

    const after = (await api('GET', '/alerts')).body as { active: AlertView[]; recent: AlertView[] };
    expect(after.active).toEqual([]);
    expect(after.recent.map((a) => [a.id, a.state])).toEqual([[firing.alert.id, 'resolved']]);
    const deliveries = (await api('GET', '/alerts/deliveries')).body as { deliveries: { transition: string; status: string; attempts: number }[] };
    expect(deliveries.deliveries.map((d) => [d.transition, d.status, d.attempts]).sort()).toEqual([
      ['firing', 'delivered', 2],
      ['resolved', 'delivered', 1],
    ]);
  }, 180_000);
});
