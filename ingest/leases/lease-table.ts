/**
 * The lease table in DynamoDB: one item per shard, keyed by `leaseKey` = shard id, every change a
 * conditional write. Created on first use (on-demand billing) when missing.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { SequenceRange } from '../checkpoints/checkpoint-store.js';
import { sleep } from '../kinesis/backoff.js';
import { LeaseLostError, LeaseTableMismatchError } from './lease.js';
import type { Lease } from './lease.js';

export interface LeaseTableOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly streamName: string;
}

/** What a take expects to find; the write fails if the lease changed since. */
export interface LeaseExpectation {
  readonly owner: string | null;
  readonly epoch: number;
  /** Set when taking an expired lease: it must not have been renewed since it was seen. */
  readonly counter?: number;
}

type Item = Record<string, AttributeValue>;
type UpdateInput = Pick<UpdateItemCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>;

const ACTIVE_POLL_MS = 200;
const ACTIVE_TIMEOUT_MS = 120_000;

export class DynamoDbLeaseTable {
  readonly tableName: string;
  readonly streamName: string;
  private readonly client: DynamoDBClient;

  constructor(opts: LeaseTableOptions) {
    this.client = opts.client;
    this.tableName = opts.tableName;
    this.streamName = opts.streamName;
  }

  /** Creates the table when it does not exist (PAY_PER_REQUEST) and waits until it is ACTIVE. */
  ensureTable(signal?: AbortSignal): Promise<'created' | 'existing'> {
    return ensureLeaseTable(this.client, this.tableName, signal);
  }

