/**
 * Reads the shards of a Kinesis stream (polling) and hands each shard's records to the handler as
 * contiguous batches, committing a batch's position only after the handler has made it durable.
 * Alone it owns every shard; with a ShardOwnership (shard leases) it reads only the shards whose lease
 * this worker holds, stops a reader without committing when its lease is lost, and starts readers for
 * leases it takes.
 */
import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import type { BatchHandler, Stage } from '../../processor/batch.js';
import type { CheckpointStore } from '../checkpoints/checkpoint-store.js';
import { LeaseLostError } from '../leases/lease.js';
import type { ShardOwnership } from '../leases/shard-ownership.js';
import type { RecordTap } from '../source.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { classifyKinesisError, kinesisErrorName } from './kinesis-errors.js';
import { MIN_POLL_INTERVAL_MS, ShardReader } from './shard-reader.js';
import type { KinesisShardStatus } from './shard-reader.js';
import type { RecordFetcherFactory } from './record-fetcher.js';
import type { SourceLogger } from './source-logger.js';

export type { KinesisShardStatus } from './shard-reader.js';
export type { SourceLogger } from './source-logger.js';

export interface KinesisSourceOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly checkpoints: CheckpointStore;
  readonly handler: BatchHandler;
  /** Where a shard without a checkpoint starts. Children of listed parents always start at TRIM_HORIZON. */
  readonly initialPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  /** Age measured from when the batch's first record arrived in this process. */
  readonly maxBatchAgeMs: number;
  /** Pause between GetRecords calls on a shard with little data; default 1000, at least 200. */
  readonly pollIntervalMs?: number;
  /** How often the shard list is refreshed to find new shards; default 60000. */
  readonly shardSyncIntervalMs?: number;
  /** How long stop() waits for batches in flight and the final flush; default 30000. */
  readonly stopDeadlineMs?: number;
  readonly logger: SourceLogger;
  /** Sees the records of every GetRecords response before batching (the live view); must return quickly. */
  readonly onRecords?: RecordTap;
  /** Bytes per second each shard reader may poll; default 2 MiB (the shard's limit, shared by every polling application). */
  readonly readBytesPerSecond?: number;
  /** How shard readers fetch records (enhanced fan-out); polling when absent. */
  readonly fetchers?: RecordFetcherFactory;
  /**
   * Shard leases shared with other workers: only held shards are read, each with its holding's
   * checkpoints. `checkpoints` is then used to read other shards' state (parents finished elsewhere).
   * Without it this source owns every shard.
   */
  readonly ownership?: ShardOwnership;
}

/** A listed shard, read or waiting for its parents. */
interface TrackedShard {
  readonly shardId: string;
  /** Parent shard ids (one after a split, two after a merge). */
  readonly parents: readonly string[];
  finished: boolean;
  reader: ShardReader | null;
  running: Promise<void> | null;
  /** Epoch of the lease the running reader belongs to (shard leases only). */
  holdingEpoch: number | null;
}

type SourceState = 'idle' | 'running' | 'draining' | 'closed';

// DescribeStreamSummary / ListShards failures: retry sooner than the next periodic sync.
const SYNC_RETRY: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };
const LIST_SHARDS_PAGE = 1_000;

export class KinesisSource implements Stage {
  private readonly opts: KinesisSourceOptions;
  private readonly pollIntervalMs: number;
  private readonly shardSyncIntervalMs: number;
  private readonly stopDeadlineMs: number;
  private readonly log: SourceLogger;
  private readonly fields: Record<string, unknown>;
  /** Cancels control-plane calls on stop. */
  private readonly abort = new AbortController();

  private state: SourceState = 'idle';
  private readonly shards = new Map<string, TrackedShard>();
  private syncTimer: NodeJS.Timeout | null = null;
  private syncRetryTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private syncRequestedAgain = false;
  private syncFailures = 0;
  private stopping: Promise<void> | null = null;
  private unsubscribeOwnership: (() => void) | null = null;

