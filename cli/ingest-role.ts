/**
 * `edgewatch ingest` in scale-out mode: Kinesis → Kafka. The Kinesis source cuts each shard into
 * ranges, records a range before handing it on, publishes it as one Kafka message (keyed by shard,
 * idempotent producer, acks=all) and moves the shard's checkpoint only after Kafka acknowledged it.
 * Locally it also runs the embedded Kinesis and the edge simulator, as `edgewatch start` does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { healthStatus, type HealthReport } from '../api/health.js';
import type { CheckpointStore } from '../ingest/checkpoints/checkpoint-store.js';
import { FileCheckpointStore } from '../ingest/checkpoints/file-checkpoint-store.js';
import type { KafkaPublisher } from '../ingest/kafka/kafka-client.js';
import { createKafkajsClient } from '../ingest/kafka/kafkajs-client.js';
import { KafkaRangePublisher, rangeLimitsFor } from '../ingest/kafka/range-publisher.js';
import { ensureTopic } from '../ingest/kafka/topics.js';
import { createKinesisClient } from '../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../ingest/kinesis/kinesis-source.js';
import { startLocalKinesis, type LocalKinesis } from '../ingest/kinesis/local-kinesis.js';
import { LogConfigRegistry } from '../processor/registry/log-config-registry.js';
import type { Config } from './config.js';
import { createEdgeSimulator } from './edge-simulator.js';
import { buildHealthServer } from './health-server.js';
import type { Logger } from './logger.js';
import { requireKafkaBrokers } from './scale-out-config.js';
import { ensureStreamLogConfig } from './stream-log-config.js';

export interface RunningIngest {
  readonly source: KinesisSource;
  readonly publisher: KafkaRangePublisher;
  readonly localKinesisEndpoint: string | null;
  /** Base URL of the health endpoint. */
  readonly url: string;
  health(): HealthReport;
  /** Stops reading, publishes and checkpoints the ranges under way, then closes the clients. */
  stop(): Promise<void>;
}

export interface IngestHooks {
  /** Wraps the checkpoint store (fault-injection tests kill the process between publish and checkpoint). */
  readonly wrapCheckpoints?: (store: CheckpointStore) => CheckpointStore;
}

export async function startIngestRole(config: Config, logger: Logger, hooks: IngestHooks = {}): Promise<RunningIngest> {
  const started = Date.now();
  const brokers = requireKafkaBrokers(config, 'edgewatch ingest');
  const log = (component: string) => logger.child({ component });
  fs.mkdirSync(config.dataDir, { recursive: true });

  const kafka = createKafkajsClient({ brokers, clientId: `${config.kafka.clientId}-ingest`, logger });
  const admin = await kafka.admin();
  try {
    await ensureTopic(admin, { ...config.kafka, topic: config.kafka.topic }, logger);
  } finally {
    await admin.close();
  }

  const logConfigs = new LogConfigRegistry(config.dataDir);
  let localKinesis: LocalKinesis | null = null;
  if (config.kinesis.local) {
    localKinesis = await startLocalKinesis({
      path: path.join(config.dataDir, 'kinesis'),
      port: config.kinesis.localPort,
      streamName: config.kinesis.streamName,
      shardCount: config.kinesis.localShardCount,
    });
    log('local-kinesis').info({ endpoint: localKinesis.endpoint, stream: localKinesis.streamName }, 'local Kinesis ready');
  }
  const kinesis = createKinesisClient({ region: config.kinesis.region, endpoint: localKinesis?.endpoint ?? config.kinesis.endpoint });

  const publisherClient: KafkaPublisher = kafka.publisher({ compression: config.kafka.compression });
  const publisher = new KafkaRangePublisher(publisherClient, config.kafka.topic, config.kafka.maxMessageBytes);
  // Every range must fit one Kafka message.
  const limits = rangeLimitsFor(config.kafka.maxMessageBytes, { maxBatchRecords: config.batch.maxRecords, maxBatchBytes: config.batch.maxBytes });
  const source = new KinesisSource({
    client: kinesis,
    streamName: config.kinesis.streamName,
    checkpoints: (hooks.wrapCheckpoints ?? ((store: CheckpointStore) => store))(new FileCheckpointStore(path.join(config.dataDir, 'checkpoints'))),
    handler: publisher.handle,
    initialPosition: config.kinesis.initialPosition,
    maxBatchRecords: limits.maxBatchRecords,
    maxBatchBytes: limits.maxBatchBytes,
    maxBatchAgeMs: config.batch.maxAgeMs,
    pollIntervalMs: config.kinesis.pollIntervalMs,
    stopDeadlineMs: config.shutdownDeadlineMs,
    logger,
  });

  // The simulator writes the stream's layout, which the processors read from the log config.
  const simulator = config.simulator.enabled
    ? createEdgeSimulator(config, kinesis, ensureStreamLogConfig(config, logConfigs), started, logger)
    : null;

  let stopping = false;
  const health = (): HealthReport => {
    const stats = publisher.stats();
    const shards = source.status();
    const uptimeS = Math.round((Date.now() - started) / 1000);
    return {
      status: healthStatus({ stopping, uptimeS, shardCount: shards.length, lastInsertAtMs: stats.lastPublishedAtMs, lastInsertErrorAtMs: null }),
      uptimeS,
      recordsIngested: stats.records,
      deadLetters: 0,
      lastInsertAt: stats.lastPublishedAtMs === null ? null : new Date(stats.lastPublishedAtMs).toISOString(),
      insertErrors: 0,
      unknownValues: {},
      shards: shards.map((s) => ({ shardId: s.shardId, millisBehindLatest: s.millisBehindLatest, lastSequence: s.lastSequence, recordsRead: s.recordsRead, finished: s.finished })),
    };
  };
  const app: FastifyInstance = buildHealthServer(health);

  await source.start();
  await simulator?.start();
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  log('ingest').info({ brokers, topic: config.kafka.topic, stream: config.kinesis.streamName, url, ...limits }, 'ingest publishes Kinesis ranges to Kafka');

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await simulator?.stop();
    // The source publishes and checkpoints what it has read before it resolves.
    await source.stop();
    await publisherClient.close();
    await app.close();
    await localKinesis?.close();
    kinesis.destroy();
  };

  return { source, publisher, localKinesisEndpoint: localKinesis?.endpoint ?? null, url, health, stop };
}
