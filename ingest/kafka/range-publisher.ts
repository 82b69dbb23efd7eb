/**
 * Ingest's hand-off in scale-out mode: each source range (a RawBatch from the Kinesis source) becomes
 * one Kafka message, keyed by shard so a shard's ranges stay in order on one partition. The handler
 * resolves only when Kafka has acknowledged the message (acks=all), and the Kinesis source moves its
 * checkpoint only after that; it records the range before calling the handler, so a range re-read
 * after a crash is published again with the same boundaries.
 */
import type { BatchHandler, RawBatch } from '../../processor/batch.js';
import type { KafkaPublisher } from './kafka-client.js';
import { encodeRangeMessage, MAX_RECORD_OVERHEAD_BYTES, MESSAGE_OVERHEAD_BYTES } from './range-message.js';

export interface RangeLimits {
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
}

/**
 * Batch limits for the Kinesis source so that every range fits one message of `maxMessageBytes`:
 * record framing takes at most half of a message, data the rest.
 */
export function rangeLimitsFor(maxMessageBytes: number, wanted: RangeLimits): RangeLimits {
  const budget = maxMessageBytes - MESSAGE_OVERHEAD_BYTES;
  if (budget < 64 * 1024) throw new RangeError(`Kafka messages of ${maxMessageBytes} bytes are too small to carry ranges (64 KiB at least)`);
  const maxBatchRecords = Math.max(1, Math.min(wanted.maxBatchRecords, Math.floor(budget / 2 / MAX_RECORD_OVERHEAD_BYTES)));
  const maxBatchBytes = Math.min(wanted.maxBatchBytes, budget - maxBatchRecords * MAX_RECORD_OVERHEAD_BYTES);
  return { maxBatchRecords, maxBatchBytes };
}

export interface RangePublisherStats {
  readonly ranges: number;
  readonly records: number;
  readonly bytes: number;
  readonly lastPublishedAtMs: number | null;
}

export class KafkaRangePublisher {
  private ranges = 0;
  private records = 0;
  private bytes = 0;
  private lastPublishedAtMs: number | null = null;

  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly topic: string,
    private readonly maxMessageBytes: number,
  ) {}

  readonly handle: BatchHandler = async (batch: RawBatch): Promise<void> => {
    const message = encodeRangeMessage(batch);
    if (message.value.length + MESSAGE_OVERHEAD_BYTES > this.maxMessageBytes) {
      // rangeLimitsFor() keeps ranges below this; a larger one means the limits were not applied.
      throw new RangeError(
        `range ${batch.stream}/${batch.shardId} ${batch.firstSequence}…${batch.lastSequence} takes ${message.value.length} bytes, ` +
          `more than a Kafka message of ${this.maxMessageBytes} bytes`,
      );
    }
    await this.publisher.send(this.topic, [message]);
    this.ranges++;
    this.records += batch.records.length;
    this.bytes += message.value.length;
    this.lastPublishedAtMs = Date.now();
  };

  stats(): RangePublisherStats {
    return { ranges: this.ranges, records: this.records, bytes: this.bytes, lastPublishedAtMs: this.lastPublishedAtMs };
  }
}