  constructor(opts: KinesisSourceOptions) {
    this.opts = opts;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    this.shardSyncIntervalMs = opts.shardSyncIntervalMs ?? 60_000;
    this.stopDeadlineMs = opts.stopDeadlineMs ?? 30_000;
    this.log = opts.logger;
    this.fields = { component: 'kinesis-source', stream: opts.streamName };
    requirePositiveInteger('maxBatchRecords', opts.maxBatchRecords);
    requirePositiveInteger('maxBatchBytes', opts.maxBatchBytes);
    requirePositiveInteger('maxBatchAgeMs', opts.maxBatchAgeMs);
    requirePositiveInteger('shardSyncIntervalMs', this.shardSyncIntervalMs);
    requirePositiveInteger('stopDeadlineMs', this.stopDeadlineMs);
    requirePositiveInteger('pollIntervalMs', this.pollIntervalMs);
    if (this.pollIntervalMs < MIN_POLL_INTERVAL_MS) {
      // 5 GetRecords calls per second per shard is the service limit.
      throw new RangeError(`pollIntervalMs must be at least ${MIN_POLL_INTERVAL_MS}, got ${this.pollIntervalMs}`);
    }
  }

  /**
   * Lists the shards and starts their readers. Resolves after the first attempt; if the stream is
   * missing or not ACTIVE yet, that is logged and retried in the background (the source never crashes).
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`KinesisSource for "${this.opts.streamName}" was already started`);
    this.state = 'running';
    this.unsubscribeOwnership = this.opts.ownership?.onChange(() => this.onOwnershipChange()) ?? null;
    this.syncTimer = setInterval(() => void this.requestSync(), this.shardSyncIntervalMs);
    this.syncTimer.unref();
    await this.requestSync();
  }

  /** consuming → draining (batches in flight finish, accumulated records are flushed and committed) → closed. */
  stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'closed';
      return Promise.resolve();
    }
    this.stopping ??= this.drain();
    return this.stopping;
  }

  status(): KinesisShardStatus[] {
    return [...this.shards.values()]
      .sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0))
      .map((shard) => shard.reader?.status(shard.parents) ?? {
        shardId: shard.shardId,
        parentShardIds: shard.parents,
        // With leases, a shard this worker does not hold is read elsewhere (or waits to be taken).
        state: shard.finished ? 'finished' : this.opts.ownership?.holding(shard.shardId) === undefined && this.opts.ownership !== undefined ? 'stopped' : 'waiting-for-parents',
        millisBehindLatest: null,
        lastSequence: null,
        recordsRead: 0,
        finished: shard.finished,
        committedSequence: null,
        inFlight: null,
        batchesCommitted: 0,
        backpressureWaitMs: 0,
      });
  }

  private async drain(): Promise<void> {
    this.state = 'draining';
    this.unsubscribeOwnership?.();
    if (this.syncTimer !== null) clearInterval(this.syncTimer);
    if (this.syncRetryTimer !== null) clearTimeout(this.syncRetryTimer);
    this.abort.abort();
    const readers = [...this.shards.values()].filter((shard) => shard.reader !== null);
    for (const shard of readers) shard.reader?.requestStop();
    const done = Promise.all([this.syncing, ...readers.map((shard) => shard.running)]).then(() => true);
    const deadline = new AbortController();
    const inTime = await Promise.race([done, sleep(this.stopDeadlineMs, deadline.signal).then(() => false)]);
    deadline.abort();
    if (!inTime) {
      for (const shard of readers) shard.reader?.close();
      const busy = readers.filter((shard) => shard.reader?.status(shard.parents).inFlight != null).map((s) => s.shardId);
      this.log.warn(
        { ...this.fields, deadlineMs: this.stopDeadlineMs, shardsWithBatchInFlight: busy },
        'stop deadline passed; ranges still in flight are replayed on the next start',
      );
    }
    this.state = 'closed';
    this.log.info({ ...this.fields }, 'Kinesis source stopped');
  }

  /** A lease was taken, lost or finished elsewhere: stop readers whose lease is gone, then start what is readable. */
  private onOwnershipChange(): void {
    if (this.state !== 'running') return;
    for (const shard of this.shards.values()) {
      if (shard.reader === null || shard.holdingEpoch === null || shard.finished) continue;
      if (this.opts.ownership?.holding(shard.shardId)?.epoch === shard.holdingEpoch) continue;
      this.log.info({ ...this.fields, shardId: shard.shardId }, 'lease lost; the reader stops without committing');
      shard.holdingEpoch = null;
      shard.reader.close();
    }
    void this.requestSync();
  }

  /** Runs a shard sync now, or once more after the one in progress. */
  private requestSync(): Promise<void> {
    if (this.syncing !== null) {
      this.syncRequestedAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncRequestedAgain = false;
        await this.syncOnce();
      } while (this.syncRequestedAgain && this.state === 'running');
    })().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const listed = await this.listShards();
      if (listed === null) return;
      await this.startReadableShards(listed);
      this.syncFailures = 0;
    } catch (err) {
      if (this.state !== 'running') return;
      this.syncFailures += 1;
      const kind = classifyKinesisError(err);
      const fields = { ...this.fields, attempt: this.syncFailures, errorName: kinesisErrorName(err) };
      if (kind === 'stream-not-found') {
        this.log.error(fields, 'Kinesis stream not found; waiting for it to exist (is the stream name right, is the producer running?)');
      } else if (kind === 'throttled' || kind === 'transient') {
        this.log.warn({ ...fields, err }, 'listing shards failed; retrying');
      } else {
        this.log.error({ ...fields, err }, 'listing shards failed and needs attention; retrying');
      }
      this.scheduleSyncRetry();
    }
  }

  private scheduleSyncRetry(): void {
    if (this.syncRetryTimer !== null) clearTimeout(this.syncRetryTimer);
    this.syncRetryTimer = setTimeout(() => {
      this.syncRetryTimer = null;
      void this.requestSync();
    }, backoffDelayMs(this.syncFailures, SYNC_RETRY));
    this.syncRetryTimer.unref();
  }

  /** Every shard inside retention, or null when the stream is not readable yet (a retry is scheduled). */
  private async listShards(): Promise<Shard[] | null> {
    const signal = this.abort.signal;
    const { client, streamName } = this.opts;
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), { abortSignal: signal });
    const status = summary.StreamDescriptionSummary?.StreamStatus;
    // UPDATING (a reshard in progress) is readable; CREATING and DELETING are not.
    if (status !== 'ACTIVE' && status !== 'UPDATING') {
      this.syncFailures += 1;
      this.log.warn({ ...this.fields, streamStatus: status }, 'Kinesis stream is not ACTIVE; waiting');
      this.scheduleSyncRetry();
      return null;
    }
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      // With NextToken the stream name must not be sent again.
      const page = await client.send(
        new ListShardsCommand(
          nextToken === undefined
            ? { StreamName: streamName, MaxResults: LIST_SHARDS_PAGE }
            : { NextToken: nextToken, MaxResults: LIST_SHARDS_PAGE },
        ),
        { abortSignal: signal },
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return shards;
  }

  /** Tracks new shards and starts a reader for each unfinished shard whose parents are finished or expired. */
  private async startReadableShards(listed: readonly Shard[]): Promise<void> {
    const listedIds = new Set<string>();
    for (const shard of listed) {
      if (shard.ShardId === undefined) continue;
      listedIds.add(shard.ShardId);
      if (!this.shards.has(shard.ShardId)) {
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => id !== undefined);
        this.shards.set(shard.ShardId, { shardId: shard.ShardId, parents, finished: false, reader: null, running: null, holdingEpoch: null });
      }
    }
    const ownership = this.opts.ownership;
    if (ownership !== undefined) {
      const tracked = [...this.shards.values()].filter((s) => listedIds.has(s.shardId));
      await ownership.track(tracked.map((s) => ({ shardId: s.shardId, parentShardIds: s.parents.filter((id) => listedIds.has(id)) })));
    }
    const waiting = [...this.shards.values()].filter((s) => listedIds.has(s.shardId) && !s.finished && s.reader === null);
    for (const shard of waiting) {
      const checkpoint = await this.opts.checkpoints.load(this.opts.streamName, shard.shardId);
      if (checkpoint?.finished === true) shard.finished = true;
    }
    for (const shard of waiting) {
      if (shard.finished || this.state !== 'running') continue;
      // The previous reader of a lease lost and taken again must end before a new one starts.
      if (ownership !== undefined && (ownership.holding(shard.shardId) === undefined || shard.running !== null)) continue;
      // Parents no longer listed have expired, which counts as finished.
      const parentsInList = shard.parents.filter((id) => listedIds.has(id));
      if (parentsInList.every((id) => this.shards.get(id)?.finished === true)) {
        this.startReader(shard, parentsInList.length > 0 ? 'TRIM_HORIZON' : this.opts.initialPosition);
      }
    }
  }

  private startReader(shard: TrackedShard, initialPosition: 'TRIM_HORIZON' | 'LATEST'): void {
    const holding = this.opts.ownership?.holding(shard.shardId);
    let started: ShardReader | null = null;
    const checkpoints =
      holding === undefined
        ? this.opts.checkpoints
        : closeOnLeaseLoss(holding.checkpoints, (err) => {
            this.log.info({ ...this.fields, shardId: shard.shardId, reason: err.message }, 'lease lost; the reader stops without committing');
            started?.close();
          });
    const reader = new ShardReader({
      client: this.opts.client,
      streamName: this.opts.streamName,
      shardId: shard.shardId,
      checkpoints,
      handler: this.opts.handler,
      limits: {
        maxBatchRecords: this.opts.maxBatchRecords,
        maxBatchBytes: this.opts.maxBatchBytes,
        maxBatchAgeMs: this.opts.maxBatchAgeMs,
      },
      pollIntervalMs: this.pollIntervalMs,
      initialPosition,
      logger: this.log,
      onRecords: this.opts.onRecords,
      readBytesPerSecond: this.opts.readBytesPerSecond,
      fetchers: this.opts.fetchers,
      ...(holding === undefined || this.opts.ownership === undefined ? {} : { leaseOwner: this.opts.ownership.workerId }),
    });
    started = reader;
    shard.reader = reader;
    shard.holdingEpoch = holding?.epoch ?? null;
    this.log.info({ ...this.fields, shardId: shard.shardId, parents: shard.parents, leaseEpoch: holding?.epoch }, 'reading shard');
    shard.running = reader.run().then(
      (end) => {
        if (end !== 'finished') {
          // A lease lost while running: the shard may be taken again later, by a new reader.
          if (holding !== undefined && this.state === 'running') {
            shard.reader = null;
            shard.running = null;
            shard.holdingEpoch = null;
            void this.requestSync();
          }
          return;
        }
        shard.finished = true;
        // Its children may be readable now.
        if (this.state === 'running') void this.requestSync();
      },
      (err: unknown) => {
        // run() does not reject by design; if it does, the next sync starts the shard again.
        this.log.error({ ...this.fields, shardId: shard.shardId, err }, 'shard reader failed unexpectedly');
        shard.reader = null;
        shard.running = null;
      },
    );
  }
}

/** Checkpoints whose LeaseLostError also stops the reader at once (it must not write again). */
function closeOnLeaseLoss(store: CheckpointStore, onLost: (err: LeaseLostError) => void): CheckpointStore {
  const guard = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (err instanceof LeaseLostError) onLost(err);
      throw err;
    }
  };
  return {
    load: (stream, shardId) => store.load(stream, shardId),
    markInFlight: (stream, shardId, range) => guard(() => store.markInFlight(stream, shardId, range)),
    commit: (stream, shardId, sequenceNumber) => guard(() => store.commit(stream, shardId, sequenceNumber)),
    markFinished: (stream, shardId) => guard(() => store.markFinished(stream, shardId)),
  };
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
