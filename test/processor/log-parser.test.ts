import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { F, FIELDS, FIELD_COUNT, DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { FULL_LAYOUT, layoutOf, UnknownFieldError } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { percentDecode } from '../../processor/parse/percent-decode.js';
import type { ParsedRecord } from '../../processor/types.js';

/** A sample raw value per field kind, with the value the parser must produce. */
function sampleFor(name: string): { raw: string; expected: unknown } {
  const spec = FIELDS.find((f) => f.name === name)!;
  switch (spec.kind) {
    case 'timestamp':
      return { raw: '1600299221.087', expected: 1600299221087 };
    case 'seconds':
      return { raw: '0.253', expected: 0.253 };
    case 'status':
      return { raw: '404', expected: 404 };
    case 'uint':
      return { raw: '200', expected: 200 };
    case 'decimal':
      return { raw: '1.5', expected: 1.5 };
    case 'string':
      return { raw: `v-${name}%20x`, expected: `v-${name} x` };
  }
}

const referenceLines = fs.readFileSync(new URL('../fixtures/reference-records.tsv', import.meta.url), 'utf8').trim().split('\n');
const REFERENCE_FIELDS = FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name);

function parseOk(parser: LogParser, line: string): ParsedRecord {
  const result = parser.parseLine(line, 1);
  if (!result.ok) throw new Error(`unexpected dead letter: ${result.deadLetter.reason}`);
  return result.record;
}

describe('field catalogue', () => {
  it('has positions 1–69 in order with snake_case columns', () => {
    expect(FIELD_COUNT).toBe(69);
    FIELDS.forEach((f, i) => {
      expect(f.position).toBe(i + 1);
      expect(f.column).toBe(f.name.replace(/-/g, '_'));
      expect(F[f.column as keyof typeof F]).toBe(i);
    });
    expect(FIELDS[0]!.name).toBe('timestamp');
    expect(FIELDS[45]!.name).toBe('asn');
    expect(FIELDS[68]!.name).toBe('connection-id');
  });

  it('default local config selects positions 1–64', () => {
    expect(DEFAULT_LOCAL_FIELD_NAMES).toHaveLength(64);
    expect(DEFAULT_LOCAL_FIELD_NAMES.at(-1)).toBe('cmcd-version');
  });
});

describe('layout', () => {
  it('orders a scrambled field set canonically, as CloudFront delivers it', () => {
    const layout = layoutOf(['c-country', 'sc-bytes', 'time-to-first-byte', 'time-taken', 'sc-status']);
    expect(layout.names).toEqual(['time-to-first-byte', 'sc-status', 'sc-bytes', 'time-taken', 'c-country']);
  });

  it('rejects unknown field names, naming them', () => {
    expect(() => layoutOf(['timestamp', 'cs(Host)', 'date'])).toThrow(UnknownFieldError);
    expect(() => layoutOf(['timestamp', 'cs(Host)'])).toThrow(/cs\(Host\)/);
  });
});

