/**
 * `edgewatch process` in scale-out mode: Kafka → ClickHouse, as one member of a consumer group.
 * Each batch (a range message, or a cut of a raw-lines topic) is parsed, enriched and inserted with
 * the deduplication token of its source range; its dead letters go to ClickHouse and to the DLQ
 * topic; only then is its offset committed. While ClickHouse refuses inserts, consumption pauses
 * and nothing is committed; it resumes once inserts succeed again. Stored batches also feed the live
 * feed topic (per-second counter cells and sampled records) that every `serve` replica reads.
 */
import type { FastifyInstance } from 'fastify';
import { healthStatus, type HealthReport } from '../api/health.js';
import { DeadLetterCapture, DeadLetterTopic } from '../ingest/kafka/dead-letter-topic.js';
import type { ConsumedMessage, KafkaPublisher } from '../ingest/kafka/kafka-client.js';
import { createKafkajsClient } from '../ingest/kafka/kafkajs-client.js';
import { KafkaSource } from '../ingest/kafka/kafka-source.js';
import { ensureTopic } from '../ingest/kafka/topics.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import type { RawBatch } from '../processor/batch.js';
import { BatchProcessor, type LogFormat } from '../processor/batch-processor.js';
import { preloadGeoDatabase } from '../processor/enrich/geoip.js';
import { layoutFromList } from '../processor/fields/layout.js';
import { logFormatOf } from '../processor/registry/log-config-registry.js';
import { openRegistries, refreshRegistriesEvery } from '../processor/registry/open-registries.js';
import { batchToken } from '../processor/storage/batch-token.js';
import type { ClickHouseWriter } from '../processor/storage/clickhouse-writer.js';
import type { ClickHouse } from '../processor/storage/clickhouse.js';
import type { StoredDeadLetter } from '../processor/storage/row-encoder.js';
import type { Config } from './config.js';
import { buildHealthServer } from './health-server.js';
import type { Logger } from './logger.js';
import { requireClickHouseServer, requireKafkaBrokers, ScaleOutConfigError } from './scale-out-config.js';
import { migrateSharedSchema } from './shared-schema.js';
import { ensureStreamLogConfig } from './stream-log-config.js';
import { LiveFeedPublisher } from './live-feed-publisher.js';
import { ensureLiveFeedTopic, LIVE_FEED_MAX_MESSAGE_BYTES } from './live-feed-topic.js';
import { LiveFilterSubscriptions } from './live-filter-subscriptions.js';
import { clickHouseFromConfig, writerFromConfig } from './clickhouse-from-config.js';
import { settleWithin } from './settle-within.js';

export interface RunningProcessor {
  readonly clickhouse: ClickHouse;
  readonly processor: BatchProcessor;
  readonly writer: ClickHouseWriter;
  readonly source: KafkaSource;
  readonly deadLetterTopic: DeadLetterTopic;
  /** Publishes per-second counter cells and sampled records to the live feed topic. */
  readonly liveFeed: LiveFeedPublisher;
  /** Base URL of the health endpoint. */
  readonly url: string;
  health(): HealthReport;
  /** True while consumption is paused because ClickHouse refuses inserts. */
  storagePaused(): boolean;
  /** Resolves with the error when the Kafka consumer fails for good. */
  readonly failed: Promise<Error>;
  /** Finishes and commits the batches under way (until the shutdown deadline), leaves the group, closes clients. */
  stop(): Promise<void>;
}

/** How often the writer's state is checked to pause or resume consumption. */
const STORAGE_CHECK_MS = 500;
const REGISTRY_REFRESH_MS = 5_000;
/** Each close after the drain gets this long. */
const CLOSE_STEP_DEADLINE_MS = 10_000;

