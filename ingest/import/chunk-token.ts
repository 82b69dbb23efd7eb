/**
 * Insert deduplication token of one chunk of an imported object. It depends only on what the
 * object is (URI and ETag) and where the chunk lies in it (index and size), so a re-run cuts the
 * same chunks, sends the same tokens, and ClickHouse drops every chunk it already holds.
 */
import { createHash } from 'node:crypto';

export function chunkToken(uri: string, etag: string, chunkLines: number, chunkIndex: number): string {
  return createHash('sha256').update(JSON.stringify(['import', uri, etag, chunkLines, chunkIndex])).digest('hex');
}