  /** Every lease, read consistently. */
  async scan(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
      // Leader leases (leader-lease.ts) share the table; they belong to no shard.
      for (const item of page.Items ?? []) if (item.leaseKind === undefined) leases.push(this.toLease(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return leases;
  }

  async get(shardId: string): Promise<Lease | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(shardId), ConsistentRead: true }));
    return out.Item === undefined ? undefined : this.toLease(out.Item);
  }

  /** Writes a free lease for a newly listed shard; false when it exists already. */
  async create(shardId: string, parentShardIds: readonly string[]): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key(shardId),
            streamName: { S: this.streamName },
            leaseCounter: { N: '0' },
            leaseEpoch: { N: '0' },
            finished: { BOOL: false },
            parentShardIds: { L: parentShardIds.map((id) => ({ S: id })) },
          },
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Takes a free, expired or (stealing) another worker's lease; null when it changed since it was seen. */
  async take(shardId: string, workerId: string, expected: LeaseExpectation): Promise<Lease | null> {
    const conditions = ['leaseEpoch = :epoch', 'finished = :false'];
    const values: Item = { ':epoch': num(expected.epoch), ':false': { BOOL: false }, ':me': { S: workerId }, ':one': num(1) };
    if (expected.owner === null) conditions.push('attribute_not_exists(leaseOwner)');
    else {
      conditions.push('leaseOwner = :seenOwner');
      values[':seenOwner'] = { S: expected.owner };
    }
    if (expected.counter !== undefined) {
      conditions.push('leaseCounter = :seenCounter');
      values[':seenCounter'] = num(expected.counter);
    }
    return this.update(shardId, {
      UpdateExpression: 'SET leaseOwner = :me, leaseCounter = leaseCounter + :one, leaseEpoch = leaseEpoch + :one',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: values,
    });
  }

  /** Proves the owner is alive; null when the lease was taken by another worker. */
  renew(shardId: string, workerId: string, epoch: number): Promise<Lease | null> {
    return this.update(shardId, ownedBy(workerId, epoch, 'SET leaseCounter = leaseCounter + :one', { ':one': num(1) }));
  }

  /** Frees the lease at once (graceful stop), so another worker takes it without waiting for expiry. */
  async release(shardId: string, workerId: string, epoch: number): Promise<boolean> {
    const out = await this.update(shardId, ownedBy(workerId, epoch, 'SET leaseCounter = leaseCounter + :one REMOVE leaseOwner', { ':one': num(1) }));
    return out !== null;
  }

  async markInFlight(shardId: string, workerId: string, epoch: number, range: SequenceRange): Promise<void> {
    const out = await this.update(shardId, ownedBy(workerId, epoch, 'SET inFlight = :range', { ':range': { M: { first: { S: range.first }, last: { S: range.last } } } }));
    if (out === null) throw new LeaseLostError(shardId, workerId, 'markInFlight');
  }

  async commit(shardId: string, workerId: string, epoch: number, sequenceNumber: string): Promise<void> {
    const out = await this.update(shardId, ownedBy(workerId, epoch, 'SET checkpoint = :seq REMOVE inFlight', { ':seq': { S: sequenceNumber } }));
    if (out === null) throw new LeaseLostError(shardId, workerId, 'commit');
  }

  /** SHARD_END: marks the shard read to its end and frees the lease (a finished shard needs no owner). */
  async markFinished(shardId: string, workerId: string, epoch: number): Promise<void> {
    const out = await this.update(
      shardId,
      ownedBy(workerId, epoch, 'SET finished = :true, leaseCounter = leaseCounter + :one REMOVE inFlight, leaseOwner', { ':true': { BOOL: true }, ':one': num(1) }),
    );
    if (out === null) throw new LeaseLostError(shardId, workerId, 'markFinished');
  }

  /** Deletes a finished shard's lease; false when it is gone already or not finished. */
  async deleteFinished(shardId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(shardId),
          ConditionExpression: 'finished = :true AND streamName = :stream',
          ExpressionAttributeValues: { ':true': { BOOL: true }, ':stream': { S: this.streamName } },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  private async update(shardId: string, input: UpdateInput): Promise<Lease | null> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({ TableName: this.tableName, Key: key(shardId), ReturnValues: 'ALL_NEW', ...input }),
      );
      return out.Attributes === undefined ? null : this.toLease(out.Attributes);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  private toLease(item: Item): Lease {
    const shardId = item.leaseKey?.S;
    if (shardId === undefined) throw new Error(`lease table ${this.tableName} holds an item without leaseKey`);
    const streamName = item.streamName?.S ?? '';
    if (streamName !== this.streamName) throw new LeaseTableMismatchError(this.tableName, this.streamName, streamName);
    const first = item.inFlight?.M?.first?.S;
    const last = item.inFlight?.M?.last?.S;
    return {
      shardId,
      streamName,
      owner: item.leaseOwner?.S ?? null,
      counter: Number(item.leaseCounter?.N ?? '0'),
      epoch: Number(item.leaseEpoch?.N ?? '0'),
      checkpoint: item.checkpoint?.S ?? null,
      inFlight: first !== undefined && last !== undefined ? { first, last } : null,
      finished: item.finished?.BOOL === true,
      parentShardIds: (item.parentShardIds?.L ?? []).map((v) => v.S).filter((id): id is string => id !== undefined),
    };
  }
}

/** Creates a lease table when it does not exist (PAY_PER_REQUEST) and waits until it is ACTIVE. */
export async function ensureLeaseTable(client: DynamoDBClient, tableName: string, signal?: AbortSignal): Promise<'created' | 'existing'> {
  let created: 'created' | 'existing' = 'existing';
  if ((await tableStatus(client, tableName)) === null) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      created = 'created';
    } catch (err) {
      // Another worker created it at the same moment.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await tableStatus(client, tableName);
    if (status === 'ACTIVE') return created;
    if (Date.now() > deadline) throw new Error(`lease table ${tableName} is not ACTIVE after ${ACTIVE_TIMEOUT_MS} ms (status ${status ?? 'missing'})`);
    await sleep(ACTIVE_POLL_MS, signal);
    signal?.throwIfAborted();
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | null> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus ?? null;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return null;
    throw err;
  }
}

function key(shardId: string): Item {
  return { leaseKey: { S: shardId } };
}

function num(value: number): AttributeValue {
  return { N: String(value) };
}

/** An update that applies only while `workerId` holds the lease it took as `epoch`. */
function ownedBy(workerId: string, epoch: number, updateExpression: string, values: Item): UpdateInput {
  return {
    UpdateExpression: updateExpression,
    ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :epoch',
    ExpressionAttributeValues: { ...values, ':me': { S: workerId }, ':epoch': num(epoch) },
  };
}
