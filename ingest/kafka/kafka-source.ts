/**
 * Reads a Kafka topic as a member of a consumer group and hands batches to the processor, committing
 * each partition's offset, in order, only after the handler has made the batch durable.
 *
 * Two kinds of topic:
 * - `ranges`: what `edgewatch ingest` publishes, one Kinesis range per message. One message is one
 *   batch; its deduplication token comes from the range in its headers, whoever consumes it.
 * - `lines`: CloudFront lines that arrive in Kafka some other way (a connector, MSK). The only source
 *   position is the offset: each batch (partition, first and last offset) is recorded in the cut log
 *   (cut-log.ts) before its insert, so a member taking the partition over re-cuts the same batch.
 */
import type { BatchHandler, RawBatch, RawRecord, Stage } from '../../processor/batch.js';
import { backoffDelayMs, sleep } from '../kinesis/backoff.js';
import { ShardBatcher, type BatchLimits, type CutBatch } from '../kinesis/shard-batcher.js';
import type { SourceLogger } from '../kinesis/source-logger.js';
import { decodeCut, encodeCut } from './cut-log.js';
import type { ConsumedMessage, GroupConsumer, KafkaClient, PartitionContext } from './kafka-client.js';
import { decodeRangeMessage, RangeMessageError } from './range-message.js';

export type KafkaTopicFormat = 'ranges' | 'lines';

export interface KafkaSourceOptions {
  readonly client: KafkaClient;
  readonly topic: string;
  readonly groupId: string;
  readonly format: KafkaTopicFormat;
  /** Resolves once the batch is durable (stored or dead-lettered). */
  readonly handler: BatchHandler;
  /** Stores a message of a `ranges` topic that is not a readable range; resolves once that is durable. */
  readonly onUnreadable: (message: ConsumedMessage, reason: string) => Promise<void>;
  readonly concurrentPartitions: number;
  readonly maxMessageBytes: number;
  readonly sessionTimeoutMs: number;
  /** How a `lines` topic is cut; the age is how long a fetch waits to fill up. */
  readonly lineBatches: BatchLimits;
  readonly logger: SourceLogger;
}

export interface KafkaPartitionStatus {
  readonly partition: number;
  /** Next offset to read, as last committed by this member; null before its first commit. */
  readonly committedOffset: string | null;
  readonly recordsRead: number;
  readonly batchesCommitted: number;
}

// A batch whose insert keeps failing (beyond the writer's own retries) is retried, never skipped.
const BATCH_RETRY = { baseMs: 500, maxMs: 30_000 } as const;
const EMPTY = new Uint8Array(0);

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/** The stop or rebalance that ended work on a partition before its batch was durable. */
class PartitionReleasedError extends Error {
  override readonly name = 'PartitionReleasedError';
}

interface PartitionProgress {
  committedOffset: string | null;
  recordsRead: number;
  batchesCommitted: number;
}

export class KafkaSource implements Stage {
  private readonly opts: KafkaSourceOptions;
  private readonly log: SourceLogger;
  private readonly fields: Record<string, unknown>;
  private consumer: GroupConsumer | null = null;
  private stopping = false;
  /** `lines` topics: the batcher of each owned partition, replaced on every (re)assignment. */
  private readonly batchers = new Map<number, ShardBatcher>();
  private readonly progress = new Map<number, PartitionProgress>();
  private readonly wake = new AbortController();

  constructor(opts: KafkaSourceOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.fields = { component: 'kafka-source', topic: opts.topic, groupId: opts.groupId };
  }

  /** Joins the consumer group; batches flow from then on. */
  async start(): Promise<void> {
    if (this.consumer !== null) throw new Error(`KafkaSource for ${this.opts.topic} was already started`);
    const lines = this.opts.format === 'lines';
    this.consumer = this.opts.client.groupConsumer({
      groupId: this.opts.groupId,
      topic: this.opts.topic,
      concurrentPartitions: this.opts.concurrentPartitions,
      maxMessageBytes: this.opts.maxMessageBytes,
      // A range is a full batch already; lines are worth waiting for, up to the batch age.
      maxFetchWaitMs: lines ? this.opts.lineBatches.maxBatchAgeMs : 500,
      minFetchBytes: lines ? Math.min(this.opts.lineBatches.maxBatchBytes, 4 * 1024 * 1024) : 1,
      sessionTimeoutMs: this.opts.sessionTimeoutMs,
      onBatch: (messages, context) => (lines ? this.onLines(messages, context) : this.onRanges(messages, context)),
      onAssignment: (partitions) => {
        this.batchers.clear();
        for (const partition of [...this.progress.keys()]) if (!partitions.includes(partition)) this.progress.delete(partition);
      },
    });
    await this.consumer.start();
    this.log.info({ ...this.fields, format: this.opts.format }, 'Kafka source started');
  }

  /** Stops fetching; the batch under way on each partition still finishes and is committed. */
  pause(): void {
    this.consumer?.pause();
  }

  resume(): void {
    this.consumer?.resume();
  }

  /** Resolves when the consumer fails for good. */
  failed(): Promise<Error> {
    return this.consumer?.failed ?? new Promise(() => undefined);
  }

