/**
 * Reads log lines from a file (plain or `.gz`) or stdin, and reports how far through the input it
 * is, so the progress line can show a percentage and the time left.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface LineInput {
  readonly lines: AsyncIterable<string>;
  /** Bytes of the input consumed so far (compressed bytes for `.gz`). */
  bytesRead(): number;
  /** Size of the input in bytes when known (files), else null (stdin). */
  readonly totalBytes: number | null;
}

function fromStream(source: Readable, gzip: boolean, totalBytes: number | null): LineInput {
  let bytes = 0;
  source.on('data', (chunk: Buffer | string) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  });
  const text = gzip ? source.pipe(createGunzip()) : source;
  if (gzip) source.on('error', (err) => text.destroy(err));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  return { lines, bytesRead: () => bytes, totalBytes };
}

/** Lines of `path`, or of stdin when `path` is `-`. Files ending in `.gz` are decompressed. */
export function readLines(path: string): LineInput {
  if (path === '-') return fromStream(process.stdin, false, null);
  const totalBytes = statSync(path).size;
  return fromStream(createReadStream(path), path.endsWith('.gz'), totalBytes);
}
