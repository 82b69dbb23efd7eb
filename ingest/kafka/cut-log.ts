/**
 * The cut log of a raw-lines topic: before a batch of a partition is inserted, its offset range is
 * committed as the metadata of the partition's offset (the offset itself stays at the batch's first
 * message). After the insert the offset moves past the batch and the metadata is cleared.
 *
 * So the group's committed offsets, which Kafka keeps durably in its compacted `__consumer_offsets`
 * topic and fences by group generation, always say where to resume and which batch was under way.
 * A member that takes a partition over re-cuts exactly that batch first, and its insert gets the same
 * deduplication token; no other store is needed.
 */
import type { SequenceRange } from '../checkpoints/checkpoint-store.js';

const PREFIX = 'edgewatch-cut/1:';
const DECIMAL = /^(0|[1-9]\d{0,18})$/;

export function encodeCut(range: SequenceRange): string {
  return `${PREFIX}${range.first}-${range.last}`;
}

/**
 * The cut recorded in a committed offset's metadata, or null when there is none (or it is not a cut
 * of this format, e.g. written by another tool). A cut that ends before the committed offset is
 * stale and ignored.
 */
export function decodeCut(metadata: string | null, committedOffset: string | null): SequenceRange | null {
  if (metadata === null || !metadata.startsWith(PREFIX)) return null;
  const [first, last, ...rest] = metadata.slice(PREFIX.length).split('-');
  if (first === undefined || last === undefined || rest.length > 0 || !DECIMAL.test(first) || !DECIMAL.test(last)) return null;
  if (BigInt(first) > BigInt(last)) return null;
  if (committedOffset !== null && BigInt(last) < BigInt(committedOffset)) return null;
  return { first, last };
}
