/**
 * How the Kinesis source learns which shards it may read when several workers share a stream. Without
 * one, a single worker owns every shard (embedded mode).
 */
import type { CheckpointStore } from '../checkpoints/checkpoint-store.js';

export interface ListedShard {
  readonly shardId: string;
  /** Parents that are still listed (expired parents count as finished). */
  readonly parentShardIds: readonly string[];
}

/** This worker's hold on one shard, from the moment it took the lease until it loses or releases it. */
export interface ShardHolding {
  readonly shardId: string;
  /** Changes every time the lease changes hands: a reader belongs to exactly one holding. */
  readonly epoch: number;
  /** The shard's checkpoints; writes fail with LeaseLostError once the lease is no longer this holding's. */
  readonly checkpoints: CheckpointStore;
}

export interface ShardOwnership {
  /** This worker, as lease owner. */
  readonly workerId: string;
  /**
   * Makes sure every listed shard has a lease (new shards get one with their parents), given every
   * shard the stream lists; deletes the leases of finished shards it no longer lists (expired).
   */
  track(shards: readonly ListedShard[]): Promise<void>;
  /** The holding of a shard this worker reads now, or undefined. */
  holding(shardId: string): ShardHolding | undefined;
  /** Owner of each known shard's lease as last seen (null: free or finished), for health reports. */
  owners(): ReadonlyMap<string, string | null>;
  /** Called when this worker gains or loses a lease, or another worker finishes a shard. Returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}
