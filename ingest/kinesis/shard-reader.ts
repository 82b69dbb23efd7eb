/**
 * Reads one shard: iterator upkeep, GetRecords pacing and error handling, batching, and the
 * markInFlight → handler → commit sequence that makes each batch a repeatable range.
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient, ShardIteratorType, _Record } from '@aws-sdk/client-kinesis';
import type { BatchHandler, RawBatch, RawRecord } from '../../processor/batch.js';
import type { CheckpointStore, SequenceRange, ShardCheckpoint } from '../checkpoints/checkpoint-store.js';
import type { RecordTap, ShardStatus } from '../source.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { classifyKinesisError, kinesisErrorName } from './kinesis-errors.js';
import { ShardBatcher } from './shard-batcher.js';
import type { BatchLimits, CutBatch } from './shard-batcher.js';
import type { SourceLogger } from './source-logger.js';

// GetRecords returns at most 10,000 records per call (reference §6.2).
const GET_RECORDS_LIMIT = 10_000;
// 5 GetRecords calls per second per shard: never call more often than every 200 ms.
export const MIN_POLL_INTERVAL_MS = 200;
// A response this full means more is waiting: poll again after the minimum gap.
const BUSY_RESPONSE_RECORDS = 1_000;
// Iterators expire after 5 minutes; renew before that while paused (slow or failing handler).
const ITERATOR_REFRESH_MS = 4 * 60_000;

// Throttling: at least 1 s (the penalty window), then up to 20 s.
const THROTTLED: BackoffPolicy = { baseMs: 2_000, maxMs: 20_000 };
const TRANSIENT: BackoffPolicy = { baseMs: 200, maxMs: 10_000 };
// The stream is gone or access is denied: an operator has to act; retry slowly and keep saying so.
const NEEDS_OPERATOR: BackoffPolicy = { baseMs: 2_000, maxMs: 30_000 };
// The handler failed (ClickHouse down, for instance): retry the same range.
const HANDLER_RETRY: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

interface IteratorPosition {
  readonly type: ShardIteratorType;
  readonly sequenceNumber?: string;
}

export type ShardReaderEnd = 'finished' | 'stopped';

export interface ShardReaderOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly shardId: string;
  readonly checkpoints: CheckpointStore;
  readonly handler: BatchHandler;
  readonly limits: BatchLimits;
  readonly pollIntervalMs: number;
  /** Where to start when the shard has no checkpoint. */
  readonly initialPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly logger: SourceLogger;
  /** Sees each response's records before batching (live view). */
  readonly onRecords?: RecordTap;
}

/** Per-shard state, more than the health report needs. */
export interface KinesisShardStatus extends ShardStatus {
  readonly parentShardIds: readonly string[];
  readonly state: 'waiting-for-parents' | 'reading' | 'finished' | 'stopped';
  /** Last sequence number committed (durable) in this process or loaded from the checkpoint. */
  readonly committedSequence: string | null;
  /** Range handed to the handler and not yet committed. */
  readonly inFlight: SequenceRange | null;
  readonly batchesCommitted: number;
  /** Time the reader spent paused on the handler (backpressure), retries included. */
  readonly backpressureWaitMs: number;
}

export class ShardReader {
  private readonly opts: ShardReaderOptions;
  private readonly log: SourceLogger;
  private readonly fields: Record<string, unknown>;
  /** Cancels sleeps and the GetRecords call in progress when stop is requested. */
  private readonly abort = new AbortController();
  private stopRequested = false;
  /** After the stop deadline: no checkpoint writes any more, the owner has moved on. */
  private closed = false;

  private batcher: ShardBatcher | null = null;
  private startPosition: IteratorPosition;
  private iterator: string | null = null;
  private iteratorIssuedAtMs = 0;
  private consecutiveReadErrors = 0;

  private running = false;
  private finished = false;
  private recordsRead = 0;
  private lastReadSequence: string | null = null;
  private millisBehindLatest: number | null = null;
  private committedSequence: string | null = null;
  private inFlight: SequenceRange | null = null;
  private batchesCommitted = 0;
  private backpressureWaitMs = 0;
  private tapFailed = false;

