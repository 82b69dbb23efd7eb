/**
 * A consumer that reads a whole topic for this process alone: a consumer group of its own (a unique
 * name), starting at the end of the topic and never committing, handing each message to `onMessage`
 * synchronously. The live feed (processors → serve replicas) and the live filters (serve replicas →
 * processors) are read this way: every reader sees every message, from when it joined.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ConsumedMessage, GroupConsumer, KafkaClient } from '../ingest/kafka/kafka-client.js';

export interface OwnGroupConsumerOptions {
  readonly client: KafkaClient;
  readonly topic: string;
  /** Prefix of the group's name; host, process and a random part follow. */
  readonly groupPrefix: string;
  readonly maxMessageBytes: number;
  readonly sessionTimeoutMs: number;
  readonly onMessage: (message: ConsumedMessage) => void;
  readonly onAssignment?: (partitions: readonly number[]) => void;
}

export interface OwnGroupConsumer {
  readonly groupId: string;
  readonly consumer: GroupConsumer;
}

export function ownGroupConsumer(options: OwnGroupConsumerOptions): OwnGroupConsumer {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60);
  const groupId = `${options.groupPrefix}-${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const consumer = options.client.groupConsumer({
    groupId,
    topic: options.topic,
    startFrom: 'latest',
    concurrentPartitions: 1,
    maxMessageBytes: options.maxMessageBytes,
    maxFetchWaitMs: 100,
    minFetchBytes: 1,
    sessionTimeoutMs: options.sessionTimeoutMs,
    onBatch: (messages, context) => {
      for (const message of messages) options.onMessage(message);
      const last = messages[messages.length - 1];
      if (last !== undefined) context.markTaken(last.offset);
      return Promise.resolve();
    },
    ...(options.onAssignment === undefined ? {} : { onAssignment: options.onAssignment }),
  });
  return { groupId, consumer };
}
