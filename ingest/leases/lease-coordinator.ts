/**
 * Takes, renews, balances and releases shard leases for one worker (a stage: start/stop). Every
 * leaseDuration/3 a round renews the leases held, reads the table, takes free and expired leases and
 * steals toward a fair share (lease-plan.ts). A lease whose counter has not moved for a whole lease
 * period, as this worker observed it, has a dead owner. Checkpoint writes go through the holding that
 * took the lease and are refused (LeaseLostError) once the lease is someone else's.
 *
 * A stolen lease moves at once: the old owner finds out at its next renewal or checkpoint write and
 * stops that reader without committing; the range it had in flight is recorded in the lease, so the
 * new owner re-cuts exactly that batch and the insert is deduplicated by its range token.
 */
import { randomInt } from 'node:crypto';
import type { CheckpointStore, SequenceRange, ShardCheckpoint } from '../checkpoints/checkpoint-store.js';
import type { SourceLogger } from '../kinesis/source-logger.js';
import { LeaseLostError } from './lease.js';
import type { Lease } from './lease.js';
import { planLeaseTakes } from './lease-plan.js';
import type { LeaseSighting } from './lease-plan.js';
import type { DynamoDbLeaseTable, LeaseExpectation } from './lease-table.js';
import type { ListedShard, ShardHolding, ShardOwnership } from './shard-ownership.js';

export interface LeaseCoordinatorOptions {
  readonly table: DynamoDbLeaseTable;
  readonly workerId: string;
  /** A lease not renewed for this long is taken by another worker. */
  readonly leaseDurationMs: number;
  /** Leases stolen from live workers per round (default 1, as the Kinesis Client Library does). */
  readonly maxStealsPerRound?: number;
  readonly logger: SourceLogger;
  /** Milliseconds clock; tests drive rounds by hand with their own. */
  readonly now?: () => number;
  /** Default true: rounds run on a timer. False: only when runRound() is called (tests). */
  readonly autoRounds?: boolean;
}

interface HeldLease extends ShardHolding {
  lastRenewedAtMs: number;
}

/** A lease's counter as this worker last saw it change. */
interface CounterSighting {
  readonly counter: number;
  readonly owner: string | null;
  readonly sinceMs: number;
}

type CoordinatorState = 'idle' | 'running' | 'stopped';

export class LeaseCoordinator implements ShardOwnership {
  readonly workerId: string;
  /** Reads any shard's checkpoint; writes go to the holding of a shard this worker holds. */
  readonly checkpoints: CheckpointStore;
  private readonly table: DynamoDbLeaseTable;
  private readonly durationMs: number;
  private readonly maxSteals: number;
  private readonly log: SourceLogger;
  private readonly fields: Record<string, unknown>;
  private readonly now: () => number;
  private readonly autoRounds: boolean;

  private state: CoordinatorState = 'idle';
  private readonly held = new Map<string, HeldLease>();
  private readonly sightings = new Map<string, CounterSighting>();
  private lastSeen = new Map<string, Lease>();
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private roundFailures = 0;

  constructor(opts: LeaseCoordinatorOptions) {
    if (!Number.isInteger(opts.leaseDurationMs) || opts.leaseDurationMs < 300) {
      throw new RangeError(`leaseDurationMs must be an integer of at least 300, got ${opts.leaseDurationMs}`);
    }
    this.table = opts.table;
    this.workerId = opts.workerId;
    this.durationMs = opts.leaseDurationMs;
    this.maxSteals = opts.maxStealsPerRound ?? 1;
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
    this.autoRounds = opts.autoRounds ?? true;
    this.fields = { component: 'lease-coordinator', table: opts.table.tableName, workerId: opts.workerId };
    this.checkpoints = {
      load: (stream, shardId) => this.load(stream, shardId),
      markInFlight: (stream, shardId, range) => this.heldOrThrow(shardId, 'markInFlight').checkpoints.markInFlight(stream, shardId, range),
      commit: (stream, shardId, sequenceNumber) => this.heldOrThrow(shardId, 'commit').checkpoints.commit(stream, shardId, sequenceNumber),
      markFinished: (stream, shardId) => this.heldOrThrow(shardId, 'markFinished').checkpoints.markFinished(stream, shardId),
    };
  }

