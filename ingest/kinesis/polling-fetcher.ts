/**
 * Polling: GetShardIterator, then GetRecords with each response's NextShardIterator, within the shard's
 * read budget (5 calls/s, a byte rate) and at the configured idle poll interval.
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ReadBudget } from './read-budget.js';
import type { ReadBudgetLimits } from './read-budget.js';
import { recordBytes } from './record-fetcher.js';
import type { FetchedRecords, ReadPosition, RecordFetcher } from './record-fetcher.js';

// GetRecords returns at most 10,000 records per call (reference §6.2).
const GET_RECORDS_LIMIT = 10_000;
// 5 GetRecords calls per second per shard: never call more often than every 200 ms.
export const MIN_POLL_INTERVAL_MS = 200;
// A response this full means more is waiting: poll again as soon as the budget allows.
const BUSY_RESPONSE_RECORDS = 1_000;
// Iterators expire after 5 minutes; renew before that while paused (slow or failing handler).
const ITERATOR_REFRESH_MS = 4 * 60_000;

export interface PollingFetcherOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly shardId: string;
  /** Pause between calls on a shard with little data. */
  readonly pollIntervalMs: number;
  readonly budget: ReadBudgetLimits;
}

export class PollingFetcher implements RecordFetcher {
  readonly mode = 'polling' as const;
  private readonly opts: PollingFetcherOptions;
  private readonly budget: ReadBudget;
  private iterator: string | null = null;
  private iteratorIssuedAtMs = 0;
  private lastOperation = 'GetRecords';

  constructor(opts: PollingFetcherOptions) {
    this.opts = opts;
    this.budget = new ReadBudget(opts.budget);
  }

  get operation(): string {
    return this.lastOperation;
  }

  async fetch(from: () => ReadPosition, signal: AbortSignal): Promise<FetchedRecords> {
    if (this.iterator === null || Date.now() - this.iteratorIssuedAtMs > ITERATOR_REFRESH_MS) {
      this.iterator = await this.shardIterator(from(), signal);
    }
    this.lastOperation = 'GetRecords';
    this.budget.onCall(Date.now());
    const out = await this.opts.client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT }), {
      abortSignal: signal,
    });
    const records = out.Records ?? [];
    this.budget.onBytes(recordBytes(records), Date.now());
    this.iterator = out.NextShardIterator ?? null;
    this.iteratorIssuedAtMs = Date.now();
    // A null NextShardIterator is the only sign of a closed shard read to its end.
    const shardEnd = out.NextShardIterator === undefined || out.NextShardIterator === null;
    const childShardIds = (out.ChildShards ?? []).map((child) => child.ShardId).filter((id): id is string => id !== undefined);
    return { records, millisBehindLatest: out.MillisBehindLatest ?? null, shardEnd, childShardIds };
  }

  nextFetchAtMs(last: FetchedRecords, callStartedAtMs: number): number {
    const busy =
      last.records.length >= BUSY_RESPONSE_RECORDS || (last.records.length > 0 && (last.millisBehindLatest ?? 0) > this.opts.pollIntervalMs);
    return Math.max(callStartedAtMs + (busy ? MIN_POLL_INTERVAL_MS : this.opts.pollIntervalMs), this.budget.nextCallAtMs());
  }

  reposition(): void {
    this.iterator = null;
  }

  close(): void {
    this.iterator = null;
  }

  private async shardIterator(position: ReadPosition, signal: AbortSignal): Promise<string> {
    this.lastOperation = 'GetShardIterator';
    const out = await this.opts.client.send(
      new GetShardIteratorCommand({
        StreamName: this.opts.streamName,
        ShardId: this.opts.shardId,
        ShardIteratorType: position.type,
        ...(position.sequenceNumber === undefined ? {} : { StartingSequenceNumber: position.sequenceNumber }),
      }),
      { abortSignal: signal },
    );
    if (out.ShardIterator === undefined) throw new Error(`GetShardIterator returned no iterator for ${this.opts.shardId}`);
    this.iteratorIssuedAtMs = Date.now();
    return out.ShardIterator;
  }
}
