/**
 * Bytes of an object → its lines, streaming: gzip is recognised by its magic bytes (not the name)
 * and decompressed on the way, so memory stays bounded whatever the size. Lines come in arrays (one
 * per decoded chunk) to keep per-line overhead out of the hot path. Counts the stored (possibly
 * compressed) bytes read, for progress.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

export interface DecodedLines {
  /** Lines without their `\n` (a trailing `\r` is kept; parsers tolerate it). */
  readonly lines: AsyncIterable<string[]>;
  /** Stored bytes consumed so far. */
  bytesRead(): number;
}

const asBuffer = (chunk: unknown): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));

export async function decodeLines(source: Readable): Promise<DecodedLines> {
  let bytes = 0;
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  // The first two bytes decide gzip or not; a stream may hand them over in separate chunks.
  let head: Buffer | null = null;
  while (head === null || head.length < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    head = head === null ? asBuffer(next.value) : Buffer.concat([head, asBuffer(next.value)]);
  }
  const gzip = head !== null && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

  async function* stored(): AsyncGenerator<Buffer> {
    if (head === null) return;
    bytes += head.length;
    yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      const chunk = asBuffer(next.value);
      bytes += chunk.length;
      yield chunk;
    }
  }

  async function* split(): AsyncGenerator<string[]> {
    const input = Readable.from(stored(), { objectMode: false });
    let text: Readable = input;
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: 256 * 1024 });
      input.on('error', (err) => gunzip.destroy(err));
      text = input.pipe(gunzip);
    }
    const decoder = new StringDecoder('utf8');
    let carry = '';
    try {
      for await (const chunk of text) {
        const part = carry + decoder.write(asBuffer(chunk));
        const lines = part.split('\n');
        carry = lines.pop() ?? '';
        if (lines.length > 0) yield lines;
      }
      const rest = carry + decoder.end();
      if (rest.length > 0) yield [rest];
    } finally {
      text.destroy();
      input.destroy();
      source.destroy();
    }
  }

  return { lines: split(), bytesRead: () => bytes };
}