describe('LogParser', () => {
  it('reads every field of the catalogue', () => {
    const parser = new LogParser(FULL_LAYOUT);
    const samples = FIELDS.map((f) => sampleFor(f.name));
    const record = parseOk(parser, samples.map((s) => s.raw).join('\t'));
    FIELDS.forEach((f, i) => expect(record.values[i], f.name).toEqual(samples[i]!.expected));
    expect(record.timestampMs).toBe(1600299221087);
  });

  it('reads each field alone (a one-field config)', () => {
    for (const f of FIELDS) {
      const parser = new LogParser(layoutOf([f.name]));
      const sample = sampleFor(f.name);
      const record = parseOk(parser, sample.raw);
      expect(record.values[f.position - 1], f.name).toEqual(sample.expected);
    }
  });

  it('maps values by canonical position even when the config listed fields in another order', () => {
    const scrambled = ['x-edge-location', 'cs-bytes', 'cs-uri-query', 'timestamp', 'cs-uri-stem'];
    const parser = new LogParser(layoutOf(scrambled));
    // CloudFront writes: timestamp, cs-uri-stem, cs-bytes, x-edge-location, cs-uri-query.
    const record = parseOk(parser, '1700000000.5\t/a/b?x=1\t321\tFRA56-P3\tx=1');
    expect(record.values[F.cs_bytes]).toBe(321);
    expect(record.values[F.x_edge_location]).toBe('FRA56-P3');
    expect(record.values[F.cs_uri_query]).toBe('x=1');
    expect(record.timestampMs).toBe(1700000000500);
  });

  it('parses the public reference records', () => {
    const parser = new LogParser(layoutOf(REFERENCE_FIELDS));
    const first = parseOk(parser, referenceLines[0]!);
    expect(first.timestampMs).toBe(1600299221087);
    expect(first.values[F.c_ip]).toBe('174.204.64.230');
    expect(first.values[F.sc_status]).toBe(304);
    expect(first.values[F.x_edge_location]).toBe('SEA19-C2');
    expect(first.values[F.cs_user_agent]).toMatch(/^Mozilla\/5\.0 \(iPhone; CPU iPhone OS 13_7/);
    expect(first.values[F.cs_referer]).toMatch(/alex-landau\/$/);
    expect(first.values[F.cs_cookie]).toBeNull();
    expect(first.values[F.cs_headers]).toContain('\nuser-agent:Mozilla/5.0 (iPhone;');
    expect(first.values[F.cs_headers]).toContain('if-none-match:"c223572e08c0fc3cde6d5416ff989957"');
    expect(first.values[F.cs_headers_count]).toBe(9);
    expect(first.values[F.ssl_cipher]).toBe('TLS_AES_128_GCM_SHA256');
    expect(first.values[F.s_ip]).toBeNull();

    const second = parseOk(parser, referenceLines[1]!);
    // A client's own `%3A` arrives as `%253A` and is decoded once.
    expect(second.uriPath).toBe('/i');
    expect(second.uriQuery).toContain('url=http%3A%2F%2Flocalhost%3A5000%2Fpage-2');
    expect(second.values[F.cs_uri_query]).toContain('url=http%3A%2F%2Flocalhost');
    expect(second.values[F.time_to_first_byte]).toBe(0.042);
    expect(second.values[F.sc_content_type]).toBe('image/gif');
    expect(second.values[F.sc_content_len]).toBe(35);
  });

  it('splits cs-uri-stem into path and query before decoding', () => {
    const parser = new LogParser(layoutOf(['timestamp', 'cs-uri-stem']));
    const r = parseOk(parser, '1700000000.000\t/a%3Fb/c%20d.html?q=%C3%A9');
    expect(r.uriPath).toBe('/a?b/c d.html');
    expect(r.uriQuery).toBe('q=é');
    expect(r.values[F.cs_uri_stem]).toBe('/a?b/c d.html?q=é');
    const noQuery = parseOk(parser, '1700000000.000\t/plain');
    expect(noQuery.uriPath).toBe('/plain');
    expect(noQuery.uriQuery).toBeNull();
  });

  it("reads status 000 as 0 and '-' or empty as null", () => {
    const parser = new LogParser(layoutOf(['timestamp', 'sc-status', 'x-forwarded-for', 'cs-referer']));
    const r = parseOk(parser, '1700000000.000\t000\t\t-');
    expect(r.values[F.sc_status]).toBe(0);
    expect(r.values[F.x_forwarded_for]).toBeNull();
    expect(r.values[F.cs_referer]).toBeNull();
  });

  it('keeps unknown values of enumerated fields and counts them', () => {
    const parser = new LogParser(layoutOf(['timestamp', 'cs-method', 'cs-protocol', 'x-edge-result-type']));
    const r = parseOk(parser, '1700000000.000\tQUERY\thttp4\tTeleportHit');
    expect(r.values[F.cs_method]).toBe('QUERY');
    expect(r.values[F.x_edge_result_type]).toBe('TeleportHit');
    parseOk(parser, '1700000000.000\tQUERY\thttps\tHit');
    expect(parser.unknownValues().get('cs-method')?.get('QUERY')).toBe(2);
    expect(parser.unknownValues().get('x-edge-result-type')?.get('TeleportHit')).toBe(1);
    expect(parser.unknownValueTotal).toBe(4);
  });

  describe('dead letters', () => {
    const layout = layoutOf(['timestamp', 'time-to-first-byte', 'sc-status', 'sc-bytes', 'c-port', 'cmcd-playback-rate']);
    const parser = new LogParser(layout);
    const cases: Array<[string, string, string | null, RegExp]> = [
      ['too few fields', '1700000000.000\t0.1\t200\t5', null, /expected 6 fields, got 4/],
      ['too many fields', '1700000000.000\t0.1\t200\t5\t80\t1\textra', null, /expected 6 fields, got 7/],
      ['timestamp not a number', 'yesterday\t0.1\t200\t5\t80\t1', 'timestamp', /not an epoch timestamp/],
      ['timestamp missing', '-\t0.1\t200\t5\t80\t1', 'timestamp', /timestamp is missing/],
      ['timestamp with 4 decimals', '1700000000.0001\t0.1\t200\t5\t80\t1', 'timestamp', /not an epoch timestamp/],
      ['timestamp out of range', '99999999999.000\t0.1\t200\t5\t80\t1', 'timestamp', /out of range/],
      ['duration not a number', '1700000000.000\tfast\t200\t5\t80\t1', 'time-to-first-byte', /not a duration/],
      ['negative duration', '1700000000.000\t-0.1\t200\t5\t80\t1', 'time-to-first-byte', /not a duration/],
      ['status not 3 digits', '1700000000.000\t0.1\t20x\t5\t80\t1', 'sc-status', /not an HTTP status/],
      ['bytes negative', '1700000000.000\t0.1\t200\t-5\t80\t1', 'sc-bytes', /not a non-negative integer/],
      ['bytes decimal', '1700000000.000\t0.1\t200\t5.5\t80\t1', 'sc-bytes', /not a non-negative integer/],
      ['port out of range', '1700000000.000\t0.1\t200\t5\t70000\t1', 'c-port', /out of range/],
      ['decimal malformed', '1700000000.000\t0.1\t200\t5\t80\t1e3', 'cmcd-playback-rate', /not a number/],
    ];
    for (const [name, line, field, reason] of cases) {
      it(name, () => {
        const result = parser.parseLine(line, 7);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.deadLetter.line).toBe(7);
        expect(result.deadLetter.input).toBe(line);
        expect(result.deadLetter.field).toBe(field);
        expect(result.deadLetter.reason).toMatch(reason);
      });
    }

    it('a payload with good and bad lines keeps both, numbered, and never throws', () => {
      const payload = '1700000000.000\t0.1\t200\t5\t80\t1\nbroken line\n\n1700000001.000\t0.2\t000\t6\t81\t-\r\n';
      const result = parser.parsePayload(payload);
      expect(result.records).toHaveLength(2);
      expect(result.deadLetters).toHaveLength(1);
      expect(result.deadLetters[0]!.line).toBe(2);
      expect(result.deadLetters[0]!.input).toBe('broken line');
      expect(result.records[1]!.values[F.sc_status]).toBe(0);
    });
  });
});

describe('percentDecode', () => {
  it('decodes once', () => {
    expect(percentDecode('a%20b%22c%22%0Ad')).toBe('a b"c"\nd');
    expect(percentDecode('%253A')).toBe('%3A');
    expect(percentDecode('plain')).toBe('plain');
  });

  it('tolerates malformed sequences instead of throwing', () => {
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%zz%20ok')).toBe('%zz ok');
    expect(percentDecode('%E2%82%AC and %FF')).toBe('€ and \uFFFD');
    expect(percentDecode('é%20x')).toBe('é x');
  });
});
