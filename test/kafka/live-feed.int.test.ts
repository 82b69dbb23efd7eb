/**
 * The live feed on a real broker: a processor's LiveFeedPublisher fed stored batches, and two serve
 * replicas (LiveFeedConsumer → LiveHub each). Both replicas see every message: the same per-second
 * counters (equal to what the in-process hub counts for the same records) and the same sampled
 * records; a filtered subscription gets only the matching cells and records; malformed messages are
 * counted and skipped.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SecondCounters } from '../../api/live/live-counters.js';
import { toLiveEntry } from '../../api/live/live-entry.js';
import type { LiveFilters } from '../../api/live/live-filter.js';
import { LiveHub } from '../../api/live/live-hub.js';
import type { LiveRecord } from '../../api/live/live-record.js';
import { loadConfig } from '../../cli/config.js';
import { LiveFeedConsumer } from '../../cli/live-feed-consumer.js';
import { encodeLiveFeedMessage } from '../../cli/live-feed-message.js';
import { LiveFeedPublisher } from '../../cli/live-feed-publisher.js';
import { ensureLiveFeedTopic, LIVE_FEED_MAX_MESSAGE_BYTES } from '../../cli/live-feed-topic.js';
import type { KafkaClient, KafkaPublisher } from '../../ingest/kafka/kafka-client.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import type { RequestRow } from '../../processor/storage/row-encoder.js';
import { TestClock } from '../api/live-kit.js';
import { brokers, describeKafka, quietLogger, testKafkaClient, uniqueName, waitFor } from './kafka-test-kit.js';

const START_MS = Date.now();
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const resolveDistribution = (domain: string | null): string => (domain === null ? '' : (domains.get(domain) ?? ''));
const generator = createTrafficGenerator({ seed: 31, distributions: DEMO_DISTRIBUTIONS, layout, startMs: START_MS });
// The processor's own parse and enrich; its sink is never called (`process` does not write).
const processor = new BatchProcessor({ sink: { write: () => Promise.resolve() }, formatOf: () => ({ layout, samplingRate: 100 }), resolveDistribution, sourceKind: 'kinesis' });
let sequence = 0;

function storedRows(count: number): RequestRow[] {
  const records = generator.linesAt(START_MS, count, 1_000).map((line) => ({ data: Buffer.from(line), sequenceNumber: String(++sequence), arrivalMs: Date.now() }));
  return processor.process({ stream: 'edgewatch-local', shardId: 'shardId-000000000000', firstSequence: records[0]!.sequenceNumber, lastSequence: records.at(-1)!.sequenceNumber, records }).rows;
}

/** What the in-process hub of `npm start` counts for the same records. */
function inProcess(rows: readonly RequestRow[], filters: LiveFilters, invalid: number): SecondCounters {
  const clock = new TestClock(START_MS);
  const hub = new LiveHub({ now: clock.now });
  const seconds: SecondCounters[] = [];
  hub.subscribe({ filters, onSecond: (c) => seconds.push(c) });
  hub.publish(rows.map((row) => toLiveEntry(row.enriched, 'kinesis')));
  hub.noteLoss({ invalid });
  clock.advance(1_000);
  hub.tick();
  return seconds[0]!;
}

interface Subscriber {
  readonly seconds: SecondCounters[];
  readonly records: LiveRecord[];
}

/** One serve replica: its hub on a hand-driven clock, fed by its own consumer. */
class Replica {
  readonly clock = new TestClock(START_MS);
  readonly hub = new LiveHub({ now: this.clock.now, feed: 'cells' });
  readonly consumer: LiveFeedConsumer;

  constructor(client: KafkaClient, topic: string) {
    this.consumer = new LiveFeedConsumer({ client, topic, hub: this.hub, groupPrefix: 'edgewatch-test-serve', maxMessageBytes: LIVE_FEED_MAX_MESSAGE_BYTES, sessionTimeoutMs: 6_000, logger: quietLogger });
  }

