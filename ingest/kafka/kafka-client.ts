/**
 * The Kafka operations edgewatch uses, independent of any client library. kafkajs-client.ts is the
 * one module that implements them; another client replaces it by implementing this file's
 * `KafkaClient` and nothing else.
 */
import type { SourceLogger } from '../kinesis/source-logger.js';

export interface KafkaConnectionOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: SourceLogger;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Omit for the broker's default. */
  readonly replicationFactor?: number;
  /** Topic-level settings, e.g. `max.message.bytes`. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface CommittedOffset {
  readonly partition: number;
  /** Next offset to consume; null when the group has committed nothing for the partition. */
  readonly offset: string | null;
  /** The metadata string committed with the offset. */
  readonly metadata: string | null;
}

export interface KafkaAdmin {
  /** Creates the topic when it is missing; resolves 'exists' when it was there (its settings untouched). */
  ensureTopic(spec: TopicSpec): Promise<'created' | 'exists'>;
  partitionCount(topic: string): Promise<number>;
  /** A consumer group's committed offsets (and their metadata) for every partition of a topic. */
  committedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]>;
  /** The offset after the last message of every partition (high watermark). */
  endOffsets(topic: string): Promise<Map<number, string>>;
  close(): Promise<void>;
}

export interface OutgoingMessage {
  /** Messages with one key go to one partition, in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface PublisherOptions {
  /** Compression of message batches on the wire; default none. */
  readonly compression?: 'none' | 'gzip';
}

/**
 * An idempotent producer that waits for every in-sync replica (acks=all): a message acknowledged
 * is stored, and a retried send does not store it twice.
 */
export interface KafkaPublisher {
  /** Resolves once every message is acknowledged; retries retriable errors (broker restarts) with backoff meanwhile. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  /** Decimal offset. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values as UTF-8 text (the last value when a header repeats). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timestampMs: number;
}

/** What a partition's handler may do while it holds a batch of that partition. */
export interface PartitionContext {
  readonly topic: string;
  readonly partition: number;
  /**
   * False once the member must let go of the partition (stopping, or the group is rebalancing):
   * finish the unit of work under way, commit it, and return. Anything not committed is replayed.
   */
  isActive(): boolean;
  /**
   * Commits `nextOffset` (the first offset not yet durable) with a metadata string, and waits for
   * the group coordinator to accept it. Rejects when the member no longer owns the partition.
   */
  commit(nextOffset: string, metadata: string | null): Promise<void>;
  /** The group's committed offset and metadata for this partition, as the coordinator has them. */
  committed(): Promise<CommittedOffset>;
  /** The messages up to `offset` were taken: the next fetch continues after it (this is not a commit). */
  markTaken(offset: string): void;
}

export interface GroupConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  /** Partitions handled at once by this member. */
  readonly concurrentPartitions: number;
  /** Largest message the topic holds; fetches are sized so one always fits. */
  readonly maxMessageBytes: number;
  /** The broker waits up to this long to fill a fetch (fewer, larger batches). */
  readonly maxFetchWaitMs: number;
  /** Bytes a fetch waits for, up to maxFetchWaitMs. */
  readonly minFetchBytes: number;
  /** A member silent for this long is removed from the group and its partitions reassigned. */
  readonly sessionTimeoutMs: number;
  /**
   * Called with consecutive messages of one partition, never twice at once for one partition. Work
   * not committed when it resolves or rejects is fetched again. A rejection is logged and retried.
   */
  readonly onBatch: (messages: readonly ConsumedMessage[], context: PartitionContext) => Promise<void>;
  /**
   * Where a partition without a committed offset starts: `earliest` (default) or `latest` (a reader
   * that wants only what is published from now on, such as every replica's own group on the live feed).
   */
  readonly startFrom?: 'earliest' | 'latest';
  /** Called after every (re)join with the partitions this member now owns. */
  readonly onAssignment?: (partitions: readonly number[]) => void;
}

export interface GroupConsumer {
  /** Joins the group and starts fetching. */
  start(): Promise<void>;
  /** Stops fetching (the member stays in the group and keeps its partitions). */
  pause(): void;
  resume(): void;
  /** Partitions this member owns now. */
  assignment(): readonly number[];
  /** Stops fetching, waits for the handlers under way, then leaves the group. */
  stop(): Promise<void>;
  /** Resolves or rejects when the consumer gives up for good (a crash it cannot recover from). */
  readonly failed: Promise<Error>;
}

export interface KafkaClient {
  admin(): Promise<KafkaAdmin>;
  publisher(options?: PublisherOptions): KafkaPublisher;
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
}

export type KafkaClientFactory = (options: KafkaConnectionOptions) => KafkaClient;
