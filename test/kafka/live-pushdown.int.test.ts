/**
 * Pushed live filters on a real broker, the whole loop: two serve replicas (a cell-fed hub with
 * push-down, its LiveFilterAnnouncer and its LiveFeedConsumer each) subscribe with filters counter
 * cells cannot answer; a processor (LiveFilterSubscriptions feeding its LiveFeedPublisher) learns them
 * from the live filters topic, applies them to the records it stores, and publishes their counts and
 * samples; both replicas then show what the in-process hub of `npm start` shows for the same records.
 * Withdrawn filters stop costing the processor work; malformed announcements are counted and skipped.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SecondCounters } from '../../api/live/live-counters.js';
import { statusOf, toLiveEntry } from '../../api/live/live-entry.js';
import type { LiveFilters } from '../../api/live/live-filter.js';
import { LiveHub, type LiveSubscription } from '../../api/live/live-hub.js';
import type { LiveRecord } from '../../api/live/live-record.js';
import { loadConfig } from '../../cli/config.js';
import { LiveFeedConsumer } from '../../cli/live-feed-consumer.js';
import { encodeLiveFeedMessage } from '../../cli/live-feed-message.js';
import { LiveFeedPublisher } from '../../cli/live-feed-publisher.js';
import { ensureLiveFeedTopic, LIVE_FEED_MAX_MESSAGE_BYTES } from '../../cli/live-feed-topic.js';
import { LiveFilterAnnouncer } from '../../cli/live-filter-announcer.js';
import { LiveFilterSubscriptions } from '../../cli/live-filter-subscriptions.js';
import type { KafkaClient, KafkaPublisher } from '../../ingest/kafka/kafka-client.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES, F } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import type { RequestRow } from '../../processor/storage/row-encoder.js';
import { TestClock } from '../api/live-kit.js';
import { brokers, describeKafka, quietLogger, testKafkaClient, uniqueName, waitFor } from './kafka-test-kit.js';

const START_MS = Date.now();
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const resolveDistribution = (domain: string | null): string => (domain === null ? '' : (domains.get(domain) ?? ''));
const generator = createTrafficGenerator({ seed: 53, distributions: DEMO_DISTRIBUTIONS, layout, startMs: START_MS });
const processor = new BatchProcessor({ sink: { write: () => Promise.resolve() }, formatOf: () => ({ layout, samplingRate: 100 }), resolveDistribution, sourceKind: 'kinesis' });
let sequence = 0;

function storedRows(count: number): RequestRow[] {
  const records = generator.linesAt(START_MS, count, 1_000).map((line) => ({ data: Buffer.from(line), sequenceNumber: String(++sequence), arrivalMs: Date.now() }));
  return processor.process({ stream: 'edgewatch-local', shardId: 'shardId-000000000000', firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records }).rows;
}

interface Seen {
  readonly seconds: SecondCounters[];
  readonly records: LiveRecord[];
}

/** What the in-process hub of `npm start` shows for the same records. */
function inProcess(rows: readonly RequestRow[], filters: LiveFilters, rate: number): Seen {
  const clock = new TestClock(START_MS);
  const hub = new LiveHub({ now: clock.now });
  const seen: Seen = { seconds: [], records: [] };
  hub.subscribe({ filters, recordsPerSecond: rate, onSecond: (c) => seen.seconds.push(c), onRecord: (r) => seen.records.push(r) });
  hub.publish(rows.map((row) => toLiveEntry(row.enriched, 'kinesis')));
  clock.advance(1_000);
  hub.tick();
  return seen;
}

class Replica {
  readonly clock = new TestClock(START_MS);
  readonly hub: LiveHub;
  readonly consumer: LiveFeedConsumer;
  readonly announcer: LiveFilterAnnouncer;

