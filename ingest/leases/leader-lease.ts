/**
 * One named lease ("the alerts leader") in the lease table: at most one worker holds it at a time.
 * Same primitives as the shard leases: every change is a conditional write on owner, counter and
 * epoch; the holder renews every `renewIntervalMs`; a lease whose counter has not moved for
 * `leaseDurationMs`, as another worker observed it, has a dead holder and is taken. A graceful stop
 * releases it, so another worker takes it at its next round instead of waiting for expiry.
 *
 * The item is `leader:<name>` with `leaseKind = leader`, so the shard lease coordinator skips it.
 */
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { SourceLogger } from '../kinesis/source-logger.js';
import { ensureLeaseTable } from './lease-table.js';

export interface LeaderLeaseOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** What is led (`alerts`): one lease per name. */
  readonly name: string;
  readonly workerId: string;
  /** A lease not renewed for this long is taken by another worker. */
  readonly leaseDurationMs: number;
  /** Time between rounds (renewal, or an attempt to take the lease); default a third of the duration. */
  readonly renewIntervalMs?: number;
  /** Called once this worker holds the lease; if it throws, the lease is released. */
  readonly onAcquired: () => Promise<void>;
  /** Called once this worker no longer holds it (taken over, not renewed in time, or stopping). */
  readonly onLost: () => Promise<void>;
  readonly logger: SourceLogger;
  readonly now?: () => number;
}

/** The lease item as read: who holds it and its counters. */
export interface LeaderLeaseItem {
  readonly owner: string | null;
  readonly counter: number;
  readonly epoch: number;
}

interface Sighting {
  readonly owner: string | null;
  readonly counter: number;
  readonly sinceMs: number;
}

type Item = Record<string, AttributeValue>;

export class LeaderLease {
  readonly #options: LeaderLeaseOptions;
  readonly #key: Item;
  readonly #renewIntervalMs: number;
  readonly #now: () => number;
  readonly #fields: Record<string, unknown>;
  #held: { epoch: number; renewedAtMs: number } | null = null;
  #sighting: Sighting | null = null;
  #state: 'idle' | 'running' | 'stopped' = 'idle';
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;

  constructor(options: LeaderLeaseOptions) {
    if (!Number.isInteger(options.leaseDurationMs) || options.leaseDurationMs < 300) {
      throw new RangeError(`leaseDurationMs must be an integer of at least 300, got ${options.leaseDurationMs}`);
    }
    const renew = options.renewIntervalMs ?? Math.floor(options.leaseDurationMs / 3);
    // Two renewals must fit in a lease period, or a holder whose renewal is slow loses the lease.
    if (!Number.isInteger(renew) || renew < 50 || renew * 2 > options.leaseDurationMs) {
      throw new RangeError(`renewIntervalMs must be an integer from 50 to half the lease duration (${options.leaseDurationMs / 2}), got ${renew}`);
    }
    this.#options = options;
    this.#key = { leaseKey: { S: `leader:${options.name}` } };
    this.#renewIntervalMs = renew;
    this.#now = options.now ?? Date.now;
    this.#fields = { component: 'leader-lease', lease: options.name, table: options.tableName, workerId: options.workerId };
  }

  get isLeader(): boolean {
    return this.#held !== null;
  }

  /** Creates the table if missing, runs a first round (which may take the lease), then one every renewIntervalMs. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`leader lease ${this.#options.name} was already started`);
    await ensureLeaseTable(this.#options.client, this.#options.tableName);
    this.#state = 'running';
    this.#options.logger.info({ ...this.#fields, leaseDurationMs: this.#options.leaseDurationMs, renewIntervalMs: this.#renewIntervalMs }, 'leader lease started');
    await this.#runRound();
    this.#schedule();
  }

  /** Stops the rounds; when held, calls onLost and then releases the lease for another worker to take at once. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
    const held = this.#held;
    if (held === null) return;
    // What the lease guards stops before the lease is free: never two leaders at once.
    await this.#lose('stopping');
    try {
      await this.#update(this.#ownedBy(held.epoch, 'SET leaseCounter = leaseCounter + :one REMOVE leaseOwner', {}));
      this.#options.logger.info(this.#fields, 'leader lease released');
    } catch (err) {
      this.#options.logger.warn({ ...this.#fields, err }, 'could not release the leader lease; it expires instead');
    }
  }

  /** The lease item as stored; null before any worker wrote it. */
  async read(): Promise<LeaderLeaseItem | null> {
    const out = await this.#options.client.send(new GetItemCommand({ TableName: this.#options.tableName, Key: this.#key, ConsistentRead: true }));
    return out.Item === undefined ? null : itemOf(out.Item);
  }