  constructor(opts: ShardReaderOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.fields = { component: 'kinesis-source', stream: opts.streamName, shardId: opts.shardId };
    this.startPosition = { type: opts.initialPosition };
  }

  /** Reads until the shard is finished (closed and read to its end) or stop is requested. Never rejects. */
  async run(): Promise<ShardReaderEnd> {
    this.running = true;
    try {
      return await this.read();
    } finally {
      this.running = false;
    }
  }

  /** Stop fetching; the batch in flight finishes, what is accumulated is flushed, then run() resolves. */
  requestStop(): void {
    this.stopRequested = true;
    this.abort.abort();
  }

  /** The stop deadline passed: whatever is still running must not touch the checkpoint any more. */
  close(): void {
    this.requestStop();
    this.closed = true;
  }

  status(parentShardIds: readonly string[]): KinesisShardStatus {
    return {
      shardId: this.opts.shardId,
      parentShardIds,
      state: this.finished ? 'finished' : this.running ? 'reading' : 'stopped',
      millisBehindLatest: this.millisBehindLatest,
      lastSequence: this.lastReadSequence,
      recordsRead: this.recordsRead,
      finished: this.finished,
      committedSequence: this.committedSequence,
      inFlight: this.inFlight,
      batchesCommitted: this.batchesCommitted,
      backpressureWaitMs: Math.round(this.backpressureWaitMs),
    };
  }

