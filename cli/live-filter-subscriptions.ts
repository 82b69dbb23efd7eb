/**
 * A processor's side of pushed live filters: reads the live filters topic (every announcement, in a
 * consumer group of its own that starts at the end and never commits) into a PushedFilterTable, so
 * that the live feed publisher can apply the filters `serve` replicas need. Announcements that do
 * not parse are counted and skipped.
 */
import type { CompiledPushedFilter } from '../api/live/live-filter-pushdown.js';
import { PushedFilterTable } from '../api/live/pushed-filter-table.js';
import type { ConsumedMessage, GroupConsumer, KafkaClient } from '../ingest/kafka/kafka-client.js';
import { decodeLiveFiltersMessage } from './live-filter-message.js';
import type { Logger } from './logger.js';
import { ownGroupConsumer } from './own-group-consumer.js';

export interface LiveFilterSubscriptionsOptions {
  readonly client: KafkaClient;
  readonly topic: string;
  /** Prefix of this processor's own consumer group. */
  readonly groupPrefix: string;
  readonly maxMessageBytes: number;
  readonly sessionTimeoutMs: number;
  /** Distinct filter sets applied at most; default 64. */
  readonly maxFilters?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface LiveFilterSubscriptionsStats {
  readonly announcements: number;
  readonly malformed: number;
  readonly active: number;
  /** Filter sets announced but not applied, beyond maxFilters. */
  readonly overLimit: number;
}

export class LiveFilterSubscriptions {
  readonly #options: LiveFilterSubscriptionsOptions;
  readonly #now: () => number;
  readonly #table: PushedFilterTable;
  readonly #consumer: GroupConsumer;
  readonly groupId: string;
  #announcements = 0;
  #malformed = 0;

  constructor(options: LiveFilterSubscriptionsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#table = new PushedFilterTable(options.maxFilters ?? 64);
    const { groupId, consumer } = ownGroupConsumer({
      client: options.client,
      topic: options.topic,
      groupPrefix: options.groupPrefix,
      maxMessageBytes: options.maxMessageBytes,
      sessionTimeoutMs: options.sessionTimeoutMs,
      onMessage: (message) => this.#handle(message),
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

  /** The filters to apply now. */
  active(): readonly CompiledPushedFilter[] {
    return this.#table.active(this.#now());
  }

  stats(): LiveFilterSubscriptionsStats {
    return { announcements: this.#announcements, malformed: this.#malformed, active: this.active().length, overLimit: this.#table.overLimit };
  }

  #handle(message: ConsumedMessage): void {
    const decoded = decodeLiveFiltersMessage(message.value);
    if (!decoded.ok) {
      this.#malformed += 1;
      if (this.#malformed === 1 || this.#malformed % 100 === 0) {
        this.#options.logger.warn(
          { component: 'live-feed', topic: message.topic, offset: message.offset, reason: decoded.reason, malformed: this.#malformed },
          'skipped a live filters message that does not parse',
        );
      }
      return;
    }
    this.#announcements += 1;
    const before = this.#table.overLimit;
    this.#table.announce(decoded.message, this.#now());
    if (this.#table.overLimit > before) {
      this.#options.logger.warn({ component: 'live-feed', overLimit: this.#table.overLimit, maxFilters: this.#options.maxFilters ?? 64 }, 'more live filters announced than this processor applies');
    }
  }
}
