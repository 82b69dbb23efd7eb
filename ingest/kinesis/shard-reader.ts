/**
 * Reads one shard: error handling and backoff around a record fetcher (polling or enhanced fan-out),
 * batching, and the markInFlight → handler → commit sequence that makes each batch a repeatable range.
 */
import type { KinesisClient, _Record } from '@aws-sdk/client-kinesis';
import type { BatchHandler, RawBatch, RawRecord } from '../../processor/batch.js';
import type { CheckpointStore, SequenceRange, ShardCheckpoint } from '../checkpoints/checkpoint-store.js';
import type { RecordTap, ShardStatus } from '../source.js';
import { backoffDelayMs, fullJitterDelayMs, sleep } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { classifyKinesisError, kinesisErrorName } from './kinesis-errors.js';
import { PollingFetcher } from './polling-fetcher.js';
import { SHARD_READ_LIMITS } from './read-budget.js';
import { recordBytes } from './record-fetcher.js';
import type { FetchedRecords, ReadPosition, RecordFetcher, RecordFetcherFactory } from './record-fetcher.js';
import { ShardBatcher } from './shard-batcher.js';
import type { BatchLimits, CutBatch } from './shard-batcher.js';
import { ShardReadStats } from './shard-read-stats.js';
import type { ShardReadFigures } from './shard-read-stats.js';
import type { SourceLogger } from './source-logger.js';

export { MIN_POLL_INTERVAL_MS } from './polling-fetcher.js';

