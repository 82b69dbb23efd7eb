/**
 * KafkaClient (kafka-client.ts) implemented with kafkajs. The only module that imports kafkajs:
 * replacing the client library means rewriting this file alone.
 */
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, Consumer, EachBatchPayload, LogEntry, Producer } from 'kafkajs';
import { backoffDelayMs, sleep } from '../kinesis/backoff.js';
import type { SourceLogger } from '../kinesis/source-logger.js';
import type {
  CommittedOffset,
  ConsumedMessage,
  GroupConsumer,
  GroupConsumerOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaConnectionOptions,
  KafkaPublisher,
  OutgoingMessage,
  PartitionContext,
  PublisherOptions,
  TopicSpec,
} from './kafka-client.js';

// Broker restarts take seconds: retry soon and often rather than give up.
const RETRY = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 30 } as const;
const TOPIC_READY_TIMEOUT_MS = 30_000;
// A failing onBatch is called again for the same messages after this backoff.
const HANDLER_RETRY = { baseMs: 500, maxMs: 15_000 } as const;
// Group-membership errors: the member must rejoin before it may commit again.
const MEMBERSHIP_ERRORS: ReadonlySet<string> = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

/**
 * kafkajs logs recoverable conditions (a coordinator still loading, a broker restarting) at ERROR;
 * edgewatch keeps ERROR for data loss or operator action, so they become warnings here.
 */
function logCreator(logger: SourceLogger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const line = { component: 'kafka-client', namespace, ...fields };
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(line, message);
      else if (level === logLevel.INFO) logger.debug(line, message);
      else logger.debug(line, message);
    };
}

function errorType(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
    if (Buffer.isBuffer(last)) headers[name] = last.toString('utf8');
    else if (typeof last === 'string') headers[name] = last;
  }
  return headers;
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  async ensureTopic(spec: TopicSpec): Promise<'created' | 'exists'> {
    const created = await this.admin.createTopics({
      // kafkajs' own wait gives up when the new topic is not in the metadata yet; see waitForLeaders.
      waitForLeaders: false,
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          ...(spec.replicationFactor !== undefined ? { replicationFactor: spec.replicationFactor } : {}),
          configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    await this.waitForLeaders(spec.topic);
    return created ? 'created' : 'exists';
  }

  /** Until every partition of a new topic has a leader: producing or consuming before that fails. */
  private async waitForLeaders(topic: string): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`partitions of topic ${topic} have no leader after ${TOPIC_READY_TIMEOUT_MS} ms`);
      await sleep(Math.min(100 * attempt, 1_000));
    }
  }

  async partitionCount(topic: string): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  }

  async committedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]> {
    const [result] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? []).map(({ partition, offset, metadata }) => ({
      partition,
      offset: Number(offset) < 0 ? null : offset,
      metadata: metadata ?? null,
    }));
  }

  async endOffsets(topic: string): Promise<Map<number, string>> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map(({ partition, high }) => [partition, high]));
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}

/**
 * An idempotent producer (acks=all, one request in flight so retries keep order). A send that fails
 * for good drops the producer: the next send starts a new one with a new producer id, so one broken
 * sequence cannot block every later send.
 */
class KafkajsPublisher implements KafkaPublisher {
  private current: Promise<Producer> | null = null;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: PublisherOptions,
  ) {}

  private producer(): Promise<Producer> {
    if (this.current === null) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { ...RETRY, retries: Number.MAX_SAFE_INTEGER },
      });
      const connecting = producer.connect().then(() => producer);
      this.current = connecting;
      connecting.catch(() => {
        if (this.current === connecting) this.current = null;
      });
    }
    return this.current;
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('Kafka publisher is closed');
    const connecting = this.producer();
    const producer = await connecting;
    try {
      await producer.send({
        topic,
        acks: -1,
        compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
      });
    } catch (err) {
      if (this.current === connecting) {
        this.current = null;
        void producer.disconnect().catch(() => undefined);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = this.current;
    this.current = null;
    if (current !== null) await (await current.catch(() => null))?.disconnect();
  }
}

