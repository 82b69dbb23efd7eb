/**
 * `edgewatch ingest`: one Kinesis reader of a deployment. The Kinesis source cuts each shard into
 * ranges, records a range before handing it on and checkpoints it once it is durable downstream:
 * published to Kafka (EDGEWATCH_KAFKA_BROKERS; `edgewatch process` stores it) or, without Kafka,
 * parsed and stored in ClickHouse in this process. With EDGEWATCH_LEASE_TABLE several workers share
 * the shards through DynamoDB leases; without it this worker owns every shard (checkpoints in the data
 * dir). Locally it also runs the embedded Kinesis and the edge simulator, as `edgewatch start` does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { healthStatus, type HealthReport, type ShardHealth } from '../api/health.js';
import type { CheckpointStore } from '../ingest/checkpoints/checkpoint-store.js';
import { FileCheckpointStore } from '../ingest/checkpoints/file-checkpoint-store.js';
import { kinesisShardHealth } from './kinesis-read-setup.js';
import { connectKinesis } from './kinesis-from-config.js';
import { KinesisSource } from '../ingest/kinesis/kinesis-source.js';
import { FileLogConfigRegistry } from '../processor/registry/log-config-registry.js';
import type { Config } from './config.js';
import { createEdgeSimulator } from './edge-simulator.js';
import { buildHealthServer } from './health-server.js';
import { startKafkaIngestSink } from './ingest-kafka-sink.js';
import { startShardLeases, type ShardLeases } from './ingest-leases.js';
import type { IngestSink } from './ingest-sink.js';
import { startStoreIngestSink } from './ingest-store-sink.js';
import type { Logger } from './logger.js';
import { ScaleOutConfigError } from './scale-out-config.js';
import { ensureStreamLogConfig } from './stream-log-config.js';

/** A shard in /healthz of `edgewatch ingest`: with leases, which worker holds it. */
export interface IngestShardHealth extends ShardHealth {
  /** Worker holding the shard's lease (null: free or finished); this worker's id without leases. */
  readonly leaseOwner: string | null;
}

export interface IngestHealthReport extends HealthReport {
  readonly workerId: string;
  readonly shards: readonly IngestShardHealth[];
}

export interface RunningIngest {
  readonly source: KinesisSource;
  readonly sink: IngestSink;
  /** Null without EDGEWATCH_LEASE_TABLE. */
  readonly leases: ShardLeases | null;
  readonly localKinesisEndpoint: string | null;
  /** Base URL of the health endpoint. */
  readonly url: string;
  health(): IngestHealthReport;
  /** Stops reading, writes and checkpoints the ranges under way, releases the leases, then closes the clients. */
  stop(): Promise<void>;
}

export interface IngestHooks {
  /** Wraps the checkpoint store (fault-injection tests kill the process between publish and checkpoint). */
  readonly wrapCheckpoints?: (store: CheckpointStore) => CheckpointStore;
}

export async function startIngestRole(config: Config, logger: Logger, hooks: IngestHooks = {}): Promise<RunningIngest> {
  const started = Date.now();
  const log = (component: string) => logger.child({ component });
  const brokers = config.kafka.brokers;
  if (brokers === undefined && config.leases.table !== undefined && config.clickhouse.url === undefined) {
    throw new ScaleOutConfigError(
      'ingest workers sharing shard leases (EDGEWATCH_LEASE_TABLE) store into one ClickHouse server: set EDGEWATCH_CLICKHOUSE_URL, ' +
        'or EDGEWATCH_KAFKA_BROKERS to hand the ranges to `edgewatch process`. Embedded ClickHouse keeps its data to one process.',
    );
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const sink = brokers === undefined ? await startStoreIngestSink(config, logger) : await startKafkaIngestSink(config, brokers, logger);

  // Only the simulator reads it (the layout it writes): the file under the data dir, as the processors' EDGEWATCH_LOG_FIELDS.
  const logConfigs = new FileLogConfigRegistry(config.dataDir);
  const { local: localKinesis, client: kinesis, reading } = await connectKinesis(config, logger);

  const leases = await startShardLeases(config, logger);
  const wrap = hooks.wrapCheckpoints ?? ((store: CheckpointStore) => store);
  const source = new KinesisSource({
    client: kinesis,
    streamName: config.kinesis.streamName,
    checkpoints: leases?.coordinator.checkpoints ?? wrap(new FileCheckpointStore(path.join(config.dataDir, 'checkpoints'))),
    ...(leases === null ? {} : { ownership: leases.coordinator }),
    handler: sink.handler,
    initialPosition: config.kinesis.initialPosition,
    maxBatchRecords: sink.limits.maxBatchRecords,
    maxBatchBytes: sink.limits.maxBatchBytes,
    maxBatchAgeMs: config.batch.maxAgeMs,
    pollIntervalMs: config.kinesis.pollIntervalMs,
    stopDeadlineMs: config.shutdownDeadlineMs,
    logger,
    readBytesPerSecond: reading.readBytesPerSecond,
    fetchers: reading.fetchers,
  });

  // The simulator writes the stream's layout, which the processors read from the log config.
  const simulator = config.simulator.enabled
    ? createEdgeSimulator(config, kinesis, await ensureStreamLogConfig(config, logConfigs), started, logger)
    : null;

  const workerId = leases?.coordinator.workerId ?? config.leases.workerId;
  let stopping = false;
  const health = (): IngestHealthReport => {
    const stats = sink.stats();
    const shards = source.status();
    const owners = leases?.coordinator.owners();
    const uptimeS = Math.round((Date.now() - started) / 1000);
    return {
      status: healthStatus({ stopping, uptimeS, shardCount: shards.length, lastInsertAtMs: stats.lastWriteAtMs, lastInsertErrorAtMs: stats.lastErrorAtMs }),
      uptimeS,
      workerId,
      recordsIngested: stats.records,
      deadLetters: stats.deadLetters,
      lastInsertAt: stats.lastWriteAtMs === null ? null : new Date(stats.lastWriteAtMs).toISOString(),
      insertErrors: stats.writeErrors,
      unknownValues: stats.unknownValues,
      shards: shards.map((s) => ({
        ...kinesisShardHealth(config.kinesis.streamName, s),
        leaseOwner: owners === undefined ? workerId : (owners.get(s.shardId) ?? null),
      })),
    };
  };
  const app: FastifyInstance = buildHealthServer(health);

  await source.start();
  await simulator?.start();
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  log('ingest').info(
    { to: sink.description, stream: config.kinesis.streamName, url, workerId, leaseTable: config.leases.table ?? null, ...sink.limits },
    leases === null ? 'ingest reads every shard of the stream' : 'ingest reads the shards whose leases it holds',
  );
  if (brokers !== undefined) log('ingest').info({ brokers, topic: config.kafka.topic }, 'ingest publishes Kinesis ranges to Kafka');

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await simulator?.stop();
    // The source writes and checkpoints what it has read before it resolves; only then are the leases released.
    await source.stop();
    reading.close();
    await leases?.stop();
    await sink.stop();
    await app.close();
    await localKinesis?.close();
    kinesis.destroy();
  };

  return { source, sink, leases, localKinesisEndpoint: localKinesis?.endpoint ?? null, url, health, stop };
}
