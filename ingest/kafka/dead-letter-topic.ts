/**
 * Dead letters to a Kafka topic (the DLQ), beside the ClickHouse `dead_letters` table: one message
 * per line that could not be read, the raw line as value and the reason in headers, so tools that
 * watch Kafka see them too. Published after the batch is durable in ClickHouse and before its offset
 * is committed: a crash in between publishes them again (at least once), never loses them.
 */
import type { BatchSink } from '../../processor/batch-processor.js';
import type { WriteBatch } from '../../processor/storage/clickhouse-writer.js';
import type { StoredDeadLetter } from '../../processor/storage/row-encoder.js';
import type { KafkaPublisher, OutgoingMessage } from './kafka-client.js';
import { MESSAGE_OVERHEAD_BYTES } from './range-message.js';

export const DEAD_LETTER_HEADERS = {
  reason: 'edgewatch-reason',
  field: 'edgewatch-field',
  source: 'edgewatch-source',
  stream: 'edgewatch-stream',
  shard: 'edgewatch-shard',
  sequence: 'edgewatch-sequence',
  line: 'edgewatch-line',
  receivedAt: 'edgewatch-received-at',
} as const;

export function deadLetterMessage(letter: StoredDeadLetter): OutgoingMessage {
  return {
    key: `${letter.stream}/${letter.shardId}`,
    value: Buffer.from(letter.input, 'utf8'),
    headers: {
      [DEAD_LETTER_HEADERS.reason]: letter.reason,
      ...(letter.field === null ? {} : { [DEAD_LETTER_HEADERS.field]: letter.field }),
      [DEAD_LETTER_HEADERS.source]: letter.source,
      [DEAD_LETTER_HEADERS.stream]: letter.stream,
      [DEAD_LETTER_HEADERS.shard]: letter.shardId,
      [DEAD_LETTER_HEADERS.sequence]: letter.sequenceNumber,
      [DEAD_LETTER_HEADERS.line]: String(letter.line),
      [DEAD_LETTER_HEADERS.receivedAt]: new Date(letter.receivedAtMs).toISOString(),
    },
  };
}

export class DeadLetterTopic {
  private published = 0;

  constructor(
    private readonly publisher: KafkaPublisher,
    readonly topic: string,
    /** The topic's largest message; sends are split to stay well below it. */
    private readonly maxMessageBytes: number,
  ) {}

  /** Resolves once every dead letter is acknowledged by Kafka. */
  async publish(letters: readonly StoredDeadLetter[]): Promise<void> {
    let chunk: OutgoingMessage[] = [];
    let bytes = 0;
    const limit = Math.max(64 * 1024, Math.floor(this.maxMessageBytes / 2));
    for (const letter of letters) {
      const message = deadLetterMessage(letter);
      const size = message.value.length + MESSAGE_OVERHEAD_BYTES;
      if (chunk.length > 0 && bytes + size > limit) {
        await this.publisher.send(this.topic, chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(message);
      bytes += size;
    }
    if (chunk.length > 0) await this.publisher.send(this.topic, chunk);
    this.published += letters.length;
  }

  count(): number {
    return this.published;
  }
}

/**
 * A BatchSink in front of the ClickHouse writer that keeps the dead letters of the batches it
 * writes, by batch token, until the caller takes them. A batch ClickHouse refused is written again
 * as dead letters under `<token>:rejected`; those belong to the same batch.
 */
export class DeadLetterCapture implements BatchSink {
  private readonly pending = new Map<string, StoredDeadLetter[]>();

  constructor(private readonly sink: BatchSink) {}

  async write(batch: WriteBatch): Promise<void> {
    await this.sink.write(batch);
    if (batch.deadLetters.length === 0) return;
    const collected = this.pending.get(batch.token) ?? this.pending.get(batch.token.replace(/:rejected$/, ''));
    collected?.push(...batch.deadLetters);
  }

  /** Starts collecting for a batch token; `take` ends it. */
  watch(token: string): void {
    this.pending.set(token, []);
  }

  take(token: string): StoredDeadLetter[] {
    const letters = this.pending.get(token) ?? [];
    this.pending.delete(token);
    return letters;
  }
}
