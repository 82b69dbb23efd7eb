import { describe, expect, it } from 'vitest';
import { F } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { encodeRawRequestRows } from '../../processor/storage/raw-request-rows.js';
import { DEAD_LETTER_COLUMNS, DERIVED_COLUMNS, encodeDeadLetterRow, encodeDeadLetterRows } from '../../processor/storage/row-encoder.js';
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

describe('encodeRawRequestRows', () => {
  const layout = layoutOf(['timestamp', 'sc-status', 'cs-user-agent', 'cs-referer']);
  const parser = new LogParser(layout, { decodeOnly: new Set([F.cs_user_agent]) });
  const parse = (line: string) => {
    const result = parser.parseLine(line, 1);
    if (!result.ok) throw new Error(result.deadLetter.reason);
    return result.record;
  };

  it('sends a parsed line as received, then its timestamp, derived columns and position', () => {
    const record = parse('1600299221.087\t000\tcurl/8.0\t-');
    const derived = hitRecord(0, {}).derived;
    const payload = encodeRawRequestRows([{ enriched: { record, derived }, ...META }], layout).toString('utf8');
    const cells = cellsOf(payload);
    expect(cells.slice(0, 4)).toEqual(['1600299221.087', '000', 'curl/8.0', '-']);
    expect(cells[4]).toBe('1600299221087');
    expect(cells).toHaveLength(4 + 1 + DERIVED_COLUMNS.length + 2);
    expect(cells.at(-1)).toBe(META.sequenceNumber);
    expect(cells[5 + DERIVED_COLUMNS.indexOf('pop_lat')]).toBe('37.619');
  });

  it('copies received bytes when it has them, and escapes what TabSeparated must', () => {
    const record = parse('1600299221.087\t200\tback\\slash\t-');
    const derived = hitRecord(0, {}).derived;
    const fromText = encodeRawRequestRows([{ enriched: { record, derived }, ...META }], layout).toString('utf8');
    expect(cellsOf(fromText)[2]).toBe('back\\\\slash');
    const bytes = Buffer.from('1600299221.087\t200\tcurl\t-');
    const fromBytes = encodeRawRequestRows([{ enriched: { record: parse(bytes.toString()), derived }, rawBytes: bytes, ...META }], layout);
    expect(cellsOf(fromBytes.toString('utf8')).slice(0, 4)).toEqual(['1600299221.087', '200', 'curl', '-']);
  });

  it('writes records built in code in raw form, so decoding gives their values back', () => {
    const rec = makeRecord(1600299221000, { sc_status: 0, cs_user_agent: '100% a\tb', cs_referer: '-' }, { pop_lat: null, pop_code: '', geo_blocked: 1 });
    const cells = cellsOf(encodeRawRequestRows([{ enriched: rec, ...META }], layout).toString('utf8'));
    expect(cells.slice(0, 4)).toEqual(['-', '0', '100%25 a\\tb', '%2D']);
    expect(cells[5 + DERIVED_COLUMNS.indexOf('pop_lat')]).toBe('\\N');
    expect(cells[5 + DERIVED_COLUMNS.indexOf('pop_code')]).toBe('');
    expect(cells[5 + DERIVED_COLUMNS.indexOf('geo_blocked')]).toBe('1');
  });

  it('builds one UTF-8 payload for many rows', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ enriched: hitRecord(1600299221000 + i, { cs_uri_stem: `/é/${i}` }), ...META }));
    const lines = encodeRawRequestRows(rows, layoutOf(['timestamp', 'cs-uri-stem'])).toString('utf8').split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines[9_999]?.split('\t')[1]).toBe('/é/9999');
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
