/**
 * `edgewatch serve` against a ClickHouse reached by URL (the HTTP stand-in over the embedded engine)
 * and the real broker: it refuses to start without a ClickHouse server or Kafka, answers /healthz,
 * serves the stats routes from the server's tables, and streams /api/v1/live counters and records
 * fed by a processor's live feed; and the whole way: a range stored by `edgewatch process` shows in
 * the live stream of `serve`, with filters that per-second cells cannot answer applied by the
 * processor (pushed down).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../cli/config.js';
import { LiveFeedPublisher } from '../../cli/live-feed-publisher.js';
import { startProcessRole, type RunningProcessor } from '../../cli/process-role.js';
import { encodeRangeMessage } from '../../ingest/kafka/range-message.js';
import type { RawBatch } from '../../processor/batch.js';
import { ScaleOutConfigError } from '../../cli/scale-out-config.js';
import { startServeRole, type RunningServe } from '../../cli/serve-role.js';
import { writerFromConfig } from '../../cli/clickhouse-from-config.js';
import type { KafkaPublisher } from '../../ingest/kafka/kafka-client.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import type { RequestRow } from '../../processor/storage/row-encoder.js';
import { asViewer, ADMIN_TOKEN, VIEWER_TOKEN } from '../support/api-test-kit.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';
import { SseReader } from '../api/live-kit.js';
import { brokers, describeKafka, quietLogger, testKafkaClient, uniqueName } from './kafka-test-kit.js';

const CLICKHOUSE_PORT = 47601;
const API_PORT = 47602;
const PROCESS_PORT = 47603;
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const resolveDistribution = (domain: string | null): string => (domain === null ? '' : (domains.get(domain) ?? ''));
const processor = new BatchProcessor({ sink: { write: () => Promise.resolve() }, formatOf: () => ({ layout, samplingRate: 100 }), resolveDistribution, sourceKind: 'kinesis' });
const HOUR_MS = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
const generator = createTrafficGenerator({ seed: 41, distributions: DEMO_DISTRIBUTIONS, layout, startMs: T0 });
let sequence = 0;

function range(count: number, atMs: number): RawBatch {
  const records = generator.linesAt(atMs, count, 60_000).map((line) => ({ data: Buffer.from(line), sequenceNumber: String(++sequence), arrivalMs: Date.now() }));
  return { stream: 'edgewatch-local', shardId: 'shardId-000000000000', firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records };
}

function rows(count: number, atMs: number): RequestRow[] {
  return processor.process(range(count, atMs)).rows;
}

describeKafka('edgewatch serve', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-serve-role-'));
  const liveTopic = uniqueName('serve_live');
  const filtersTopic = uniqueName('serve_live_filters');
  const database = uniqueName('serve');
  let fixture: ClickHouseHttpFixture;
  let serve: RunningServe | null = null;
  let publisher: KafkaPublisher;
  let feed: LiveFeedPublisher | null = null;
  let processRole: RunningProcessor | null = null;

  function settings(overrides: Record<string, string | undefined> = {}): Config {
    const env: Record<string, string> = {
      EDGEWATCH_DATA_DIR: path.join(dir, 'serve'),
      PORT: String(API_PORT),
      EDGEWATCH_CLICKHOUSE_URL: fixture.url,
      EDGEWATCH_CLICKHOUSE_DATABASE: database,
      EDGEWATCH_KAFKA_BROKERS: brokers(),
      EDGEWATCH_KAFKA_LIVE_TOPIC: liveTopic,
      EDGEWATCH_KAFKA_LIVE_FILTERS_TOPIC: filtersTopic,
      EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS: '6000',
      EDGEWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
      EDGEWATCH_VIEWER_TOKENS: VIEWER_TOKEN,
      EDGEWATCH_SIMULATOR: '0',
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    return loadConfig(env);
  }

  beforeAll(async () => {
    fixture = await startClickHouseHttpFixture({ dataDir: path.join(dir, 'clickhouse'), port: CLICKHOUSE_PORT });
    publisher = testKafkaClient('edgewatch-test-processor').publisher();
  });
  afterAll(async () => {
    await feed?.stop(1_000);
    await processRole?.stop();
    await serve?.stop();
    await publisher?.close();
    await fixture?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without a ClickHouse server or Kafka, saying what to set', async () => {
    const noClickHouse = startServeRole(settings({ EDGEWATCH_CLICKHOUSE_URL: undefined }), quietLogger);
    await expect(noClickHouse).rejects.toBeInstanceOf(ScaleOutConfigError);
    await expect(noClickHouse).rejects.toThrow(/EDGEWATCH_CLICKHOUSE_URL/);
    await expect(startServeRole(settings({ EDGEWATCH_KAFKA_BROKERS: undefined }), quietLogger)).rejects.toThrow(/EDGEWATCH_KAFKA_BROKERS/);
  });

  it('serves health, stats from the ClickHouse server, and the live view from the live feed', async () => {
    const config = settings();
    serve = await startServeRole(config, quietLogger);
    const base = serve.url;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    // Rows a processor stored: the stats routes read them from the server.
    const writer = writerFromConfig(serve.clickhouse, config, quietLogger);
    const stored = rows(40, T0 + 10 * 60_000);
    await writer.write({ token: uniqueName('serve-rows'), rows: stored, deadLetters: [], layout });
    await writer.stop();
    const summary = await fetch(`${base}/api/v1/stats/summary?from=${T0}&to=${T0 + HOUR_MS}&plan=raw`, { headers: asViewer });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({ requests: 40 });
    const unauthorized = await fetch(`${base}/api/v1/stats/summary`);
    expect(unauthorized.status).toBe(401);
    await unauthorized.text();

    const controller = new AbortController();
    const stream = new SseReader(await fetch(`${base}/api/v1/live?rate=20`, { headers: asViewer, signal: controller.signal }));
    try {
      await stream.waitFor((e) => e.event === 'ready', 10_000, 'the ready event');
      await serve.live.feed.joined;
      // A processor's live feed, on its own timer: a batch every 200 ms until the stream shows it.
      feed = new LiveFeedPublisher({ publisher, topic: liveTopic, processorId: 'processor-test', sourceKind: 'kinesis', maxCells: 2_000, recordsPerSecond: 50, logger: quietLogger });
      feed.start();
      const batch = rows(25, Date.now());
      const pump = setInterval(() => feed?.observe(batch, 0, Date.now()), 200);
      try {
        const counters = await stream.waitFor((e) => e.event === 'counters' && (e.data as { sampledRequests: number }).sampledRequests > 0, 60_000, 'counters fed by the live feed');
        const data = counters.data as { sampledRequests: number; requests: number; countries: unknown[] };
        expect(data.sampledRequests % 25).toBe(0);
        expect(data.requests).toBe(data.sampledRequests);
        expect(data.countries.length).toBeGreaterThan(0);
        await stream.waitFor((e) => e.event === 'record', 10_000, 'a sampled record');
      } finally {
        clearInterval(pump);
      }
    } finally {
      controller.abort();
    }
    expect(serve.live.feed.stats().malformed).toBe(0);
  });

  it('shows in its live stream what edgewatch process stores', async () => {
    expect(serve).not.toBeNull();
    await feed?.stop(1_000);
    feed = null;
    const topic = uniqueName('serve_raw');
    processRole = await startProcessRole(
      settings({
        EDGEWATCH_DATA_DIR: path.join(dir, 'process'),
        PORT: String(PROCESS_PORT),
        EDGEWATCH_KAFKA_TOPIC: topic,
        EDGEWATCH_KAFKA_DLQ_TOPIC: `${topic}.dlq`,
        EDGEWATCH_KAFKA_GROUP: uniqueName('serve_group'),
        EDGEWATCH_KAFKA_PARTITIONS: '1',
      }),
      quietLogger,
    );
    const controller = new AbortController();
    const stream = new SseReader(await fetch(`${serve!.url}/api/v1/live?rate=100`, { headers: asViewer, signal: controller.signal }));
    // Filters counter cells cannot answer (an exact status, a path prefix): the processor applies them.
    const filtered = new SseReader(await fetch(`${serve!.url}/api/v1/live?rate=5&status=200&pathPrefix=/`, { headers: asViewer, signal: controller.signal }));
    try {
      await stream.waitFor((e) => e.event === 'ready', 10_000, 'the ready event');
      await filtered.waitFor((e) => e.event === 'ready', 10_000, 'the ready event of the filtered stream');
      expect(serve!.live.hub.pushedFilters()).toHaveLength(1);
      // Ranges of 30 records as ingest publishes them, until the stream shows them.
      let stop = false;
      const sending = (async () => {
        while (!stop) {
          await publisher.send(topic, [encodeRangeMessage(range(30, Date.now()))]);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      })();
      try {
        const counters = await stream.waitFor((e) => e.event === 'counters' && (e.data as { sampledRequests: number }).sampledRequests > 0, 120_000, 'counters of stored ranges');
        expect((counters.data as { sampledRequests: number }).sampledRequests % 30).toBe(0);
        const record = await stream.waitFor((e) => e.event === 'record', 10_000, 'a sampled record');
        expect(record.data).toMatchObject({ samplingRate: 100 });
        const pushed = await filtered.waitFor((e) => e.event === 'counters' && (e.data as { sampledRequests: number }).sampledRequests > 0, 60_000, 'counters of the pushed filter');
        const pushedData = pushed.data as { sampledRequests: number; status4xx: number; status5xx: number };
        expect(pushedData).toMatchObject({ status4xx: 0, status5xx: 0 });
        const matching = await filtered.waitFor((e) => e.event === 'record', 10_000, 'a record of the pushed filter');
        expect(matching.data).toMatchObject({ status: 200 });
        const records = filtered.events.filter((e) => e.event === 'record').map((e) => e.data as { status: number; path: string });
        expect(records.every((r) => r.status === 200 && r.path.startsWith('/'))).toBe(true);
      } finally {
        stop = true;
        await sending;
      }
    } finally {
      controller.abort();
    }
    expect(processRole.liveFeed.stats().messagesSent).toBeGreaterThan(0);
  });

  it('stops cleanly: open live streams get a closing event', async () => {
    expect(serve).not.toBeNull();
    const stream = new SseReader(await fetch(`${serve!.url}/api/v1/live?rate=0`, { headers: asViewer }));
    await stream.waitFor((e) => e.event === 'ready', 10_000, 'the ready event');
    const running = serve!;
    serve = null;
    await running.stop();
    await stream.waitFor((e) => e.event === 'closing', 10_000, 'the closing event');
    await stream.waitForEnd();
    expect(running.health().status).toBe('stopping');
  });
});