  private async read(): Promise<ShardReaderEnd> {
    const checkpoint = await this.loadCheckpoint();
    if (checkpoint === 'stopped') return 'stopped';
    if (checkpoint?.finished === true) {
      this.finished = true;
      return 'finished';
    }
    this.committedSequence = checkpoint?.sequenceNumber ?? null;
    const replay = checkpoint?.inFlight ?? null;
    const batcher = new ShardBatcher(this.opts.limits, replay);
    this.batcher = batcher;
    if (replay !== null) {
      this.startPosition = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: replay.first };
      this.log.info({ ...this.fields, first: replay.first, last: replay.last }, 'replaying the range left in flight');
    } else if (this.committedSequence !== null) {
      this.startPosition = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.committedSequence };
    }

    while (!this.stopRequested) {
      if (this.iterator === null || Date.now() - this.iteratorIssuedAtMs > ITERATOR_REFRESH_MS) {
        if (!(await this.refreshIterator())) continue;
      }
      const callStartedAtMs = Date.now();
      const out = await this.getRecords();
      if (out === null || this.stopRequested) continue;

      this.iterator = out.NextShardIterator ?? null;
      this.iteratorIssuedAtMs = Date.now();
      this.millisBehindLatest = out.MillisBehindLatest ?? null;
      const records = out.Records ?? [];
      const raws = records.map(toRawRecord).filter((raw): raw is RawRecord => raw !== null);
      if (raws.length > 0) this.tap(raws);
      for (const raw of raws) {
        this.recordsRead += 1;
        this.lastReadSequence = raw.sequenceNumber;
        for (const batch of batcher.add(raw, Date.now())) {
          if (!(await this.deliver(batch))) return 'stopped';
        }
        // Records not yet added stay unread: the next start reads them again after the checkpoint.
        if (this.stopRequested) break;
      }
      if (this.stopRequested) break;

      if (this.iterator === null) return this.finishShard(batcher);
      const busy =
        records.length >= BUSY_RESPONSE_RECORDS ||
        (records.length > 0 && (this.millisBehindLatest ?? 0) > this.opts.pollIntervalMs);
      if (!(await this.waitForNextPoll(batcher, callStartedAtMs + (busy ? MIN_POLL_INTERVAL_MS : this.opts.pollIntervalMs)))) {
        return 'stopped';
      }
    }

    const rest = batcher.cutForShutdown();
    if (rest !== null) await this.deliver(rest);
    return 'stopped';
  }

  /** Hands the records to the tap; its failures never reach the read loop. */
  private tap(raws: readonly RawRecord[]): void {
    if (this.opts.onRecords === undefined) return;
    try {
      this.opts.onRecords(this.opts.streamName, this.opts.shardId, raws);
    } catch (err) {
      if (this.tapFailed) return;
      this.tapFailed = true;
      this.log.warn({ ...this.fields, err }, 'record tap failed; reading goes on (reported once per shard)');
    }
  }

  /** Sleeps until `nextPollAtMs`, cutting the pending batch when it reaches its age. False if a batch was given up. */
  private async waitForNextPoll(batcher: ShardBatcher, nextPollAtMs: number): Promise<boolean> {
    while (!this.stopRequested) {
      const now = Date.now();
      const due = batcher.cutIfDue(now);
      if (due !== null) {
        if (!(await this.deliver(due))) return false;
        continue;
      }
      if (now >= nextPollAtMs) return true;
      await sleep(Math.min(nextPollAtMs, batcher.dueAtMs() ?? Infinity) - now, this.abort.signal);
    }
    return true;
  }

  /** The closed shard has been read to its end: commit the rest, then mark it finished so children can start. */
  private async finishShard(batcher: ShardBatcher): Promise<ShardReaderEnd> {
    const rest = batcher.cutAtShardEnd();
    if (rest !== null && !(await this.deliver(rest))) return 'stopped';
    const marked = await this.withCheckpointRetry('markFinished', () =>
      this.opts.checkpoints.markFinished(this.opts.streamName, this.opts.shardId),
    );
    if (!marked) return 'stopped';
    this.finished = true;
    this.log.info({ ...this.fields, recordsRead: this.recordsRead }, 'shard read to its end');
    return 'finished';
  }

  /**
   * markInFlight → handler → commit, each step retried with backoff until it succeeds or stop is requested.
   * The same range is retried, never skipped or re-cut. False when given up (the range stays in flight
   * in the checkpoint and is replayed as exactly this batch on the next start).
   */
  private async deliver(cut: CutBatch): Promise<boolean> {
    const { streamName, shardId, checkpoints, handler } = this.opts;
    const { first, last } = cut.range;
    const fields = { ...this.fields, first, last, records: cut.records.length };
    if (cut.replayOf !== null && (cut.replayOf.first !== first || cut.replayOf.last !== last)) {
      this.log.warn(
        { ...fields, inFlightFirst: cut.replayOf.first, inFlightLast: cut.replayOf.last },
        'part of the range left in flight has expired; its replay cannot repeat the deduplication token',
      );
    }
    const batch: RawBatch = { stream: streamName, shardId, firstSequence: first, lastSequence: last, records: cut.records };
    this.inFlight = cut.range;
    const startedAt = performance.now();
    let step: 'markInFlight' | 'handler' | 'commit' = 'markInFlight';
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.closed) return false;
        try {
          if (step === 'markInFlight') {
            await checkpoints.markInFlight(streamName, shardId, cut.range);
            step = 'handler';
          }
          if (step === 'handler') {
            await handler(batch);
            step = 'commit';
          }
          if (this.closed) return false;
          await checkpoints.commit(streamName, shardId, last);
          this.committedSequence = last;
          this.inFlight = null;
          this.batchesCommitted += 1;
          if (attempt > 1) this.log.info({ ...fields, attempts: attempt }, 'batch committed after retries');
          return true;
        } catch (err) {
          if (this.stopRequested) {
            this.log.warn({ ...fields, step, err }, 'batch failed while stopping; its range stays in flight and is replayed on the next start');
            return false;
          }
          this.log.warn({ ...fields, step, attempt, err }, 'batch failed; retrying the same range');
          await sleep(backoffDelayMs(attempt, HANDLER_RETRY), this.abort.signal);
          if (this.stopRequested) {
            this.log.warn({ ...fields, step }, 'stopped before the batch succeeded; its range stays in flight and is replayed on the next start');
            return false;
          }
        }
      }
    } finally {
      this.backpressureWaitMs += performance.now() - startedAt;
    }
  }

  /** Checkpoint reads and writes outside a batch, retried until they succeed or stop is requested. */
  private async withCheckpointRetry(step: string, action: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await action();
        return true;
      } catch (err) {
        if (this.stopRequested) return false;
        this.log.warn({ ...this.fields, step, attempt, err }, 'checkpoint store failed; retrying');
        await sleep(backoffDelayMs(attempt, TRANSIENT), this.abort.signal);
      }
    }
    return false;
  }

  private async loadCheckpoint(): Promise<ShardCheckpoint | undefined | 'stopped'> {
    let checkpoint: ShardCheckpoint | undefined;
    const loaded = await this.withCheckpointRetry('load', async () => {
      checkpoint = await this.opts.checkpoints.load(this.opts.streamName, this.opts.shardId);
    });
    return loaded ? checkpoint : 'stopped';
  }

  /** Where to read from now: after the last record read, else where this reader started. */
  private position(): IteratorPosition {
    if (this.lastReadSequence !== null) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastReadSequence };
    return this.startPosition;
  }

  private async refreshIterator(): Promise<boolean> {
    const position = this.position();
    try {
      const out = await this.opts.client.send(
        new GetShardIteratorCommand({
          StreamName: this.opts.streamName,
          ShardId: this.opts.shardId,
          ShardIteratorType: position.type,
          ...(position.sequenceNumber === undefined ? {} : { StartingSequenceNumber: position.sequenceNumber }),
        }),
        { abortSignal: this.abort.signal },
      );
      if (out.ShardIterator === undefined) throw new Error('GetShardIterator returned no iterator');
      this.iterator = out.ShardIterator;
      this.iteratorIssuedAtMs = Date.now();
      this.consecutiveReadErrors = 0;
      this.log.debug({ ...this.fields, position: position.type, sequenceNumber: position.sequenceNumber }, 'shard iterator obtained');
      return true;
    } catch (err) {
      await this.onReadError(err, 'GetShardIterator');
      return false;
    }
  }

  private async getRecords(): Promise<GetRecordsCommandOutput | null> {
    if (this.iterator === null) return null;
    try {
      const out = await this.opts.client.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT }),
        { abortSignal: this.abort.signal },
      );
      this.consecutiveReadErrors = 0;
      return out;
    } catch (err) {
      await this.onReadError(err, 'GetRecords');
      return null;
    }
  }

  /** Classifies a read error, adjusts the iterator and waits as that kind of error requires. */
  private async onReadError(err: unknown, operation: string): Promise<void> {
    if (this.stopRequested) return;
    this.consecutiveReadErrors += 1;
    const attempt = this.consecutiveReadErrors;
    const kind = classifyKinesisError(err);
    const fields = { ...this.fields, operation, attempt, errorName: kinesisErrorName(err) };
    switch (kind) {
      case 'aborted':
        return;
      case 'throttled':
        // The iterator stays valid; only the pace changes. Throttling comes in streaks: say so once in ten.
        if (attempt % 10 === 1) this.log.warn(fields, 'Kinesis read throttled; backing off');
        else this.log.debug(fields, 'Kinesis read throttled; backing off');
        await sleep(backoffDelayMs(attempt, THROTTLED), this.abort.signal);
        return;
      case 'expired-iterator':
        this.log.info(fields, 'shard iterator expired; getting a new one after the last record read');
        this.iterator = null;
        // Two in a row means something odd (clock, emulator): do not spin.
        if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, TRANSIENT), this.abort.signal);
        return;
      case 'transient':
        this.log.warn({ ...fields, err }, 'Kinesis read failed; retrying');
        await sleep(backoffDelayMs(attempt, TRANSIENT), this.abort.signal);
        return;
      case 'stream-not-found':
        this.log.error(fields, 'Kinesis stream or shard not found (deleted, or wrong name); retrying');
        this.iterator = null;
        await sleep(backoffDelayMs(attempt, NEEDS_OPERATOR), this.abort.signal);
        return;
      case 'fatal':
        this.log.error({ ...fields, err }, 'Kinesis read failed and needs attention; retrying');
        this.iterator = null;
        await sleep(backoffDelayMs(attempt, NEEDS_OPERATOR), this.abort.signal);
        return;
    }
  }
}

function toRawRecord(record: _Record): RawRecord | null {
  if (record.SequenceNumber === undefined) return null;
  return {
    data: record.Data ?? new Uint8Array(0),
    sequenceNumber: record.SequenceNumber,
    arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
  };
}
