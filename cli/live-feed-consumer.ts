/**
 * Reads the live feed topic into one LiveHub (a `serve` replica's): counter cells to publishCells,
 * losses to noteLoss, sampled records to publishSampled, the counts of pushed filters to
 * publishFiltered. Every replica reads every message: each
 * joins a consumer group of its own (unique name), starts at the end of the topic and never
 * commits. A message that does not parse is counted and skipped; one that arrives long after it was
 * published (this replica fell behind) is not live any more: its records are counted as stale.
 */
import type { LiveHub } from '../api/live/live-hub.js';
import type { ConsumedMessage, GroupConsumer, KafkaClient } from '../ingest/kafka/kafka-client.js';
import { decodeLiveFeedMessage } from './live-feed-message.js';
import type { Logger } from './logger.js';
import { ownGroupConsumer } from './own-group-consumer.js';

export interface LiveFeedConsumerOptions {
  readonly client: KafkaClient;
  readonly topic: string;
  readonly hub: LiveHub;
  /** Prefix of this replica's own consumer group. */
  readonly groupPrefix: string;
  readonly maxMessageBytes: number;
  readonly sessionTimeoutMs: number;
  /** Messages published longer ago than this are not live any more; default 10000. */
  readonly maxMessageAgeMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface LiveFeedConsumerStats {
  readonly messages: number;
  readonly seconds: number;
  readonly recordMessages: number;
  /** Messages with the counts of pushed filters. */
  readonly filteredSeconds: number;
  readonly malformed: number;
  readonly late: number;
  /** Partitions of the topic this replica reads (all of them once it has joined). */
  readonly partitions: number;
}

export class LiveFeedConsumer {
  readonly #options: LiveFeedConsumerOptions;
  readonly #now: () => number;
  readonly #maxMessageAgeMs: number;
  readonly groupId: string;
  readonly #consumer: GroupConsumer;
  #joined: () => void = () => undefined;
  /** Resolves once this replica has joined its group and owns the topic's partitions. */
  readonly joined: Promise<void>;
  #messages = 0;
  #seconds = 0;
  #recordMessages = 0;
  #filteredSeconds = 0;
  #malformed = 0;
  #late = 0;

  constructor(options: LiveFeedConsumerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxMessageAgeMs = options.maxMessageAgeMs ?? 10_000;
    this.joined = new Promise((resolve) => {
      this.#joined = resolve;
    });
    const { groupId, consumer } = ownGroupConsumer({
      client: options.client,
      topic: options.topic,
      groupPrefix: options.groupPrefix,
      maxMessageBytes: options.maxMessageBytes,
      sessionTimeoutMs: options.sessionTimeoutMs,
      onMessage: (message) => this.#handle(message),
      onAssignment: (partitions) => {
        if (partitions.length > 0) this.#joined();
      },
    });
    this.groupId = groupId;
    this.#consumer = consumer;
  }

  get failed(): Promise<Error> {
    return this.#consumer.failed;
  }

  start(): Promise<void> {
    return this.#consumer.start();
  }

  stop(): Promise<void> {
    return this.#consumer.stop();
  }

  stats(): LiveFeedConsumerStats {
    return {
      messages: this.#messages,
      seconds: this.#seconds,
      recordMessages: this.#recordMessages,
      filteredSeconds: this.#filteredSeconds,
      malformed: this.#malformed,
      late: this.#late,
      partitions: this.#consumer.assignment().length,
    };
  }

  #handle(message: ConsumedMessage): void {
    this.#messages += 1;
    const decoded = decodeLiveFeedMessage(message.value);
    if (!decoded.ok) {
      this.#malformed += 1;
      if (this.#malformed === 1 || this.#malformed % 100 === 0) {
        this.#options.logger.warn(
          { component: 'live-feed', topic: message.topic, partition: message.partition, offset: message.offset, reason: decoded.reason, malformed: this.#malformed },
          'skipped a live feed message that does not parse',
        );
      }
      return;
    }
    const hub = this.#options.hub;
    const late = this.#now() - message.timestampMs > this.#maxMessageAgeMs;
    const { message: feed } = decoded;
    if (feed.kind === 'second') {
      this.#seconds += 1;
      if (late) {
        this.#late += 1;
        const records = feed.cells.reduce((sum, c) => sum + c.counts.n, 0);
        hub.noteLoss({ ...feed.loss, stale: feed.loss.stale + records });
        return;
      }
      hub.publishCells(feed.cells, feed.overflowRecords);
      if (feed.loss.dropped + feed.loss.stale + feed.loss.invalid > 0) hub.noteLoss(feed.loss);
    } else if (feed.kind === 'filtered') {
      this.#filteredSeconds += 1;
      // A late second's records are already counted as stale with its cells.
      if (late) return;
      hub.publishFiltered(feed.filters);
    } else {
      this.#recordMessages += 1;
      if (late) {
        this.#late += 1;
        return;
      }
      hub.publishSampled(feed.records, feed.filter ?? null);
    }
  }
}
