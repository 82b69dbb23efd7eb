/**
 * Insert deduplication token of a batch. It depends only on the source range, so a batch
 * re-cut after a crash (same stream, shard and sequence range) gets the same token and
 * ClickHouse drops the replayed insert.
 */
import { createHash } from 'node:crypto';

export function batchToken(stream: string, shardId: string, firstSequence: string, lastSequence: string): string {
  // JSON keeps the parts apart: ('a|b', 'c') and ('a', 'b|c') must not collide.
  return createHash('sha256').update(JSON.stringify([stream, shardId, firstSequence, lastSequence])).digest('hex');
}