  constructor(client: KafkaClient, publisher: KafkaPublisher, liveTopic: string, filtersTopic: string, name: string) {
    this.hub = new LiveHub({ now: this.clock.now, feed: 'cells', pushDown: true, onPushedFiltersChange: () => this.announcer.changed() });
    this.consumer = new LiveFeedConsumer({ client, topic: liveTopic, hub: this.hub, groupPrefix: 'edgewatch-test-serve', maxMessageBytes: LIVE_FEED_MAX_MESSAGE_BYTES, sessionTimeoutMs: 6_000, logger: quietLogger });
    this.announcer = new LiveFilterAnnouncer({ publisher, topic: filtersTopic, replica: name, filters: () => this.hub.pushedFilters(), intervalMs: 500, logger: quietLogger });
  }

  subscribe(filters: LiveFilters, rate: number): Seen & { readonly subscription: LiveSubscription } {
    const seen: Seen = { seconds: [], records: [] };
    const subscription = this.hub.subscribe({ filters, recordsPerSecond: rate, onSecond: (c) => seen.seconds.push(c), onRecord: (r) => seen.records.push(r) });
    return { ...seen, subscription };
  }

  closeSecond(): void {
    this.clock.advance(1_000);
    this.hub.tick();
  }
}

describeKafka('pushed live filters over Kafka', () => {
  const liveTopic = uniqueName('live_feed');
  const filtersTopic = uniqueName('live_filters');
  const config = () =>
    loadConfig({ EDGEWATCH_KAFKA_BROKERS: brokers(), EDGEWATCH_KAFKA_LIVE_TOPIC: liveTopic, EDGEWATCH_KAFKA_LIVE_FILTERS_TOPIC: filtersTopic, EDGEWATCH_DATA_DIR: '/tmp/edgewatch-live-pushdown-test' }).kafka;
  const publishers: KafkaPublisher[] = [];
  let raw: KafkaPublisher;
  let feed: LiveFeedPublisher;
  let subscriptions: LiveFilterSubscriptions;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    const client = testKafkaClient('edgewatch-test-pushdown');
    await ensureLiveFeedTopic(client, config(), quietLogger);
    raw = client.publisher();
    const feedPublisher = client.publisher();
    publishers.push(raw, feedPublisher);
    subscriptions = new LiveFilterSubscriptions({ client: testKafkaClient('edgewatch-test-process'), topic: filtersTopic, groupPrefix: 'edgewatch-test-process', maxMessageBytes: LIVE_FEED_MAX_MESSAGE_BYTES, sessionTimeoutMs: 6_000, maxFilters: 8, logger: quietLogger });
    await subscriptions.start();
    const publisherClock = new TestClock(START_MS);
    feed = new LiveFeedPublisher({ publisher: feedPublisher, topic: liveTopic, processorId: 'processor-1', sourceKind: 'kinesis', maxCells: 10, recordsPerSecond: 50, pushedFilters: () => subscriptions.active(), logger: quietLogger, now: publisherClock.now });
    for (const name of ['a', 'b']) {
      const replicaClient = testKafkaClient(`edgewatch-test-serve-${name}`);
      const announcePublisher = replicaClient.publisher();
      publishers.push(announcePublisher);
      const replica = new Replica(replicaClient, announcePublisher, liveTopic, filtersTopic, `serve-${name}`);
      replicas.push(replica);
      await replica.consumer.start();
      replica.announcer.start();
    }
    await Promise.all(replicas.map((r) => r.consumer.joined));
    await waitFor('both replicas reading the live topic', async () => {
      await raw.send(liveTopic, [{ key: 'warm-up', value: encodeLiveFeedMessage({ v: 1, kind: 'second', processor: 'warm-up', t: START_MS, cells: [], overflowRecords: 0, loss: { dropped: 0, stale: 0, invalid: 0 } }), headers: {} }]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return replicas.every((r) => r.consumer.stats().seconds > 0) ? true : undefined;
    });
    for (const r of replicas) r.closeSecond();
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.announcer.stop(1_000);
      await r.consumer.stop().catch(() => undefined);
      r.hub.stop();
    }
    await subscriptions?.stop().catch(() => undefined);
    await feed?.stop(1_000);
    for (const p of publishers) await p.close();
  });

  async function delivered(before: readonly number[]): Promise<void> {
    await waitFor('the feed publisher to send', () => (feed.stats().queuedMessages === 0 ? true : undefined));
    const sent = feed.stats().messagesSent - sentBefore;
    await waitFor('both replicas to read every feed message', () => (replicas.every((r, i) => r.consumer.stats().messages - before[i]! >= sent) ? true : undefined));
    sentBefore = feed.stats().messagesSent;
  }
  let sentBefore = 0;

  it('the processor applies the filters the replicas announce; both replicas show what the in-process hub shows', async () => {
    const sample = storedRows(400);
    const status = statusOf(sample[0]!.enriched.record)!;
    const tls = sample.map((r) => r.enriched.record.values[F.ssl_protocol]).find((v): v is string => typeof v === 'string')!;
    const byStatus: LiveFilters = { distributions: [], status: [status] };
    const byTls: LiveFilters = { distributions: [], sslProtocol: [tls], pathPrefix: '/' };
    const [a, b] = replicas as [Replica, Replica];
    // Cells could answer this one, but a tight cell budget would leave them short: pushed, it is exact.
    const byCountry: LiveFilters = { distributions: [], country: ['US', 'DE'] };
    const subs = [a.subscribe(byStatus, 10), b.subscribe(byStatus, 10), b.subscribe(byTls, 5), a.subscribe(byCountry, 5)];
    await waitFor('the processor to apply the three announced filters', () => (subscriptions.active().length === 3 ? true : undefined), 30_000);

    const before = replicas.map((r) => r.consumer.stats().messages);
    const first = sample.slice(0, 250);
    const second = sample.slice(250);
    feed.observe(first, 0, null);
    feed.observe(second, 0, null);
    feed.flushSecond();
    await delivered(before);
    for (const r of replicas) r.closeSecond();

    const expectedStatus = inProcess(sample, byStatus, 10);
    const expectedTls = inProcess(sample, byTls, 5);
    const expectedCountry = inProcess(sample, byCountry, 5);
    expect(expectedStatus.seconds[0]!.sampledRequests).toBeGreaterThan(10);
    expect(expectedTls.seconds[0]!.sampledRequests).toBeGreaterThan(5);
    const strip = (c: SecondCounters | undefined) => ({ ...c!, t: 0 });
    for (const [seen, expected] of [
      [subs[0]!, expectedStatus],
      [subs[1]!, expectedStatus],
      [subs[2]!, expectedTls],
      [subs[3]!, expectedCountry],
    ] as const) {
      expect(strip(seen.seconds.at(-1))).toEqual(strip(expected.seconds[0]));
      expect(seen.records).toEqual(expected.records);
    }
    expect(subs[0]!.records.every((r) => r.status === status)).toBe(true);

    // The subscribers leave: their replicas withdraw the filters and the processor stops applying them.
    for (const s of subs) s.subscription.close();
    await waitFor('the processor to drop the withdrawn filters', () => (subscriptions.active().length === 0 ? true : undefined), 30_000);
  });

  it('skips and counts malformed announcements', async () => {
    const before = subscriptions.stats().malformed;
    const junk = [Buffer.from('not json'), Buffer.from(JSON.stringify({ v: 1, kind: 'filters', replica: 'x', ttlMs: 5_000, filters: [{ filters: { distributions: [], status: ['DROP TABLE'] }, recordsPerSecond: 1 }] }))];
    await raw.send(filtersTopic, junk.map((value) => ({ key: 'junk', value, headers: {} })));
    await waitFor('the malformed announcements to be counted', () => (subscriptions.stats().malformed - before === junk.length ? true : undefined), 30_000);
    expect(subscriptions.active()).toEqual([]);
  });
});