export async function startProcessRole(config: Config, logger: Logger): Promise<RunningProcessor> {
  const started = Date.now();
  const brokers = requireKafkaBrokers(config, 'edgewatch process');
  const clickhouseUrl = requireClickHouseServer(
    config,
    'edgewatch process writes to a ClickHouse server that every processor shares: set EDGEWATCH_CLICKHOUSE_URL. ' +
      'Embedded ClickHouse keeps its data directory to one process, so it cannot serve several processors.',
  );
  const { kafka } = config;
  const lines = kafka.topicFormat === 'lines';
  if (lines && config.logConfig.fields === undefined) {
    throw new ScaleOutConfigError(
      `topic ${kafka.topic} holds raw log lines (EDGEWATCH_KAFKA_TOPIC_FORMAT=lines): set EDGEWATCH_LOG_FIELDS to the real-time log ` +
        `config's fields and EDGEWATCH_LOG_SAMPLING_RATE to its sampling rate`,
    );
  }
  const log = (component: string) => logger.child({ component });
  preloadGeoDatabase();

  const clickhouse = clickHouseFromConfig(config, clickhouseUrl);
  const migrations = await migrateSharedSchema(clickhouse, config.clickhouse, log('storage'));
  log('storage').info({ mode: clickhouse.mode, database: clickhouse.database, ...migrations }, 'ClickHouse ready');

  const registries = await openRegistries(config.dataDir, clickhouse);
  const { distributions, logConfigs } = registries;
  if (config.kinesis.local) {
    await distributions.addMissing(DEMO_DISTRIBUTIONS.map(({ id, domainName, aliases, comment }) => ({ id, domainName, aliases, comment: comment ?? '' })));
  }
  const linesFormat: LogFormat | null = lines
    ? { layout: layoutFromList(config.logConfig.fields ?? ''), samplingRate: config.logConfig.samplingRate ?? 100 }
    : null;
  if (!lines) await ensureStreamLogConfig(config, logConfigs);
  const formatOf = (stream: string): LogFormat => {
    if (linesFormat !== null) return linesFormat;
    const logConfig = logConfigs.forStream(stream);
    if (!logConfig) throw new Error(`no real-time log config is known for stream ${stream} (${logConfigs.location})`);
    // With the layouts the config had before a field change, for records written before it.
    return logFormatOf(logConfig);
  };

  const writer = writerFromConfig(clickhouse, config, logger);
  const capture = new DeadLetterCapture(writer);
  const client = createKafkajsClient({ brokers, clientId: `${kafka.clientId}-process`, logger });
  const sourceKind = lines ? 'kafka' : 'kinesis';
  // The live view of every `serve` replica: counters and sampled records of each stored batch.
  const livePublisher: KafkaPublisher = client.publisher({ compression: kafka.compression });
  // The filters serve replicas need applied here, for live filters counter cells cannot answer.
  const liveFilters = new LiveFilterSubscriptions({
    client,
    topic: kafka.liveFiltersTopic,
    groupPrefix: `${kafka.clientId}-process-filters`,
    maxMessageBytes: LIVE_FEED_MAX_MESSAGE_BYTES,
    sessionTimeoutMs: kafka.sessionTimeoutMs,
    maxFilters: kafka.liveMaxPushedFilters,
    logger,
  });
  const liveFeed = new LiveFeedPublisher({
    publisher: livePublisher,
    topic: kafka.liveTopic,
    processorId: config.leases.workerId,
    sourceKind,
    maxCells: kafka.liveMaxCells,
    recordsPerSecond: kafka.liveRecordsPerSecond,
    pushedFilters: () => liveFilters.active(),
    logger,
  });
  // When the newest record of the batch under way on each shard reached the stream (stale or live).
  const arrivals = new Map<string, number>();
  const processor = new BatchProcessor({
    sink: capture,
    // Dead letters name the source the position belongs to: Kinesis for ranges, Kafka for lines.
    sourceKind,
    resolveDistribution: distributions.resolveDomain,
    formatOf,
    observer: (rows, deadLetters) => liveFeed.observe(rows, deadLetters.length, arrivals.get(rows[0]?.shardId ?? '') ?? null),
  });

  const admin = await client.admin();
  try {
    await ensureTopic(admin, kafka, logger);
    await ensureTopic(admin, { ...kafka, topic: kafka.deadLetterTopic }, logger);
  } finally {
    await admin.close();
  }
  await ensureLiveFeedTopic(client, kafka, logger);
  const deadLetterPublisher: KafkaPublisher = client.publisher({ compression: kafka.compression });
  const deadLetterTopic = new DeadLetterTopic(deadLetterPublisher, kafka.deadLetterTopic, kafka.maxMessageBytes);

  const handler = async (batch: RawBatch): Promise<void> => {
    const token = batchToken(batch.stream, batch.shardId, batch.firstSequence, batch.lastSequence);
    capture.watch(token);
    let letters: StoredDeadLetter[];
    arrivals.set(batch.shardId, batch.records.reduce((latest, r) => Math.max(latest, r.arrivalMs), 0));
    try {
      await processor.handle(batch);
    } finally {
      letters = capture.take(token);
      arrivals.delete(batch.shardId);
    }
    if (letters.length > 0) await deadLetterTopic.publish(letters);
  };

  const onUnreadable = async (message: ConsumedMessage, reason: string): Promise<void> => {
    const letter: StoredDeadLetter = {
      line: 1,
      reason: `not an edgewatch range message: ${reason}`,
      field: null,
      input: message.value?.toString('utf8') ?? '',
      source: 'kafka',
      stream: message.topic,
      shardId: String(message.partition),
      sequenceNumber: message.offset,
      receivedAtMs: Date.now(),
    };
    // Its position is the offset, which never changes for this message: a replay repeats the token.
    const token = `${batchToken(message.topic, String(message.partition), message.offset, message.offset)}:unreadable`;
    await writer.write({ token, rows: [], deadLetters: [letter] });
    await deadLetterTopic.publish([letter]);
  };

  const source = new KafkaSource({
    client,
    topic: kafka.topic,
    groupId: kafka.groupId,
    format: kafka.topicFormat,
    handler,
    onUnreadable,
    concurrentPartitions: kafka.concurrentPartitions,
    maxMessageBytes: kafka.maxMessageBytes,
    sessionTimeoutMs: kafka.sessionTimeoutMs,
    lineBatches: { maxBatchRecords: config.batch.maxRecords, maxBatchBytes: config.batch.maxBytes, maxBatchAgeMs: config.batch.maxAgeMs },
    logger,
  });

  // ClickHouse refusing inserts (the writer retries the batch under way): stop fetching more, resume once an insert succeeds.
  let paused = false;
  const storageLog = log('kafka-processor');
  const watchStorage = setInterval(() => {
    const stats = writer.stats();
    const failing = stats.lastErrorAtMs !== null && stats.lastErrorAtMs > (stats.lastInsertAtMs ?? 0);
    if (failing && !paused) {
      paused = true;
      source.pause();
      storageLog.warn({ insertErrors: stats.insertErrors }, 'ClickHouse refuses inserts: consumption paused, nothing is committed until the batch under way is stored');
    } else if (!failing && paused) {
      paused = false;
      source.resume();
      storageLog.info({ insertErrors: stats.insertErrors }, 'ClickHouse accepts inserts again: consumption resumed');
    }
  }, STORAGE_CHECK_MS);
  watchStorage.unref();
  const stopRefresh = refreshRegistriesEvery(registries, REGISTRY_REFRESH_MS, (err) => log('registry').warn({ err }, 'cannot refresh the registries; keeping the last snapshot'));

  let stopping = false;
  const health = (): HealthReport => {
    const writerStats = writer.stats();
    const counts = processor.counts();
    const partitions = source.status();
    const uptimeS = Math.round((Date.now() - started) / 1000);
    return {
      status: healthStatus({
        stopping,
        uptimeS,
        // A member may own no partition when the group has more members than partitions; that is healthy.
        shardCount: Math.max(1, partitions.length),
        lastInsertAtMs: writerStats.lastInsertAtMs,
        lastInsertErrorAtMs: writerStats.lastErrorAtMs,
      }),
      uptimeS,
      recordsIngested: counts.records,
      deadLetters: counts.deadLetters,
      lastInsertAt: writerStats.lastInsertAtMs === null ? null : new Date(writerStats.lastInsertAtMs).toISOString(),
      insertErrors: writerStats.insertErrors,
      unknownValues: Object.fromEntries([...processor.unknownValues()].map(([field, values]) => [field, Object.fromEntries(values)])),
      shards: partitions.map((p) => ({
        shardId: `${kafka.topic}/${p.partition}`,
        millisBehindLatest: null,
        lastSequence: p.committedOffset,
        recordsRead: p.recordsRead,
        finished: false,
      })),
    };
  };
  const app: FastifyInstance = buildHealthServer(health);

  await source.start();
  await liveFilters.start();
  void liveFilters.failed.then((err) => log('live-feed').error({ err, topic: kafka.liveFiltersTopic }, 'stopped reading live filters; serve replicas get no counts for filters the processors apply'));
  liveFeed.start();
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  log('kafka-processor').info({ brokers, topic: kafka.topic, groupId: kafka.groupId, format: kafka.topicFormat, url }, 'processing Kafka batches into ClickHouse');

  // A close that fails is logged and the others still run; the stop then fails (exit code 1).
  const closeFailures: unknown[] = [];
  const closeStep = async (what: string, work: Promise<unknown>): Promise<void> => {
    const logged = work.catch((err: unknown) => {
      closeFailures.push(err);
      log('kafka-processor').error({ step: what, err }, `closing ${what} failed`);
    });
    if (!(await settleWithin(logged, CLOSE_STEP_DEADLINE_MS))) {
      log('kafka-processor').warn({ step: what, deadlineMs: CLOSE_STEP_DEADLINE_MS }, `closing ${what} did not finish in time; exiting without it`);
    }
  };
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(watchStorage);
    stopRefresh();
    const drained = source.stop();
    if (!(await settleWithin(drained, config.shutdownDeadlineMs))) {
      storageLog.warn({ deadlineMs: config.shutdownDeadlineMs }, 'stop deadline passed; batches not yet stored are left uncommitted for the next member');
      // Stopping the writer ends its retries, so the batches under way give up and the member can leave.
      await writer.stop();
      await closeStep('the Kafka consumer', drained);
    } else {
      // Settled in time: a failed drain fails the stop, as before.
      await drained;
    }
    await writer.stop();
    // Every step after the drain is bounded: what it would finish is committed or can be lost
    // (live counts), and one stuck client must not keep the member from exiting.
    await closeStep('the live-filters reader', liveFilters.stop());
    await closeStep('the live feed', liveFeed.stop());
    await closeStep('the live-feed producer', livePublisher.close());
    await closeStep('the dead-letter producer', deadLetterPublisher.close());
    await closeStep('the health server', app.close());
    await closeStep('ClickHouse', clickhouse.close());
    if (closeFailures.length > 0) throw new AggregateError(closeFailures, `${closeFailures.length} close step(s) failed while stopping`);
  };

  return {
    clickhouse,
    processor,
    writer,
    source,
    deadLetterTopic,
    liveFeed,
    url,
    health,
    storagePaused: () => paused,
    failed: source.failed(),
    stop,
  };
}
