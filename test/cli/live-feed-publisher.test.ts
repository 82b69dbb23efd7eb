/**
 * The live feed publisher never holds processing up: a message Kafka does not take is dropped and
 * counted, and `observe` neither throws nor waits; messages round-trip through the versioned format.
 * Runs on the real Kafka client with a publisher that is closed (its sends fail at once).
 */
import { describe, expect, it } from 'vitest';
import { decodeLiveFeedMessage, encodeLiveFeedMessage, type LiveSecondMessage } from '../../cli/live-feed-message.js';
import { LiveFeedPublisher } from '../../cli/live-feed-publisher.js';
import { createKafkajsClient } from '../../ingest/kafka/kafkajs-client.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { pino } from 'pino';
import { TestClock } from '../api/live-kit.js';

const START_MS = 1_700_000_000_000;
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const quiet = pino({ level: 'silent' });
const processor = new BatchProcessor({ sink: { write: () => Promise.resolve() }, formatOf: () => ({ layout, samplingRate: 100 }), resolveDistribution: () => '', sourceKind: 'kinesis' });
const generator = createTrafficGenerator({ seed: 3, distributions: DEMO_DISTRIBUTIONS, layout, startMs: START_MS });

function rows(count: number) {
  const records = generator.linesAt(START_MS, count, 1_000).map((line, i) => ({ data: Buffer.from(line), sequenceNumber: String(i + 1), arrivalMs: START_MS }));
  return processor.process({ stream: 's', shardId: 'shard-0', firstSequence: '1', lastSequence: String(count), records }).rows;
}

describe('live feed publisher', () => {
  it('drops and counts what Kafka does not take, without throwing or waiting', async () => {
    // Nothing listens on port 1: the closed publisher refuses at once without dialling.
    const publisher = createKafkajsClient({ brokers: ['127.0.0.1:1'], clientId: 'edgewatch-test', logger: quiet }).publisher();
    await publisher.close();
    const clock = new TestClock(START_MS);
    const feed = new LiveFeedPublisher({ publisher, topic: 'edgewatch-live', processorId: 'p', sourceKind: 'kinesis', maxCells: 100, recordsPerSecond: 10, logger: quiet, now: clock.now });
    feed.observe(rows(40), 0, null);
    feed.observe(rows(40), 0, null);
    feed.flushSecond();
    await feed.stop(1_000);
    const stats = feed.stats();
    // A records message (the first batch spends the sample budget of 10) and the second's cells, both refused.
    expect(stats.messagesSent).toBe(0);
    expect(stats.sendErrors).toBeGreaterThanOrEqual(2);
    expect(stats.messagesDropped).toBe(stats.sendErrors);
  });

  it('round-trips its messages through the versioned format', () => {
    const message: LiveSecondMessage = {
      v: 1,
      kind: 'second',
      processor: 'p',
      t: START_MS,
      cells: [{ key: null, samplingRate: 50, counts: { n: 2, bytes: 10, bytesSq: 50, ratioN: 2, ratioBytes: 10, hits: 1, hitBytes: 5, misses: 1, cacheable: 2, cacheableHits: 1, status4xx: 0, status5xx: 0, geoBlocked: 0 } }],
      overflowRecords: 2,
      loss: { dropped: 1, stale: 0, invalid: 4 },
    };
    expect(decodeLiveFeedMessage(encodeLiveFeedMessage(message))).toEqual({ ok: true, message });
    expect(decodeLiveFeedMessage(Buffer.from('{"v":2}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/version/) as unknown });
    expect(decodeLiveFeedMessage(null)).toMatchObject({ ok: false });
  });
});