  subscribe(filters: LiveFilters): Subscriber {
    const sub: Subscriber = { seconds: [], records: [] };
    this.hub.subscribe({ filters, recordsPerSecond: 1_000, onSecond: (c) => sub.seconds.push(c), onRecord: (r) => sub.records.push(r) });
    return sub;
  }

  closeSecond(): void {
    this.clock.advance(1_000);
    this.hub.tick();
  }
}

/** Equal, except Σ w(w−1)·bytes² (0 here: every record at 100 %). */
function expectSameCounters(actual: SecondCounters | undefined, expected: SecondCounters): void {
  expect(actual).toBeDefined();
  expect({ ...actual!, t: 0, recordsSent: 0, recordsOverRate: 0 }).toEqual({ ...expected, t: 0, recordsSent: 0, recordsOverRate: 0 });
}

describeKafka('live feed over Kafka', () => {
  const topic = uniqueName('live_feed');
  const kafka = () => loadConfig({ EDGEWATCH_KAFKA_BROKERS: brokers(), EDGEWATCH_KAFKA_LIVE_TOPIC: topic, EDGEWATCH_DATA_DIR: '/tmp/edgewatch-live-feed-test' }).kafka;
  const clients: KafkaClient[] = [];
  let raw: KafkaPublisher;
  let feedPublisher: KafkaPublisher;
  let feed: LiveFeedPublisher;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    const client = testKafkaClient('edgewatch-test-live');
    clients.push(client);
    await ensureLiveFeedTopic(client, kafka(), quietLogger);
    raw = client.publisher();
    feedPublisher = client.publisher();
    const publisherClock = new TestClock(START_MS);
    feed = new LiveFeedPublisher({ publisher: feedPublisher, topic, processorId: 'processor-1', sourceKind: 'kinesis', maxCells: 2_000, recordsPerSecond: 50, logger: quietLogger, now: publisherClock.now });
    for (const name of ['a', 'b']) {
      const replicaClient = testKafkaClient(`edgewatch-test-serve-${name}`);
      clients.push(replicaClient);
      const replica = new Replica(replicaClient, topic);
      replicas.push(replica);
      await replica.consumer.start();
    }
    await Promise.all(replicas.map((r) => r.consumer.joined));
    // Each replica starts at the end of the topic once its fetch position is set: send empty seconds until both read one.
    await waitFor('both replicas reading the topic', async () => {
      await raw.send(topic, [{ key: 'warm-up', value: encodeLiveFeedMessage({ v: 1, kind: 'second', processor: 'warm-up', t: START_MS, cells: [], overflowRecords: 0, loss: { dropped: 0, stale: 0, invalid: 0 } }), headers: {} }]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return replicas.every((r) => r.consumer.stats().seconds > 0) ? true : undefined;
    });
    // Warm-up seconds still in flight would not change counters (no cells, no loss), only message counts.
    for (const r of replicas) r.closeSecond();
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.consumer.stop().catch(() => undefined);
      r.hub.stop();
    }
    await feed?.stop(1_000);
    await feedPublisher?.close();
    await raw?.close();
  });

  /** Until both replicas have read everything the feed publisher has sent. */
  async function delivered(before: readonly number[]): Promise<void> {
    await waitFor('the feed publisher to send', () => (feed.stats().queuedMessages === 0 ? true : undefined));
    const sent = feed.stats().messagesSent;
    await waitFor('both replicas to read every feed message', () => (replicas.every((r, i) => r.consumer.stats().messages - before[i]! >= sent - sentBefore) ? true : undefined));
    sentBefore = sent;
  }
  let sentBefore = 0;

  it('both replicas get the same counters as the in-process hub, and the same sampled records; filters select matching cells', async () => {
    const all: LiveFilters = { distributions: [] };
    const us: LiveFilters = { distributions: [], country: ['US'] };
    const oneDistribution: LiveFilters = { distributions: [DEMO_DISTRIBUTIONS[0]!.id], statusClass: ['2xx'] };
    const subs = replicas.map((r) => ({ all: r.subscribe(all), us: r.subscribe(us), one: r.subscribe(oneDistribution) }));
    const before = replicas.map((r) => r.consumer.stats().messages);
    const first = storedRows(300);
    const second = storedRows(200);
    feed.observe(first, 0, null);
    feed.observe(second, 2, null);
    feed.flushSecond();
    await delivered(before);
    for (const r of replicas) r.closeSecond();

    const rows = [...first, ...second];
    for (const sub of subs) {
      expectSameCounters(sub.all.seconds[0], inProcess(rows, all, 2));
      expectSameCounters(sub.us.seconds[0], inProcess(rows, us, 2));
      expectSameCounters(sub.one.seconds[0], inProcess(rows, oneDistribution, 2));
      expect(sub.all.seconds[0]!.sampledRequests).toBe(500);
      expect(sub.all.seconds[0]!.invalid).toBe(2);
    }
    const [a, b] = subs;
    expect(a!.all.seconds).toEqual(b!.all.seconds);
    // At most 50 sampled records a second from the processor; both replicas hand out the same ones.
    expect(a!.all.records).toHaveLength(50);
    expect(a!.all.records).toEqual(b!.all.records);
    expect(a!.us.records.length).toBeGreaterThan(0);
    expect(a!.us.records.every((r) => r.country === 'US')).toBe(true);
    expect(a!.us.records).toEqual(a!.all.records.filter((r) => r.country === 'US'));
    expect(a!.one.records).toEqual(a!.all.records.filter((r) => r.distribution === DEMO_DISTRIBUTIONS[0]!.id && r.status !== null && r.status >= 200 && r.status < 300));
    expect(a!.us.seconds[0]!.requests).toBeLessThan(a!.all.seconds[0]!.requests);
  });

  it('skips and counts malformed messages, and goes on', async () => {
    const malformedBefore = replicas.map((r) => r.consumer.stats().malformed);
    const junk = [
      Buffer.from('not json at all'),
      Buffer.from(JSON.stringify({ v: 99, kind: 'second' })),
      Buffer.from(JSON.stringify({ v: 1, kind: 'second', processor: 'x', t: 1, cells: [[null, 100, [1, 2]]], overflowRecords: 0, loss: { dropped: 0, stale: 0, invalid: 0 } })),
      Buffer.from(JSON.stringify({ v: 1, kind: 'records', processor: 'x', records: [[['E1'], { timestamp: 'x' }]] })),
    ];
    await raw.send(topic, junk.map((value) => ({ key: 'junk', value, headers: {} })));
    await waitFor('both replicas to count the malformed messages', () => (replicas.every((r, i) => r.consumer.stats().malformed - malformedBefore[i]! === junk.length) ? true : undefined));

    const subs = replicas.map((r) => r.subscribe({ distributions: [] }));
    const before = replicas.map((r) => r.consumer.stats().messages);
    const rows = storedRows(120);
    feed.observe(rows, 0, null);
    feed.flushSecond();
    await delivered(before);
    for (const r of replicas) r.closeSecond();
    for (const sub of subs) expectSameCounters(sub.seconds[0], inProcess(rows, { distributions: [] }, 0));
  });

  it('counts a backlog as stale instead of live, and dead letters as invalid', async () => {
    const subs = replicas.map((r) => r.subscribe({ distributions: [] }));
    const before = replicas.map((r) => r.consumer.stats().messages);
    // Records that reached the stream two minutes before they were stored are not live.
    feed.observe(storedRows(80), 3, Date.now() - 120_000);
    feed.flushSecond();
    await delivered(before);
    for (const r of replicas) r.closeSecond();
    for (const sub of subs) {
      expect(sub.seconds[0]).toMatchObject({ sampledRequests: 0, stale: 80, invalid: 3, dropped: 0 });
      expect(sub.records).toEqual([]);
    }
  });
});