  #schedule(): void {
    if (this.#state !== 'running') return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#runRound().finally(() => this.#schedule());
    }, this.#renewIntervalMs);
    this.#timer.unref();
  }

  #runRound(): Promise<void> {
    const round = this.#roundOnce().catch((err: unknown) => this.#options.logger.warn({ ...this.#fields, err }, 'leader lease round failed; retrying at the next round'));
    this.#round = round;
    return round;
  }

  async #roundOnce(): Promise<void> {
    if (this.#state !== 'running') return;
    if (this.#held !== null) await this.#renew(this.#held);
    else await this.#tryTake();
  }

  async #renew(held: { epoch: number; renewedAtMs: number }): Promise<void> {
    const now = this.#now();
    try {
      const renewed = await this.#update(this.#ownedBy(held.epoch, 'SET leaseCounter = leaseCounter + :one', {}));
      if (renewed) {
        held.renewedAtMs = now;
        return;
      }
      await this.#lose('taken by another worker');
    } catch (err) {
      // Another worker takes the lease a whole duration after the last renewal it saw; give up before then.
      if (this.#now() - held.renewedAtMs >= this.#options.leaseDurationMs - this.#renewIntervalMs) {
        this.#options.logger.warn({ ...this.#fields, err }, 'leader lease not renewed in time; giving it up');
        await this.#lose('not renewed in time');
        return;
      }
      throw err;
    }
  }

  async #tryTake(): Promise<void> {
    const now = this.#now();
    const item = await this.read();
    let taken: number | null = null;
    if (item === null) {
      taken = (await this.#create()) ? 1 : null;
    } else if (item.owner === null) {
      taken = await this.#take(item, 'attribute_not_exists(leaseOwner)');
    } else {
      const seen = this.#sighting;
      if (seen === null || seen.owner !== item.owner || seen.counter !== item.counter) {
        this.#sighting = { owner: item.owner, counter: item.counter, sinceMs: now };
        return;
      }
      if (now - seen.sinceMs < this.#options.leaseDurationMs) return;
      this.#options.logger.info({ ...this.#fields, previousOwner: item.owner }, 'leader lease expired; taking it');
      taken = await this.#take(item, 'leaseOwner = :seenOwner AND leaseCounter = :seenCounter');
    }
    if (taken === null) return;
    this.#sighting = null;
    this.#held = { epoch: taken, renewedAtMs: now };
    this.#options.logger.info({ ...this.#fields, epoch: taken }, 'leader lease taken');
    try {
      await this.#options.onAcquired();
    } catch (err) {
      this.#options.logger.warn({ ...this.#fields, err }, 'could not start as leader; releasing the lease');
      this.#held = null;
      await this.#update(this.#ownedBy(taken, 'SET leaseCounter = leaseCounter + :one REMOVE leaseOwner', {}));
    }
  }

  async #lose(reason: string): Promise<void> {
    if (this.#held === null) return;
    this.#held = null;
    this.#options.logger.info({ ...this.#fields, reason }, 'leader lease lost');
    try {
      await this.#options.onLost();
    } catch (err) {
      this.#options.logger.warn({ ...this.#fields, err }, 'stopping as leader failed');
    }
  }

  async #create(): Promise<boolean> {
    try {
      await this.#options.client.send(
        new PutItemCommand({
          TableName: this.#options.tableName,
          Item: { ...this.#key, leaseKind: { S: 'leader' }, leaseOwner: { S: this.#options.workerId }, leaseCounter: num(1), leaseEpoch: num(1) },
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Takes the lease as it was seen; the new epoch, or null when it changed since. */
  async #take(seen: LeaderLeaseItem, condition: string): Promise<number | null> {
    const values: Item = { ':me': { S: this.#options.workerId }, ':one': num(1), ':epoch': num(seen.epoch) };
    if (seen.owner !== null) {
      values[':seenOwner'] = { S: seen.owner };
      values[':seenCounter'] = num(seen.counter);
    }
    const out = await this.#updateReturning({
      UpdateExpression: 'SET leaseOwner = :me, leaseCounter = leaseCounter + :one, leaseEpoch = leaseEpoch + :one',
      ConditionExpression: `leaseEpoch = :epoch AND ${condition}`,
      ExpressionAttributeValues: values,
    });
    return out === null ? null : out.epoch;
  }

  #ownedBy(epoch: number, update: string, values: Item): UpdateInput {
    return {
      UpdateExpression: update,
      ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :epoch',
      ExpressionAttributeValues: { ...values, ':me': { S: this.#options.workerId }, ':epoch': num(epoch), ':one': num(1) },
    };
  }

  async #update(input: UpdateInput): Promise<boolean> {
    return (await this.#updateReturning(input)) !== null;
  }

  async #updateReturning(input: UpdateInput): Promise<LeaderLeaseItem | null> {
    try {
      const out = await this.#options.client.send(
        new UpdateItemCommand({ TableName: this.#options.tableName, Key: this.#key, ReturnValues: 'ALL_NEW', ...input }),
      );
      return out.Attributes === undefined ? null : itemOf(out.Attributes);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }
}

type UpdateInput = Pick<UpdateItemCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>;

function itemOf(item: Item): LeaderLeaseItem {
  return { owner: item.leaseOwner?.S ?? null, counter: Number(item.leaseCounter?.N ?? '0'), epoch: Number(item.leaseEpoch?.N ?? '0') };
}

function num(value: number): AttributeValue {
  return { N: String(value) };
}
