import { describe, expect, it } from 'vitest';
import { F } from '../../processor/fields/catalogue.js';
import {
  DEAD_LETTER_COLUMNS,
  REQUEST_COLUMNS,
  encodeDeadLetterRow,
  encodeDeadLetterRows,
  encodeRequestRow,
  encodeRequestRows,
} from '../../processor/storage/row-encoder.js';
import { escapeTsv, tsvCell, tsvEpochMs } from '../../processor/storage/tsv.js';
import { hitRecord, makeRecord } from './records.js';

const META = { shardId: 'shardId-000000000001', sequenceNumber: '49590338271490256608559692538361571095921575989136588898' };

function cellsOf(line: string): string[] {
  expect(line.endsWith('\n')).toBe(true);
  return line.slice(0, -1).split('\t');
}

describe('escapeTsv', () => {
  it('leaves plain text as is', () => {
    const text = 'Mozilla/5.0 (X11; Linux x86_64) — ünïcödé 日本 😀';
    expect(escapeTsv(text)).toBe(text);
  });

  it('escapes backslash, tab, newline, carriage return and NUL', () => {
    expect(escapeTsv('a\tb\nc\rd\\e\0f')).toBe('a\\tb\\nc\\rd\\\\e\\0f');
  });

  it('never lets text read as NULL', () => {
    expect(escapeTsv('\\N')).toBe('\\\\N');
  });
});

describe('tsvCell', () => {
  it('writes null and absent values as \\N and non-finite numbers as \\N', () => {
    expect(tsvCell(null)).toBe('\\N');
    expect(tsvCell(undefined)).toBe('\\N');
    expect(tsvCell(Number.NaN)).toBe('\\N');
    expect(tsvCell(Number.POSITIVE_INFINITY)).toBe('\\N');
  });

  it('writes numbers as JS prints them and text escaped', () => {
    expect(tsvCell(0)).toBe('0');
    expect(tsvCell(0.253)).toBe('0.253');
    expect(tsvCell(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(tsvCell('')).toBe('');
    expect(tsvCell('x\ty')).toBe('x\\ty');
  });
});

describe('tsvEpochMs', () => {
  it('writes seconds with exactly three decimals', () => {
    expect(tsvEpochMs(1600299221087)).toBe('1600299221.087');
    expect(tsvEpochMs(1600299221000)).toBe('1600299221.000');
    expect(tsvEpochMs(1600299221005)).toBe('1600299221.005');
    expect(tsvEpochMs(1600299221050)).toBe('1600299221.050');
  });
});

describe('encodeRequestRow', () => {
  it('writes one line with one cell per REQUEST_COLUMNS entry, even with tricky text', () => {
    const rec = hitRecord(1600299221087, { cs_user_agent: 'a\tb\nc\\d\r\\N', cs_cookie: 'x\ty\nz' });
    const out: string[] = [];
    encodeRequestRow(rec, META, out);
    expect(out).toHaveLength(1);
    const cells = cellsOf(out[0] ?? '');
    expect(cells).toHaveLength(REQUEST_COLUMNS.length);
    const cell = (column: string): string | undefined => cells[REQUEST_COLUMNS.indexOf(column)];
    expect(cell('timestamp')).toBe('1600299221.087');
    expect(cell('cs_user_agent')).toBe('a\\tb\\nc\\\\d\\r\\\\N');
    expect(cell('sc_status')).toBe('200');
    expect(cell('cs_referer')).toBe('\\N');
    expect(cell('pop_lat')).toBe('37.619');
    expect(cell('geo_blocked')).toBe('0');
    expect(cell('sequence_number')).toBe(META.sequenceNumber);
    expect(cell('shard_id')).toBe(META.shardId);
  });

  it('writes absent derived numbers as \\N and empty derived text as empty cells', () => {
    const rec = makeRecord(1600299221000, { sc_status: 0 }, { pop_lat: null, pop_lon: null, pop_code: '', geo_blocked: 1 });
    const out: string[] = [];
    encodeRequestRow(rec, META, out);
    const cells = cellsOf(out[0] ?? '');
    expect(cells[REQUEST_COLUMNS.indexOf('pop_lat')]).toBe('\\N');
    expect(cells[REQUEST_COLUMNS.indexOf('pop_code')]).toBe('');
    expect(cells[REQUEST_COLUMNS.indexOf('geo_blocked')]).toBe('1');
    expect(cells[F.sc_status]).toBe('0');
  });
});

describe('encodeRequestRows', () => {
  it('joins the rows of many slices into one UTF-8 payload', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ enriched: hitRecord(1600299221000 + i, { cs_uri_stem: `/é/${i}` }), ...META }));
    const payload = encodeRequestRows(rows);
    const lines = payload.toString('utf8').split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines[9_999]?.split('\t')[F.cs_uri_stem]).toBe('/é/9999');
  });
});

describe('encodeDeadLetterRow', () => {
  it('writes the dead letter columns with the input escaped', () => {
    const out: string[] = [];
    encodeDeadLetterRow(
      { line: 7, reason: 'not an HTTP status: 2x0', field: 'sc-status', input: '1600299221.087\t1.2.3.4\n\\N', source: 'kinesis', stream: 'logs', shardId: 's-1', sequenceNumber: '42', receivedAtMs: 1600299222000 },
      out,
    );
    const cells = cellsOf(out[0] ?? '');
    expect(cells).toHaveLength(DEAD_LETTER_COLUMNS.length);
    expect(cells).toEqual(['1600299222.000', 'kinesis', 'logs', 's-1', '42', '7', 'sc-status', 'not an HTTP status: 2x0', '1600299221.087\\t1.2.3.4\\n\\\\N']);
  });

  it('writes a missing field as \\N', () => {
    const payload = encodeDeadLetterRows([
      { line: 1, reason: 'r', field: null, input: '', source: 'file', stream: '', shardId: '', sequenceNumber: '', receivedAtMs: 0 },
    ]);
    expect(payload.toString()).toBe('0.000\tfile\t\t\t\t1\t\\N\tr\t\n');
  });
});

describe('encodeDeadLetterRow with unusable numbers', () => {
  it('still writes a row ClickHouse can read: receipt time now, line 0', () => {
    const out: string[] = [];
    const before = Date.now();
    encodeDeadLetterRow({ line: -1, reason: 'r', field: null, input: 'x', source: 's', stream: '', shardId: '', sequenceNumber: '', receivedAtMs: Number.NaN }, out);
    const cells = (out[0] ?? '').split('\t');
    expect(Number(cells[0]) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(cells[5]).toBe('0');
  });
});
