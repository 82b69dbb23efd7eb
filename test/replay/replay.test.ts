import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import type { RecordSink } from '../../ingest/source.js';
import { readLines } from '../../ingest/replay/line-reader.js';
import { createLineConverter, replayLines, ReplayWriteError, type ReplayProgress } from '../../ingest/replay/replay.js';

/** The 40 fields of the two real records in the reference (§7): timestamp … cs-headers-count, no s-ip. */
const REFERENCE_FIELDS = layoutOf(
  [
    'timestamp', 'c-ip', 'time-to-first-byte', 'sc-status', 'sc-bytes', 'cs-method', 'cs-protocol', 'cs-host', 'cs-uri-stem',
    'cs-bytes', 'x-edge-location', 'x-edge-request-id', 'x-host-header', 'time-taken', 'cs-protocol-version', 'c-ip-version',
    'cs-user-agent', 'cs-referer', 'cs-cookie', 'cs-uri-query', 'x-edge-response-result-type', 'x-forwarded-for',
    'ssl-protocol', 'ssl-cipher', 'x-edge-result-type', 'fle-encrypted-fields', 'fle-status', 'sc-content-type',
    'sc-content-len', 'sc-range-start', 'sc-range-end', 'c-port', 'x-edge-detailed-result-type', 'c-country',
    'cs-accept-encoding', 'cs-accept', 'cache-behavior-path-pattern', 'cs-headers', 'cs-header-names', 'cs-headers-count',
  ],
);
const REFERENCE_LINES = fs
  .readFileSync(new URL('../fixtures/reference-records.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.split('\t').length === REFERENCE_FIELDS.fields.length);

class MemorySink implements RecordSink {
  readonly batches: Buffer[][] = [];
  failAfter = Infinity;
  async putRecords(payloads: readonly Buffer[]): Promise<void> {
    await Promise.resolve();
    if (this.batches.length >= this.failAfter) throw new Error('AccessDeniedException');
    this.batches.push([...payloads]);
  }
  get lines(): string[] {
    return this.batches.flat().map((b) => b.toString('utf8'));
  }
}

describe('createLineConverter', () => {
  const from = layoutOf(['timestamp', 'sc-status', 'cs-uri-stem', 'c-country']);

  it('reorders to the target layout, fills missing fields with `-` and drops extra ones', () => {
    const to = layoutOf(['asn', 'c-country', 'timestamp']); // canonical: timestamp, c-country, asn
    const convert = createLineConverter(from, to);
    expect(convert('1600299221.087\t304\t/a?b=1\tUS\n')).toEqual({ ok: true, line: '1600299221.087\tUS\t-\n' });
  });

  it('passes lines of the same layout through, normalising the line end', () => {
    const convert = createLineConverter(from, from);
    expect(convert('1\t200\t/x\tDE')).toEqual({ ok: true, line: '1\t200\t/x\tDE\n' });
    expect(convert('1\t200\t/x\tDE\r\n')).toEqual({ ok: true, line: '1\t200\t/x\tDE\n' });
    expect(convert('1\t200\t/x\tDE\n\n')).toEqual({ ok: true, line: '1\t200\t/x\tDE\n' });
  });

  it('rejects wrong field counts, empty lines and embedded line breaks with a reason', () => {
    const convert = createLineConverter(from, layoutOf(['timestamp']));
    expect(convert('1\t200\t/x')).toEqual({ ok: false, reason: 'expected 4 tab-separated fields (source layout), got 3' });
    expect(convert('1\t200\t/x\tDE\textra')).toEqual({ ok: false, reason: 'expected 4 tab-separated fields (source layout), got 5' });
    expect(convert('\r\n')).toEqual({ ok: false, reason: 'empty line' });
    expect(convert('1\t200\n1\t200\t/x\tDE')).toMatchObject({ ok: false, reason: 'line break inside the line' });
    expect(convert('1\t2\r3\t4')).toMatchObject({ ok: false });
  });

  it('converts the real reference records to the default local layout, which the parser reads', () => {
    expect(REFERENCE_LINES).toHaveLength(2);
    const target = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
    const convert = createLineConverter(REFERENCE_FIELDS, target);
    const parser = new LogParser(target);
    for (const line of REFERENCE_LINES) {
      const result = convert(line);
      if (!result.ok) throw new Error(result.reason);
      const values = result.line.slice(0, -1).split('\t');
      expect(values).toHaveLength(target.fields.length);
      expect(values[target.names.indexOf('s-ip')]).toBe('-');
      expect(values[target.names.indexOf('x-edge-request-id')]).toBe(line.split('\t')[REFERENCE_FIELDS.names.indexOf('x-edge-request-id')]);
      const parsed = parser.parsePayload(result.line);
      expect(parsed.deadLetters).toEqual([]);
      expect(parsed.records).toHaveLength(1);
    }
  });
});

describe('replayLines', () => {
  const layout = layoutOf(['timestamp', 'sc-status']);
  const convert = createLineConverter(layout, layout);
  const goodLines = (n: number): string[] => Array.from({ length: n }, (_, i) => `${1_700_000_000 + i}.000\t200`);

  it('batches into putRecords calls of at most 500 payloads, one line each', async () => {
    const sink = new MemorySink();
    const summary = await replayLines({ input: goodLines(1_234), convert, sink });
    expect(summary).toMatchObject({ lines: 1_234, skipped: 0, errors: [], errorsOmitted: 0, aborted: false });
    expect(sink.batches.map((b) => b.length)).toEqual([500, 500, 234]);
    expect(sink.lines[0]).toBe('1700000000.000\t200\n');
    const small = new MemorySink();
    await replayLines({ input: goodLines(10), convert, sink: small, batchSize: 4 });
    expect(small.batches.map((b) => b.length)).toEqual([4, 4, 2]);
    await expect(replayLines({ input: [], convert, sink, batchSize: 501 })).rejects.toThrow(RangeError);
  });

  it('skips bad lines with their line numbers and bounds the error list', async () => {
    const input = async function* (): AsyncGenerator<string> {
      await Promise.resolve();
      yield '1.000\t200';
      yield 'garbage';
      yield '';
      for (let i = 0; i < 10; i++) yield `bad\tline\t${i}`;
      yield '2.000\t304\r';
    };
    const sink = new MemorySink();
    const summary = await replayLines({ input: input(), convert, sink, maxErrors: 5 });
    expect(summary.lines).toBe(2);
    expect(summary.skipped).toBe(12);
    expect(summary.errors).toHaveLength(5);
    expect(summary.errors[0]).toEqual({ line: 2, reason: 'expected 2 tab-separated fields (source layout), got 1' });
    expect(summary.errors[1]).toEqual({ line: 3, reason: 'empty line' });
    expect(summary.errorsOmitted).toBe(7);
    expect(sink.lines).toEqual(['1.000\t200\n', '2.000\t304\n']);
  });

  it('limits the rate with small batches and reports progress', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const progress: ReplayProgress[] = [];
    const sink = new MemorySink();
    const summary = await replayLines({
      input: goodLines(100),
      convert,
      sink,
      ratePerSecond: 50,
      now: () => clock,
      sleep: (ms) => {
        sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
      onProgress: (p) => progress.push(p),
    });
    expect(summary.lines).toBe(100);
    // 50 lines/s → batches of 5 (100 ms of lines), the last one due at 95 lines / 50 per s = 1.9 s.
    expect(sink.batches.every((b) => b.length === 5)).toBe(true);
    expect(clock).toBe(1_900);
    expect(sleeps.every((ms) => ms === 100)).toBe(true);
    expect(progress).toHaveLength(20);
    expect(progress.at(-1)).toMatchObject({ lines: 100, skipped: 0, elapsedMs: 1_900 });
    expect(progress.at(-1)?.ratePerSecond).toBeCloseTo(100 / 1.9, 5);
  });

  it('stops with a ReplayWriteError that tells how far it got when the sink fails', async () => {
    const sink = new MemorySink();
    sink.failAfter = 2;
    const error = await replayLines({ input: goodLines(1_600), convert, sink }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayWriteError);
    expect((error as ReplayWriteError).summary.lines).toBe(1_000);
    expect((error as ReplayWriteError).message).toMatch(/after 1000 lines.*AccessDeniedException/);
  });

  it('stops reading when aborted and still writes what it read', async () => {
    const controller = new AbortController();
    const input = function* (): Generator<string> {
      for (let i = 0; ; i++) {
        if (i === 700) controller.abort();
        yield `${i}.000\t200`;
      }
    };
    const sink = new MemorySink();
    const summary = await replayLines({ input: input(), convert, sink, signal: controller.signal });
    expect(summary).toMatchObject({ lines: 700, aborted: true });
    expect(sink.lines).toHaveLength(700);
  });
});

describe('readLines', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-replay-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads plain and gzip files line by line and reports bytes read', async () => {
    const text = 'a\tb\nc\td\r\ne\tf\n';
    const plain = path.join(dir, 'lines.tsv');
    fs.writeFileSync(plain, text);
    const gz = path.join(dir, 'lines.tsv.gz');
    fs.writeFileSync(gz, gzipSync(text));
    for (const file of [plain, gz]) {
      const input = readLines(file);
      expect(input.totalBytes).toBe(fs.statSync(file).size);
      const lines: string[] = [];
      for await (const line of input.lines) lines.push(line);
      expect(lines).toEqual(['a\tb', 'c\td', 'e\tf']);
      expect(input.bytesRead()).toBe(input.totalBytes);
    }
  });
});
