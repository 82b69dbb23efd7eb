/**
 * The Kafka side of `edgewatch ingest`: each range is published as one message (keyed by shard,
 * idempotent producer, acks=all), so the source checkpoints it only once Kafka has it.
 */
import type { KafkaPublisher } from '../ingest/kafka/kafka-client.js';
import { createKafkajsClient } from '../ingest/kafka/kafkajs-client.js';
import { KafkaRangePublisher, rangeLimitsFor } from '../ingest/kafka/range-publisher.js';
import { ensureTopic } from '../ingest/kafka/topics.js';
import type { Config } from './config.js';
import type { IngestSink } from './ingest-sink.js';
import type { Logger } from './logger.js';

export async function startKafkaIngestSink(config: Config, brokers: readonly string[], logger: Logger): Promise<IngestSink> {
  const kafka = createKafkajsClient({ brokers, clientId: `${config.kafka.clientId}-ingest`, logger });
  const admin = await kafka.admin();
  try {
    await ensureTopic(admin, { ...config.kafka, topic: config.kafka.topic }, logger);
  } finally {
    await admin.close();
  }
  const publisherClient: KafkaPublisher = kafka.publisher({ compression: config.kafka.compression });
  const publisher = new KafkaRangePublisher(publisherClient, config.kafka.topic, config.kafka.maxMessageBytes);
  return {
    description: `Kafka topic ${config.kafka.topic}`,
    handler: publisher.handle,
    // Every range must fit one Kafka message.
    limits: rangeLimitsFor(config.kafka.maxMessageBytes, { maxBatchRecords: config.batch.maxRecords, maxBatchBytes: config.batch.maxBytes }),
    stats: () => {
      const stats = publisher.stats();
      return { records: stats.records, deadLetters: 0, lastWriteAtMs: stats.lastPublishedAtMs, lastErrorAtMs: null, writeErrors: 0, unknownValues: {} };
    },
    stop: () => publisherClient.close(),
  };
}