  /**
   * consuming → draining (batches under way finish and are committed; a batch that cannot finish,
   * e.g. because its writer was stopped, is left to be replayed) → left the group.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake.abort();
    await this.consumer?.stop();
    this.log.info({ ...this.fields }, 'Kafka source stopped');
  }

  status(): KafkaPartitionStatus[] {
    const owned = this.consumer?.assignment() ?? [];
    return owned.map((partition) => {
      const p = this.progress.get(partition);
      return { partition, committedOffset: p?.committedOffset ?? null, recordsRead: p?.recordsRead ?? 0, batchesCommitted: p?.batchesCommitted ?? 0 };
    });
  }

  private progressOf(partition: number): PartitionProgress {
    let p = this.progress.get(partition);
    if (p === undefined) {
      p = { committedOffset: null, recordsRead: 0, batchesCommitted: 0 };
      this.progress.set(partition, p);
    }
    return p;
  }

  private async onRanges(messages: readonly ConsumedMessage[], context: PartitionContext): Promise<void> {
    const progress = this.progressOf(context.partition);
    for (const message of messages) {
      if (!context.isActive()) return;
      const at = { ...this.fields, partition: context.partition, offset: message.offset };
      let batch: RawBatch | null = null;
      try {
        batch = decodeRangeMessage(message.headers, message.value);
      } catch (err) {
        if (!(err instanceof RangeMessageError)) throw err;
        this.log.warn({ ...at, reason: err.message }, 'message is not a readable range; storing it as a dead letter');
        await this.untilDurable(context, at, () => this.opts.onUnreadable(message, err.message));
      }
      if (batch !== null) {
        const range = batch;
        await this.untilDurable(context, { ...at, stream: range.stream, shardId: range.shardId }, () => this.opts.handler(range));
        progress.recordsRead += range.records.length;
      }
      const next = nextOffset(message.offset);
      await context.commit(next, null);
      context.markTaken(message.offset);
      progress.committedOffset = next;
      progress.batchesCommitted++;
    }
  }

  private async onLines(messages: readonly ConsumedMessage[], context: PartitionContext): Promise<void> {
    const batcher = await this.batcherFor(context);
    for (const message of messages) {
      if (!context.isActive()) {
        this.batchers.delete(context.partition);
        return;
      }
      const record: RawRecord = { data: message.value ?? EMPTY, sequenceNumber: message.offset, arrivalMs: message.timestampMs };
      for (const cut of batcher.add(record, Date.now())) await this.deliverCut(cut, context);
      context.markTaken(message.offset);
    }
    // Every fetch ends a batch (the fetch waited up to the batch age to fill), except a recorded cut
    // not read to its end yet: that one must be re-cut whole.
    const rest = context.isActive() ? batcher.cutForShutdown() : null;
    if (rest !== null) await this.deliverCut(rest, context);
  }

  private async batcherFor(context: PartitionContext): Promise<ShardBatcher> {
    const existing = this.batchers.get(context.partition);
    if (existing !== undefined) return existing;
    const committed = await context.committed();
    const cut = decodeCut(committed.metadata, committed.offset);
    if (cut !== null) {
      this.log.info({ ...this.fields, partition: context.partition, first: cut.first, last: cut.last }, 're-cutting the batch left in flight');
    }
    const batcher = new ShardBatcher(this.opts.lineBatches, cut);
    this.batchers.set(context.partition, batcher);
    return batcher;
  }

  private async deliverCut(cut: CutBatch, context: PartitionContext): Promise<void> {
    const { first, last } = cut.range;
    const at = { ...this.fields, partition: context.partition, first, last, records: cut.records.length };
    if (cut.replayOf !== null && (cut.replayOf.first !== first || cut.replayOf.last !== last)) {
      this.log.warn({ ...at, cutFirst: cut.replayOf.first, cutLast: cut.replayOf.last }, 'part of the recorded cut has expired; its replay cannot repeat the deduplication token');
    }
    const batch: RawBatch = { stream: this.opts.topic, shardId: String(context.partition), firstSequence: first, lastSequence: last, records: cut.records };
    // Recorded before the insert: the offset stays at the batch's first message, the metadata names the cut.
    await context.commit(first, encodeCut(cut.range));
    await this.untilDurable(context, at, () => this.opts.handler(batch));
    const next = nextOffset(last);
    await context.commit(next, null);
    const progress = this.progressOf(context.partition);
    progress.committedOffset = next;
    progress.recordsRead += cut.records.length;
    progress.batchesCommitted++;
  }

  /** Runs `store` until it succeeds; gives up (without committing) only when the partition is let go. */
  private async untilDurable(context: PartitionContext, at: Record<string, unknown>, store: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await store();
        if (attempt > 1) this.log.info({ ...at, attempts: attempt }, 'batch stored after retries');
        return;
      } catch (err) {
        if (!context.isActive()) throw new PartitionReleasedError(`partition ${context.partition} was let go before its batch was stored`, { cause: err });
        const delayMs = backoffDelayMs(attempt, BATCH_RETRY);
        this.log.warn({ ...at, attempt, delayMs, err }, 'storing a batch failed; retrying the same batch');
        await sleep(delayMs, this.wake.signal);
        if (!context.isActive()) throw new PartitionReleasedError(`partition ${context.partition} was let go before its batch was stored`, { cause: err });
      }
    }
  }
}
