/**
 * Standard access logs → real-time lines: the field list from `#Fields`, date + time → timestamp,
 * and the naming traps of reference §1.9 (hosts swapped, the stem without its query).
 */
import { describe, expect, it } from 'vitest';
import { StandardLogReader, STANDARD_FIELDS_V1 } from '../../processor/parse/standard-log-parser.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { F } from '../../processor/fields/catalogue.js';

// The example line of the CloudFront developer guide's standard log format (33 fields).
const LINE = [
  '2019-12-04', '21:02:31', 'LAX1', '392', '192.0.2.100', 'GET', 'd111111abcdef8.cloudfront.net', '/index.html', '200', '-',
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)', 'a=1&b=%2520', '-', 'Hit', 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
  'www.example.com', 'https', '23', '0.001', '-', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 'Hit', 'HTTP/2.0', '-', '-', '11040', '0.001',
  'Hit', 'text/html', '78', '-', '-',
].join('\t');

describe('StandardLogReader', () => {
  it('reads the field list from #Fields and maps every field onto its real-time name', () => {
    const reader = new StandardLogReader();
    expect(reader.read('#Version: 1.0').kind).toBe('header');
    const header = reader.read(`#Fields: ${STANDARD_FIELDS_V1.join(' ')}`);
    expect(header.kind).toBe('header');
    expect(reader.unmapped).toEqual([]);
    const layout = reader.layout!;
    expect(layout.names[0]).toBe('timestamp');
    expect(layout.names).toContain('cs-host');
    expect(layout.names).toContain('x-host-header');

    const result = reader.read(LINE);
    expect(result.kind).toBe('line');
    if (result.kind !== 'line') return;
    const parsed = new LogParser(layout).parseLine(result.line, 3);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const v = parsed.record.values;
    expect(parsed.record.timestampMs).toBe(Date.UTC(2019, 11, 4, 21, 2, 31));
    // cs(Host) is the distribution's domain; the standard x-host-header is the viewer's Host.
    expect(v[F.x_host_header]).toBe('d111111abcdef8.cloudfront.net');
    expect(v[F.cs_host]).toBe('www.example.com');
    // The real-time stem carries the query; the query field keeps it alone, decoded once.
    expect(v[F.cs_uri_stem]).toBe('/index.html?a=1&b=%20');
    expect(parsed.record.uriPath).toBe('/index.html');
    expect(parsed.record.uriQuery).toBe('a=1&b=%20');
    expect(v[F.cs_user_agent]).toBe('Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
    expect(v[F.sc_status]).toBe(200);
    expect(v[F.sc_bytes]).toBe(392);
    expect(v[F.x_edge_location]).toBe('LAX1');
    expect(v[F.c_port]).toBe(11040);
  });

  it('follows the order of each file’s #Fields line and leaves out fields real-time logs lack', () => {
    const reader = new StandardLogReader();
    reader.read('#Fields: time date sc-status cs(Host) some-future-field');
    expect(reader.unmapped).toEqual(['some-future-field']);
    const result = reader.read('23:59:59\t2024-02-29\t503\td1.cloudfront.net\tx');
    expect(result).toEqual({ kind: 'line', line: `${Date.UTC(2024, 1, 29, 23, 59, 59) / 1000}.000\t503\td1.cloudfront.net` });
  });

  it('turns bad lines into errors with the reason, never into rows', () => {
    const reader = new StandardLogReader();
    expect(reader.read('2019-12-04\t21:02:31').kind).toBe('error');
    reader.read('#Fields: date time sc-status');
    expect(reader.read('2019-02-30\t21:02:31\t200')).toMatchObject({ kind: 'error', field: 'date' });
    expect(reader.read('2019-12-04\t25:02:31\t200')).toMatchObject({ kind: 'error', field: 'time' });
    expect(reader.read('2019-12-04\t21:02:31')).toMatchObject({ kind: 'error', field: null });
    expect(reader.read('#Fields: sc-status')).toMatchObject({ kind: 'error' });
  });
});
