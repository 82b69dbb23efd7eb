/**
 * A shard lease as the lease table keeps it (one item per shard, after the Kinesis Client Library's
 * design): who reads the shard, proof that it is alive, and the shard's progress.
 */
import type { SequenceRange } from '../checkpoints/checkpoint-store.js';

export interface Lease {
  readonly shardId: string;
  readonly streamName: string;
  /** Worker reading the shard; null when free (new, released, or finished). */
  readonly owner: string | null;
  /** Incremented by every renewal and every change of owner; a counter that stops moving means a dead owner. */
  readonly counter: number;
  /**
   * Incremented whenever a worker takes the lease. Checkpoint writes are conditional on owner and epoch,
   * so a worker that lost the lease cannot write, even if it later takes the same lease again.
   */
  readonly epoch: number;
  /** Last sequence number durable downstream; null = none yet. */
  readonly checkpoint: string | null;
  /** Range recorded before its write and not yet committed: a new owner re-cuts exactly this batch. */
  readonly inFlight: SequenceRange | null;
  /** The shard is closed and read to its end (SHARD_END); its children may start. */
  readonly finished: boolean;
  /** Parents listed when the lease was created (one after a split, two after a merge). */
  readonly parentShardIds: readonly string[];
}

/** This worker no longer holds the shard's lease: the write was refused, nothing was changed. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  readonly shardId: string;

  constructor(shardId: string, workerId: string, operation: string) {
    super(`${operation} on shard ${shardId} refused: worker ${workerId} no longer holds its lease`);
    this.shardId = shardId;
  }
}

/** The lease table holds leases of another stream; sharing a table between streams would mix their shards. */
export class LeaseTableMismatchError extends Error {
  override readonly name = 'LeaseTableMismatchError';

  constructor(table: string, expected: string, found: string) {
    super(`lease table ${table} holds leases of stream "${found}", not "${expected}": use one lease table per stream (EDGEWATCH_LEASE_TABLE)`);
  }
}