  /** Creates the table if missing, runs a first round, then one every leaseDuration/3. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`lease coordinator ${this.workerId} was already started`);
    const table = await this.table.ensureTable();
    this.state = 'running';
    this.log.info({ ...this.fields, leaseDurationMs: this.durationMs, table: this.table.tableName, created: table === 'created' }, 'lease coordinator started');
    await this.runRound();
    if (!this.autoRounds) return;
    this.timer = setInterval(() => void this.runRound(), Math.max(100, Math.floor(this.durationMs / 3)));
    this.timer.unref();
  }

  /** Releases every lease held (call after the source committed its last batches) so others take them at once. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    if (this.timer !== null) clearInterval(this.timer);
    await this.round;
    if (!wasRunning) return;
    const leases = [...this.held.values()];
    this.held.clear();
    const released = await Promise.all(
      leases.map((lease) =>
        this.table.release(lease.shardId, this.workerId, lease.epoch).catch((err: unknown) => {
          this.log.warn({ ...this.fields, shardId: lease.shardId, err }, 'could not release a lease; it expires instead');
          return false;
        }),
      ),
    );
    this.log.info({ ...this.fields, released: released.filter(Boolean).length, held: leases.length }, 'leases released');
    this.notify();
  }

  holding(shardId: string): ShardHolding | undefined {
    return this.held.get(shardId);
  }

  /** Shards held now. */
  heldShards(): string[] {
    return [...this.held.keys()].sort();
  }

