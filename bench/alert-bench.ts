/**
 * Alert detection delay in embedded mode, through the whole pipeline as `npm start` runs it: traffic
 * at the simulator's default rate (200 requests/s) written into the local Kinesis stream, and
 * geo-blocked bursts like the simulator's (8–30 % of the traffic, from one to three blocked
 * countries, on one distribution: each demo distribution in turn), one after the other. For each burst: the time from its first blocked request being written
 * to the stream to the alert firing (the evaluator's transition), and to the webhook receiving it.
 * The built-in rule with its defaults (30 s window, 3 s pending, 20 sampled lines, 3 × a floor of
 * 0.5/s) and the default evaluation interval (5 s); only its hold time is set to 0, so that one burst
 * resolves before the next.
 *
 *   alert_delay_p50_s, alert_delay_p95_s, alert_delay_max_s   burst → firing
 *   alert_notify_delay_p95_s                                   burst → webhook delivery accepted
 *   alert_bursts                                               BENCH_ALERT_BURSTS (default 6)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../cli/config.js';
import { createLogger } from '../cli/logger.js';
import { startPipeline } from '../cli/pipeline.js';
import { streamLogConfig } from '../cli/stream-log-config.js';
import { createKinesisClient } from '../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../ingest/kinesis/kinesis-writer.js';
import { DEMO_DISTRIBUTIONS, type DemoDistribution } from '../ingest/simulator/demo-distributions.js';
import { GEO_BLOCKED_COUNTRIES } from '../ingest/simulator/geography.js';
import { layoutOf } from '../processor/fields/layout.js';
import { TrafficScript } from '../test/alerts/alert-traffic.js';
import { WebhookReceiver } from '../test/alerts/webhook-receiver.js';

const HTTP_PORT = 46720;
const KINESIS_PORT = 46721;
const RECEIVER_PORT = 46722;
const BURSTS = Number(process.env.BENCH_ALERT_BURSTS ?? 6);
const RATE = 200;
const TICK_MS = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function print(name: string, value: number, digits = 1): void {
  process.stdout.write(`${name} ${value.toFixed(digits)}\n`);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-alert-bench-'));
  const token = crypto.randomBytes(24).toString('base64url');
  const config = loadConfig({
    EDGEWATCH_DATA_DIR: dataDir,
    PORT: String(HTTP_PORT),
    EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
    EDGEWATCH_ADMIN_TOKEN: token,
    EDGEWATCH_SIMULATOR: '0',
    EDGEWATCH_LOG_LEVEL: 'warn',
  });
  const receiver = await WebhookReceiver.start(RECEIVER_PORT);
  const pipeline = await startPipeline(config, createLogger('warn'));
  const alerts = pipeline.alerts;
  if (alerts === null) throw new Error('alerts are off');
  const api = (method: string, route: string, body: unknown) =>
    fetch(`${pipeline.url}/api/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const geo = alerts.rules().find((r) => r.kind === 'geoBlockedSpike');
  if (geo === undefined) throw new Error('no geo-blocked rule');
  await api('PATCH', `/alerts/rules/${geo.id}`, { holdS: 0 });
  await api('POST', '/alerts/webhooks', { name: 'bench', url: `${receiver.url}/bench`, secret: crypto.randomBytes(24).toString('hex') });

  const traffic = new TrafficScript({ layout: layoutOf(streamLogConfig(config).fields) });
  const client = createKinesisClient({ region: config.kinesis.region, endpoint: pipeline.localKinesisEndpoint! });
  const sink = new KinesisRecordWriter({ client, streamName: config.kinesis.streamName });
  let burst: { perSecond: number; countries: string[]; target: DemoDistribution } | null = null;
  let firstBlockedAtMs: number | null = null;
  let owed = 0;
  let writing = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing.then(async () => {
      const now = Date.now();
      const lines = traffic.normal(now, RATE / (1000 / TICK_MS));
      const current = burst;
      if (current !== null) {
        owed += current.perSecond / (1000 / TICK_MS);
        const count = Math.floor(owed);
        owed -= count;
        lines.push(...traffic.geoBlocked(now, count, current.countries, current.target));
      }
      await sink.putRecords(lines.map((l) => Buffer.from(l)));
      if (current !== null && firstBlockedAtMs === null) firstBlockedAtMs = Date.now();
    });
  }, TICK_MS);

  const delays: number[] = [];
  const notifyDelays: number[] = [];
  try {
    // A baseline first, as a running installation has.
    await sleep(60_000);
    for (let i = 0; i < BURSTS; i++) {
      const pool = GEO_BLOCKED_COUNTRIES.map((c) => c.code);
      const countries: string[] = [];
      for (let n = 1 + crypto.randomInt(3); n > 0 && pool.length > 0; n--) countries.push(...pool.splice(crypto.randomInt(pool.length), 1));
      const intensity = 0.08 + Math.random() * 0.22;
      const accepted = receiver.acceptedOf('alert.firing').length;
      firstBlockedAtMs = null;
      owed = 0;
      // Like the simulator's bursts, each targets one distribution (in turn here); baselines are per distribution.
      const target = DEMO_DISTRIBUTIONS[i % DEMO_DISTRIBUTIONS.length]!;
      burst = { perSecond: RATE * intensity, countries, target };
      const deadline = Date.now() + 60_000;
      let fired: number | null = null;
      while (Date.now() < deadline) {
        const alert = alerts.activeAlerts().find((a) => a.kind === 'geoBlockedSpike' && a.state === 'firing');
        if (alert?.firedAtMs != null && firstBlockedAtMs !== null) {
          fired = alert.firedAtMs;
          break;
        }
        await sleep(100);
      }
      if (fired === null || firstBlockedAtMs === null) throw new Error(`burst ${i + 1} did not fire within 60 s`);
      const started: number = firstBlockedAtMs;
      delays.push((fired - started) / 1000);
      await receiver.waitFor('the firing notification', () => receiver.acceptedOf('alert.firing').length > accepted, 30_000);
      notifyDelays.push((receiver.acceptedOf('alert.firing').at(-1)!.atMs - started) / 1000);
      const pendingAt = alerts.activeAlerts().find((a) => a.kind === 'geoBlockedSpike')?.pendingAtMs ?? fired;
      const behind = pipeline.health().shards.map((sh) => sh.millisBehindLatest ?? -1).join('/');
      process.stderr.write(
        `burst ${i + 1}: ${Math.round(RATE * intensity)}/s from ${countries.join(',')} to ${target.id}: pending after ${((pendingAt - started) / 1000).toFixed(1)} s, fired after ${((fired - started) / 1000).toFixed(1)} s (shards behind ${behind} ms; ${JSON.stringify(pipeline.live.tap.stats())})\n`,
      );
      await sleep(5_000);
      burst = null;
      // Resolved once the burst has left the window; then a quiet spell before the next one.
      while (alerts.activeAlerts().some((a) => a.kind === 'geoBlockedSpike')) await sleep(500);
      await sleep(5_000 + crypto.randomInt(10_000));
    }
  } finally {
    clearInterval(timer);
    await writing.catch(() => undefined);
    client.destroy();
    await pipeline.stop();
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  print('alert_delay_p50_s', quantile(delays, 0.5));
  print('alert_delay_p95_s', quantile(delays, 0.95));
  print('alert_delay_max_s', Math.max(...delays));
  print('alert_notify_delay_p95_s', quantile(notifyDelays, 0.95));
  print('alert_bursts', delays.length, 0);
}

await main();
