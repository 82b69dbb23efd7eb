/**
 * What an import reads: gzip recognised by its bytes (not its name), lines across chunk boundaries and
 * without a final newline, what keys say (standard-log and Firehose layouts), and format detection.
 */
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../ingest/import/format-detect.js';
import { hourInRange, keyInfo } from '../../ingest/import/key-info.js';
import { decodeLines } from '../../ingest/import/line-decoder.js';
import { chunkToken } from '../../ingest/import/chunk-token.js';
import { parseS3Uri } from '../../ingest/import/s3-lister.js';

async function allLines(chunks: Buffer[]): Promise<{ lines: string[]; bytes: number }> {
  const decoded = await decodeLines(Readable.from(chunks));
  const lines: string[] = [];
  for await (const batch of decoded.lines) lines.push(...batch);
  return { lines, bytes: decoded.bytesRead() };
}

describe('decodeLines', () => {
  const text = 'first\tline\nsecond line ü\r\nthird';
  it('splits plain text into lines, whatever the chunk boundaries (even inside a UTF-8 character)', async () => {
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('ü')) + 1;
    const result = await allLines([bytes.subarray(0, 3), bytes.subarray(3, cut), bytes.subarray(cut)]);
    expect(result.lines).toEqual(['first\tline', 'second line ü\r', 'third']);
    expect(result.bytes).toBe(bytes.length);
  });

  it('decompresses gzip recognised by its magic bytes, and counts the compressed bytes read', async () => {
    const gz = zlib.gzipSync(text);
    const result = await allLines([gz.subarray(0, 1), gz.subarray(1)]);
    expect(result.lines).toEqual(['first\tline', 'second line ü\r', 'third']);
    expect(result.bytes).toBe(gz.length);
  });

  it('gives nothing for an empty input', async () => {
    expect((await allLines([])).lines).toEqual([]);
  });
});

describe('keyInfo', () => {
  it('reads the distribution and hour of a standard-log key', () => {
    expect(keyInfo('logs/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz')).toEqual({
      hourMs: Date.UTC(2019, 10, 14, 20),
      distributionId: 'EMLARXS9EXAMPLE',
      standardName: true,
    });
  });

  it('reads the hour of a Firehose archive key', () => {
    expect(keyInfo('rt/2024/03/05/17/cf-rt-1-2024-03-05-17-12-44-8f1c2b.gz')).toMatchObject({ hourMs: Date.UTC(2024, 2, 5, 17), distributionId: null });
    expect(keyInfo('rt/cf-rt-1-2024-03-05-17-12-44-8f1c2b')).toMatchObject({ hourMs: Date.UTC(2024, 2, 5, 17) });
    expect(keyInfo('misc/notes.txt')).toEqual({ hourMs: null, distributionId: null, standardName: false });
  });

  it('keeps an hour that overlaps the range, and unknown hours always', () => {
    const h = Date.UTC(2024, 0, 1, 10);
    expect(hourInRange(h, h + 30 * 60_000, null)).toBe(true);
    expect(hourInRange(h, h + 3_600_000, null)).toBe(false);
    expect(hourInRange(h, null, h)).toBe(false);
    expect(hourInRange(h, null, h + 1)).toBe(true);
    expect(hourInRange(null, h, h + 1)).toBe(true);
  });
});

describe('format detection, S3 URIs and chunk tokens', () => {
  it('detects standard logs by their header and real-time lines otherwise', () => {
    expect(detectFormat('#Version: 1.0', false)).toBe('standard');
    expect(detectFormat('#Fields: date time', false)).toBe('standard');
    expect(detectFormat('1600299221.087\t1.2.3.4', true)).toBe('realtime');
    expect(detectFormat(undefined, true)).toBe('standard');
  });

  it('parses s3://bucket/prefix', () => {
    expect(parseS3Uri('s3://my-logs/cf/standard/')).toEqual({ bucket: 'my-logs', prefix: 'cf/standard/' });
    expect(parseS3Uri('s3://my-logs')).toEqual({ bucket: 'my-logs', prefix: '' });
    expect(parseS3Uri('s3://')).toBeNull();
    expect(parseS3Uri('/local/path')).toBeNull();
  });

  it('derives a chunk token from the object and the chunk only', () => {
    const a = chunkToken('s3://b/k.gz', 'etag1', 20000, 3);
    expect(chunkToken('s3://b/k.gz', 'etag1', 20000, 3)).toBe(a);
    expect(chunkToken('s3://b/k.gz', 'etag2', 20000, 3)).not.toBe(a);
    expect(chunkToken('s3://b/k.gz', 'etag1', 20000, 4)).not.toBe(a);
    expect(chunkToken('s3://b/k.gz', 'etag1', 10000, 3)).not.toBe(a);
  });
});
