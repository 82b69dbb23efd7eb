/**
 * The live feed topic and the live filters topic (pushed filters, serve → processors), created when
 * missing (by processors and by `serve` replicas, whichever starts first): one partition (a few hundred KB a second even with many processors, and one order for all
 * of them), kept ten minutes (nothing reads it later than live), messages up to LIVE_FEED_MAX_MESSAGE_BYTES.
 */
import type { KafkaClient } from '../ingest/kafka/kafka-client.js';
import { topicSpec } from '../ingest/kafka/topics.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** Largest live feed message: 500 cells or 50 sampled records stay far below it. */
export const LIVE_FEED_MAX_MESSAGE_BYTES = 1024 * 1024;
const RETENTION_MS = 10 * 60_000;

export async function ensureLiveFeedTopic(client: KafkaClient, kafka: Config['kafka'], logger: Logger): Promise<void> {
  const admin = await client.admin();
  try {
    for (const topic of [kafka.liveTopic, kafka.liveFiltersTopic]) {
      const spec = topicSpec({ topic, partitions: 1, replicationFactor: kafka.replicationFactor, maxMessageBytes: LIVE_FEED_MAX_MESSAGE_BYTES });
      const outcome = await admin.ensureTopic({ ...spec, config: { ...spec.config, 'retention.ms': String(RETENTION_MS) } });
      logger.info({ component: 'live-feed', topic, outcome }, outcome === 'created' ? 'live feed topic created' : 'live feed topic exists');
    }
  } finally {
    await admin.close();
  }
}