class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly heartbeatIntervalMs: number;
  private owned: readonly number[] = [];
  private stopping = false;
  private readonly running = new Set<Promise<void>>();
  private readonly failures = new Map<number, number>();
  private reportFailure: (err: Error) => void = () => undefined;
  readonly failed: Promise<Error>;

  constructor(
    kafka: Kafka,
    private readonly options: GroupConsumerOptions,
    private readonly logger: SourceLogger,
  ) {
    this.heartbeatIntervalMs = Math.max(500, Math.floor(options.sessionTimeoutMs / 10));
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      // Members get this long to finish the unit of work under way and rejoin.
      rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs * 2),
      // One message of the largest size always fits a fetch.
      maxBytesPerPartition: options.maxMessageBytes + 64 * 1024,
      maxBytes: (options.maxMessageBytes + 64 * 1024) * Math.max(2, options.concurrentPartitions),
      minBytes: options.minFetchBytes,
      maxWaitTimeInMs: options.maxFetchWaitMs,
      allowAutoTopicCreation: false,
      retry: { ...RETRY, restartOnFailure: () => Promise.resolve(!this.stopping) },
    });
    this.admin = kafka.admin();
    this.failed = new Promise((resolve) => {
      this.reportFailure = resolve;
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.owned = [...(payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      this.logger.info(
        { component: 'kafka-consumer', groupId: options.groupId, topic: options.topic, memberId: payload.memberId, partitions: this.owned },
        'joined the consumer group',
      );
      options.onAssignment?.(this.owned);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      const fields = { component: 'kafka-consumer', groupId: options.groupId, err: payload.error };
      if (payload.restart) {
        this.logger.warn(fields, 'Kafka consumer failed; restarting it');
      } else if (!this.stopping) {
        this.logger.error(fields, 'Kafka consumer failed and cannot restart');
        this.reportFailure(payload.error);
      }
    });
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.topic], fromBeginning: this.options.startFrom !== 'latest' });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrentPartitions,
      eachBatch: (payload) => this.track(this.eachBatch(payload)),
    });
  }

  pause(): void {
    this.consumer.pause([{ topic: this.options.topic }]);
  }

  resume(): void {
    this.consumer.resume([{ topic: this.options.topic }]);
  }

  assignment(): readonly number[] {
    return this.owned;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    try {
      this.pause();
    } catch (err) {
      // kafkajs refuses while the member is not running: before run(), or restarting after a crash.
      // Nothing is fetched then, and a batch that arrives while stopping is not handled.
      this.logger.debug({ component: 'kafka-consumer', groupId: this.options.groupId, err }, 'consumer not running; nothing to pause');
    }
    // Handlers commit what they made durable while the member still owns its partitions.
    await Promise.allSettled([...this.running]);
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    return work;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.stopping || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    let lostMembership = false;
    const context: PartitionContext = {
      topic,
      partition,
      isActive: () => !this.stopping && !lostMembership && payload.isRunning() && !payload.isStale(),
      commit: async (nextOffset, metadata) => {
        // kafkajs sends each partition's metadata with the commit; its types just do not list it.
        const committed = { partition, offset: nextOffset, metadata };
        await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [committed] }] });
      },
      committed: async () => {
        const [result] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
        const found = result?.partitions.find((p) => p.partition === partition);
        const offset = found === undefined || Number(found.offset) < 0 ? null : found.offset;
        return { partition, offset, metadata: found?.metadata ?? null };
      },
      markTaken: (offset) => payload.resolveOffset(offset),
    };
    // kafkajs heartbeats only between batches: keep the membership alive while a batch is handled
    // (a slow or unavailable ClickHouse), and notice a rebalance so the handler lets go in time.
    const keepAlive = setInterval(() => {
      payload.heartbeat().catch((err: unknown) => {
        const type = errorType(err);
        if (type !== undefined && MEMBERSHIP_ERRORS.has(type)) lostMembership = true;
      });
    }, this.heartbeatIntervalMs);
    keepAlive.unref();
    const messages: ConsumedMessage[] = batch.messages.map((m) => ({
      topic,
      partition,
      offset: m.offset,
      key: m.key ?? null,
      value: m.value ?? null,
      headers: headersOf(m.headers),
      timestampMs: Number(m.timestamp),
    }));
    try {
      await this.options.onBatch(messages, context);
      this.failures.delete(partition);
    } catch (err) {
      if (!context.isActive()) {
        // Stopping or rebalancing: what was not committed goes to the partition's next owner.
        this.logger.info({ component: 'kafka-consumer', topic, partition, reason: err instanceof Error ? err.message : String(err) }, 'let go of a partition with a batch not committed');
        return;
      }
      const attempt = (this.failures.get(partition) ?? 0) + 1;
      this.failures.set(partition, attempt);
      const delayMs = backoffDelayMs(attempt, HANDLER_RETRY);
      this.logger.warn({ component: 'kafka-consumer', topic, partition, attempt, delayMs, err }, 'handling a batch failed; fetching it again');
      await sleep(delayMs);
    } finally {
      clearInterval(keepAlive);
    }
  }
}

export function createKafkajsClient(options: KafkaConnectionOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.INFO,
    logCreator: logCreator(options.logger),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: RETRY,
  });
  return {
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return new KafkajsAdmin(admin);
    },
    publisher: (publisherOptions = {}) => new KafkajsPublisher(kafka, publisherOptions),
    groupConsumer: (consumerOptions) => new KafkajsGroupConsumer(kafka, consumerOptions, options.logger),
  };
}