  owners(): ReadonlyMap<string, string | null> {
    const owners = new Map<string, string | null>();
    for (const [shardId, lease] of this.lastSeen) owners.set(shardId, lease.owner);
    for (const shardId of this.held.keys()) owners.set(shardId, this.workerId);
    return owners;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async track(shards: readonly ListedShard[]): Promise<void> {
    let created = 0;
    for (const shard of shards) {
      if (this.lastSeen.has(shard.shardId)) continue;
      if (await this.table.create(shard.shardId, shard.parentShardIds)) {
        created++;
        this.log.info({ ...this.fields, shardId: shard.shardId, parents: shard.parentShardIds }, 'lease created for a new shard');
      }
    }
    await this.deleteExpiredLeases(shards);
    // New shards (children of a reshard) are taken now rather than at the next round.
    if (created > 0 && this.state === 'running') void this.runRound();
  }

  /**
   * A finished shard the stream no longer lists has expired: no reader needs its checkpoint and its
   * children count it as finished, so its lease goes. Without this the table (and every round's scan)
   * grows with each reshard.
   */
  private async deleteExpiredLeases(shards: readonly ListedShard[]): Promise<void> {
    // A stream always lists an open shard: an empty list is no proof that anything expired.
    if (shards.length === 0) return;
    const listed = new Set(shards.map((shard) => shard.shardId));
    for (const lease of [...this.lastSeen.values()]) {
      if (!lease.finished || listed.has(lease.shardId)) continue;
      try {
        if (await this.table.deleteFinished(lease.shardId)) {
          this.log.info({ ...this.fields, shardId: lease.shardId }, 'lease of an expired shard deleted');
        }
      } catch (err) {
        // Housekeeping: reading goes on, and the next listing tries again.
        this.log.warn({ ...this.fields, shardId: lease.shardId, err }, 'could not delete the lease of an expired shard');
        continue;
      }
      this.lastSeen.delete(lease.shardId);
      this.sightings.delete(lease.shardId);
    }
  }

  /** One round: renew, read the table, take and steal. Never overlaps another; never rejects. */
  runRound(): Promise<void> {
    this.round ??= (async () => {
      try {
        await this.renewAll();
        if (this.state === 'stopped') return;
        await this.takeLeases();
        this.roundFailures = 0;
      } catch (err) {
        this.roundFailures++;
        // Said once in ten: a lease table that stays unreachable fails every round.
        const fields = { ...this.fields, attempt: this.roundFailures, err };
        if (this.roundFailures % 10 === 1) this.log.warn(fields, 'lease round failed; retrying next round');
      }
    })().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async renewAll(): Promise<void> {
    const lost: string[] = [];
    await Promise.all(
      [...this.held.values()].map(async (lease) => {
        try {
          const renewed = await this.table.renew(lease.shardId, this.workerId, lease.epoch);
          if (renewed === null) lost.push(lease.shardId);
          else lease.lastRenewedAtMs = this.now();
        } catch (err) {
          // Unable to prove it is alive for a whole period: others may hold it by now.
          if (this.now() - lease.lastRenewedAtMs > this.durationMs) lost.push(lease.shardId);
          this.log.warn({ ...this.fields, shardId: lease.shardId, err }, 'lease renewal failed');
        }
      }),
    );
    for (const shardId of lost) this.dropHeld(shardId, 'lease lost: taken by another worker or not renewed in time');
    if (lost.length > 0) this.notify();
  }

  private async takeLeases(): Promise<void> {
    const leases = await this.table.scan();
    const now = this.now();
    const before = this.lastSeen;
    this.lastSeen = new Map(leases.map((lease) => [lease.shardId, lease]));
    let changed = false;
    const seen: LeaseSighting[] = [];
    for (const lease of leases) {
      const previous = this.sightings.get(lease.shardId);
      const sighting =
        previous !== undefined && previous.counter === lease.counter && previous.owner === lease.owner
          ? previous
          : { counter: lease.counter, owner: lease.owner, sinceMs: now };
      this.sightings.set(lease.shardId, sighting);
      const held = this.held.get(lease.shardId);
      if (held !== undefined && (lease.owner !== this.workerId || lease.epoch !== held.epoch)) {
        this.dropHeld(lease.shardId, 'lease lost: taken by another worker');
        changed = true;
      }
      if (lease.finished && before.get(lease.shardId)?.finished !== true) changed = true;
      seen.push({ shardId: lease.shardId, owner: this.countedOwner(lease, sighting, now), finished: lease.finished });
    }
    // Random order: workers starting together then try different leases instead of racing for the same.
    const plan = planLeaseTakes(shuffled(seen), this.workerId, this.maxSteals);
    const taken = await Promise.all([
      ...plan.take.map((shardId) => {
        const lease = this.lastSeen.get(shardId);
        if (lease === undefined) return false;
        const expired = lease.owner !== null;
        // An expired lease must not have been renewed since: its counter is part of the condition.
        return this.takeOne(lease, { owner: lease.owner, epoch: lease.epoch, ...(expired ? { counter: lease.counter } : {}) }, expired ? 'expired' : 'free');
      }),
      ...plan.steal.map(({ shardId, from }) => {
        const lease = this.lastSeen.get(shardId);
        return lease === undefined ? false : this.takeOne(lease, { owner: from, epoch: lease.epoch }, 'stolen');
      }),
    ]);
    if (changed || taken.includes(true)) this.notify();
  }

  /** The owner as the plan counts it: null when free, expired, or ours from an earlier life of this worker id. */
  private countedOwner(lease: Lease, sighting: CounterSighting, now: number): string | null {
    if (lease.owner === null || lease.finished) return null;
    if (lease.owner === this.workerId) return this.held.has(lease.shardId) ? this.workerId : null;
    return now - sighting.sinceMs > this.durationMs ? null : lease.owner;
  }

  private async takeOne(lease: Lease, expected: LeaseExpectation, how: 'free' | 'expired' | 'stolen'): Promise<boolean> {
    if (this.state !== 'running') return false;
    const taken = await this.table.take(lease.shardId, this.workerId, expected);
    if (taken === null) return false;
    const epoch = taken.epoch;
    this.held.set(lease.shardId, { shardId: lease.shardId, epoch, checkpoints: this.boundCheckpoints(lease.shardId, epoch), lastRenewedAtMs: this.now() });
    this.lastSeen.set(lease.shardId, taken);
    this.sightings.set(lease.shardId, { counter: taken.counter, owner: taken.owner, sinceMs: this.now() });
    this.log.info({ ...this.fields, shardId: lease.shardId, how, previousOwner: lease.owner, checkpoint: taken.checkpoint, inFlight: taken.inFlight }, 'lease taken');
    return true;
  }

  /** Checkpoint writes of one holding: conditional on this worker still holding the lease it took as `epoch`. */
  private boundCheckpoints(shardId: string, epoch: number): CheckpointStore {
    const guard = async (stream: string, id: string, operation: string, write: () => Promise<void>): Promise<void> => {
      if (stream !== this.table.streamName || id !== shardId) {
        throw new Error(`${operation}: the holding of ${this.table.streamName}/${shardId} cannot write ${stream}/${id}`);
      }
      try {
        await write();
      } catch (err) {
        if (err instanceof LeaseLostError && this.held.get(shardId)?.epoch === epoch) {
          this.dropHeld(shardId, 'lease lost: a checkpoint write was refused');
          this.notify();
        }
        throw err;
      }
    };
    return {
      load: (stream, id) => this.load(stream, id),
      markInFlight: (stream, id, range: SequenceRange) => guard(stream, id, 'markInFlight', () => this.table.markInFlight(id, this.workerId, epoch, range)),
      commit: (stream, id, sequenceNumber) => guard(stream, id, 'commit', () => this.table.commit(id, this.workerId, epoch, sequenceNumber)),
      markFinished: (stream, id) =>
        guard(stream, id, 'markFinished', async () => {
          await this.table.markFinished(id, this.workerId, epoch);
          // A finished shard's lease is free and never taken again.
          if (this.held.get(id)?.epoch === epoch) this.held.delete(id);
        }),
    };
  }

  private async load(stream: string, shardId: string): Promise<ShardCheckpoint | undefined> {
    if (stream !== this.table.streamName) throw new Error(`lease table ${this.table.tableName} keeps stream ${this.table.streamName}, not ${stream}`);
    const lease = await this.table.get(shardId);
    if (lease === undefined) return undefined;
    return { sequenceNumber: lease.checkpoint, inFlight: lease.inFlight, finished: lease.finished };
  }

  private heldOrThrow(shardId: string, operation: string): ShardHolding {
    const held = this.held.get(shardId);
    if (held === undefined) throw new LeaseLostError(shardId, this.workerId, operation);
    return held;
  }

  private dropHeld(shardId: string, why: string): void {
    if (!this.held.delete(shardId)) return;
    this.log.info({ ...this.fields, shardId }, why);
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ ...this.fields, err }, 'lease change listener failed');
      }
    }
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