// Throttling: never inside the 1 s penalty window, then full jitter over a bound growing to 20 s.
const THROTTLE_FLOOR_MS = 1_000;
const THROTTLED: BackoffPolicy = { baseMs: 1_000, maxMs: 20_000 };
const TRANSIENT: BackoffPolicy = { baseMs: 200, maxMs: 10_000 };
// The stream is gone or access is denied: an operator has to act; retry slowly and keep saying so.
const NEEDS_OPERATOR: BackoffPolicy = { baseMs: 2_000, maxMs: 30_000 };
// The handler failed (ClickHouse down, for instance): retry the same range.
const HANDLER_RETRY: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

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
  /** Bytes per second this reader may poll from the shard; default 2 MiB, the shard's limit shared by every polling application. */
  readonly readBytesPerSecond?: number;
  /** Chooses how records are fetched (enhanced fan-out); polling when absent. */
  readonly fetchers?: RecordFetcherFactory;
  /** The worker holding this shard's lease, shown in health and metrics; see setLeaseOwner. */
  readonly leaseOwner?: string | null;
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
  /** Read figures (mode, rates, throttles, errors, lease owner); absent for a shard with no reader yet. */
  readonly reads?: ShardReadFigures;
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
  private readonly fetcher: RecordFetcher;
  private startPosition: ReadPosition;
  private consecutiveReadErrors = 0;
  /** The stream answered "not found" since the last successful read (deleted, perhaps created again). */
  private streamWentMissing = false;
  private readonly stats = new ShardReadStats();
  private leaseOwner: string | null;

  private running = false;
  private finished = false;
  private lastReadSequence: string | null = null;
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
    this.leaseOwner = opts.leaseOwner ?? null;
    const polling = (): RecordFetcher =>
      new PollingFetcher({
        client: opts.client,
        streamName: opts.streamName,
        shardId: opts.shardId,
        pollIntervalMs: opts.pollIntervalMs,
        budget: { callsPerSecond: SHARD_READ_LIMITS.callsPerSecond, bytesPerSecond: opts.readBytesPerSecond ?? SHARD_READ_LIMITS.bytesPerSecond },
      });
    this.fetcher = opts.fetchers?.create({ streamName: opts.streamName, shardId: opts.shardId, logger: opts.logger, polling }) ?? polling();
  }

  /** Reads until the shard is finished (closed and read to its end) or stop is requested. Never rejects. */
  async run(): Promise<ShardReaderEnd> {
    this.running = true;
    try {
      return await this.read();
    } finally {
      this.running = false;
      this.fetcher.close();
    }
  }

  /** Who holds this shard's lease (set by the lease manager when leases are in use). */
  setLeaseOwner(owner: string | null): void {
    this.leaseOwner = owner;
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
      millisBehindLatest: this.stats.millisBehindLatest,
      lastSequence: this.lastReadSequence,
      recordsRead: this.stats.records,
      finished: this.finished,
      committedSequence: this.committedSequence,
      inFlight: this.inFlight,
      batchesCommitted: this.batchesCommitted,
      backpressureWaitMs: Math.round(this.backpressureWaitMs),
      reads: this.stats.figures(this.fetcher.mode, this.leaseOwner, Date.now()),
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
      const callStartedAtMs = Date.now();
      const out = await this.fetchCuttingDueBatches(batcher);
      if (out === 'gave-up') return 'stopped';
      if (out === null || this.stopRequested) continue;

      const records = out.records;
      this.stats.millisBehindLatest = out.millisBehindLatest ?? this.stats.millisBehindLatest;
      this.stats.onRead(records.length, recordBytes(records), Date.now());
      const raws = records.map(toRawRecord).filter((raw): raw is RawRecord => raw !== null);
      if (raws.length > 0) this.tap(raws);
      for (const raw of raws) {
        this.lastReadSequence = raw.sequenceNumber;
        for (const batch of batcher.add(raw, Date.now())) {
          if (!(await this.deliver(batch))) return 'stopped';
        }
        // Records not yet added stay unread: the next start reads them again after the checkpoint.
        if (this.stopRequested) break;
      }
      if (this.stopRequested) break;

      if (out.shardEnd) {
        if (out.childShardIds.length > 0) this.log.info({ ...this.fields, childShardIds: out.childShardIds }, 'shard ended; child shards named');
        return this.finishShard(batcher);
      }
      if (!(await this.waitForNextPoll(batcher, this.fetcher.nextFetchAtMs(out, callStartedAtMs)))) return 'stopped';
    }

    const rest = batcher.cutForShutdown();
    if (rest !== null) await this.deliver(rest);
    return 'stopped';
  }

  /**
   * One fetch; while it is pending (a subscription waits for pushed events) the pending batch is still
   * cut when it reaches its age. Null after a read error (already waited out), 'gave-up' when a batch was given up.
   */
  private async fetchCuttingDueBatches(batcher: ShardBatcher): Promise<FetchedRecords | null | 'gave-up'> {
    type Outcome = { readonly ok: FetchedRecords } | { readonly err: unknown };
    const pending: Promise<Outcome> = this.fetcher.fetch(() => this.position(), this.abort.signal).then(
      (ok) => ({ ok }),
      (err: unknown) => ({ err }),
    );
    let outcome: Outcome | null = null;
    while (outcome === null) {
      const due = batcher.dueAtMs();
      if (due === null) {
        outcome = await pending;
        break;
      }
      const timer = new AbortController();
      outcome = await Promise.race([pending, sleep(due - Date.now(), AbortSignal.any([this.abort.signal, timer.signal])).then(() => null)]);
      timer.abort();
      if (outcome !== null || this.stopRequested) break;
      const cut = batcher.cutIfDue(Date.now());
      if (cut !== null && !(await this.deliver(cut))) {
        await pending;
        return 'gave-up';
      }
    }
    outcome ??= await pending;
    if ('ok' in outcome) {
      this.consecutiveReadErrors = 0;
      this.streamWentMissing = false;
      return outcome.ok;
    }
    await this.onReadError(outcome.err, this.fetcher.operation);
    return null;
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
    this.log.info({ ...this.fields, recordsRead: this.stats.records }, 'shard read to its end');
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
  private position(): ReadPosition {
    if (this.lastReadSequence !== null) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastReadSequence };
    return this.startPosition;
  }

  /**
   * The stream was deleted and created again under the same name: sequence numbers of the old stream
   * are refused by the new one, so reading starts at the new stream's oldest record. Records read from
   * the old stream and not yet delivered are still delivered; the checkpoint moves on with the new stream.
   * A range left in flight in the old stream is gone with it: the batcher drops the replay when the
   * new stream's first record comes after it.
   */
  private readRecreatedStream(fields: Record<string, unknown>): void {
    this.log.error(
      { ...fields, oldPosition: this.position().sequenceNumber },
      'the stream was deleted and created again: its old position is refused; reading the new stream from TRIM_HORIZON',
    );
    this.streamWentMissing = false;
    this.lastReadSequence = null;
    this.startPosition = { type: 'TRIM_HORIZON' };
    this.fetcher.reposition();
  }

  /**
   * Whether Kinesis refused the position because its sequence number belongs to an earlier stream of
   * the same name: seen going missing while reading, or (on a start from a checkpoint) said so by the
   * error, which Kinesis words "... is invalid because it did not come from this stream".
   */
  private positionIsFromAnotherStream(err: unknown): boolean {
    if (kinesisErrorName(err) !== 'InvalidArgumentException' || this.position().sequenceNumber === undefined) return false;
    return this.streamWentMissing || (err instanceof Error && /did not come from this stream/i.test(err.message));
  }

  /** Classifies a read error, adjusts the iterator and waits as that kind of error requires. */
  private async onReadError(err: unknown, operation: string): Promise<void> {
    if (this.stopRequested) return;
    this.consecutiveReadErrors += 1;
    const attempt = this.consecutiveReadErrors;
    const kind = classifyKinesisError(err);
    this.stats.onError(kind);
    const fields = { ...this.fields, operation, mode: this.fetcher.mode, attempt, errorName: kinesisErrorName(err) };
    switch (kind) {
      case 'aborted':
        return;
      case 'throttled':
        // The iterator stays valid; only the pace changes. Throttling comes in streaks: say so once in ten.
        if (attempt % 10 === 1) this.log.warn(fields, 'Kinesis read throttled; backing off');
        else this.log.debug(fields, 'Kinesis read throttled; backing off');
        await sleep(fullJitterDelayMs(attempt, THROTTLED, THROTTLE_FLOOR_MS), this.abort.signal);
        return;
      case 'expired-iterator':
        // Everything read so far is delivered or waiting in the batcher: reading on after the last
        // record read neither skips nor repeats a record (after the checkpoint when nothing is pending).
        this.log.info(fields, 'shard iterator expired; getting a new one after the last record read');
        this.fetcher.reposition();
        // Two in a row means something odd (clock, emulator): do not spin.
        if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, TRANSIENT), this.abort.signal);
        return;
      case 'transient':
        this.log.warn({ ...fields, err }, 'Kinesis read failed; retrying');
        await sleep(backoffDelayMs(attempt, TRANSIENT), this.abort.signal);
        return;
      case 'stream-not-found':
        this.log.error(fields, 'Kinesis stream or shard not found (deleted, or wrong name); retrying');
        this.streamWentMissing = true;
        this.fetcher.reposition();
        await sleep(backoffDelayMs(attempt, NEEDS_OPERATOR), this.abort.signal);
        return;
      case 'fatal':
        if (this.positionIsFromAnotherStream(err)) {
          this.readRecreatedStream(fields);
          return;
        }
        this.log.error({ ...fields, err }, 'Kinesis read failed and needs attention; retrying');
        this.fetcher.reposition();
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
