/**
 * The topics of scale-out mode, created when missing: the raw topic (ranges from ingest, or lines
 * from elsewhere) and the dead-letter topic. Existing topics are left as they are.
 */
import type { SourceLogger } from '../kinesis/source-logger.js';
import type { KafkaAdmin, TopicSpec } from './kafka-client.js';

export interface TopicSettings {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor?: number | undefined;
  /** A message may be this large (a whole range); set as the topic's `max.message.bytes`. */
  readonly maxMessageBytes: number;
}

export function topicSpec(settings: TopicSettings): TopicSpec {
  return {
    topic: settings.topic,
    partitions: settings.partitions,
    ...(settings.replicationFactor !== undefined ? { replicationFactor: settings.replicationFactor } : {}),
    config: { 'max.message.bytes': String(settings.maxMessageBytes) },
  };
}

export async function ensureTopic(admin: KafkaAdmin, settings: TopicSettings, logger: SourceLogger): Promise<void> {
  const outcome = await admin.ensureTopic(topicSpec(settings));
  const partitions = await admin.partitionCount(settings.topic);
  const fields = { component: 'kafka-topics', topic: settings.topic, partitions };
  if (outcome === 'created') logger.info(fields, 'Kafka topic created');
  else if (partitions !== settings.partitions) logger.info({ ...fields, configured: settings.partitions }, 'Kafka topic exists with another partition count; keeping it');
  else logger.debug(fields, 'Kafka topic exists');
}
