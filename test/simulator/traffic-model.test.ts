import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_FIELD_NAMES, F, FIELDS } from '../../processor/fields/catalogue.js';
import { FULL_LAYOUT, layoutOf, type Layout } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator, type TrafficGenerator } from '../../ingest/simulator/traffic-model.js';

const DEFAULT_LAYOUT = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
// Noon UTC on a weekday; any fixed instant works, the generator only reads the clock it is given.
const START_MS = Date.UTC(2025, 5, 3, 12, 0, 0);
const VIDEO = DEMO_DISTRIBUTIONS.find((d) => d.profile === 'video');

function generator(layout: Layout = FULL_LAYOUT, seed = 1, startMs = START_MS): TrafficGenerator {
  return createTrafficGenerator({ seed, distributions: DEMO_DISTRIBUTIONS, layout, startMs });
}

/** `perSecond` lines each second for `seconds` seconds, timestamps spread over each second. */
function run(gen: TrafficGenerator, seconds: number, perSecond: number, startMs = START_MS): string[] {
  const lines: string[] = [];
  for (let s = 1; s <= seconds; s++) lines.push(...gen.linesAt(startMs + s * 1000, perSecond, 1000));
  return lines;
}

const fieldsOf = (line: string): string[] => line.slice(0, -1).split('\t');

/**
 * Rows for which `check` reports a problem (at most five, with the row's request id). One assertion
 * over the collected problems keeps tests over tens of thousands of rows fast.
 */
function problems(rows: readonly string[][], check: (row: string[]) => string | null): string[] {
  const found: string[] = [];
  for (const row of rows) {
    const problem = check(row);
    if (problem !== null) found.push(`${row[F.x_edge_request_id] ?? '?'}: ${problem}`);
    if (found.length >= 5) break;
  }
  return found;
}

// One shared sample in the full layout: 20 minutes at 20 lines/s (24 000 lines).
const SAMPLE = run(generator(), 1200, 20);
const ROWS = SAMPLE.map(fieldsOf);
const col = (row: string[], index: number): string => row[index] ?? '';

describe('demo distributions', () => {
  it('have CloudFront-shaped ids and domains and distinct profiles', () => {
    expect(DEMO_DISTRIBUTIONS.length).toBeGreaterThanOrEqual(3);
    expect(DEMO_DISTRIBUTIONS.length).toBeLessThanOrEqual(4);
    for (const d of DEMO_DISTRIBUTIONS) {
      expect(d.id).toMatch(/^E[A-Z0-9]{13}$/);
      expect(d.domainName).toMatch(/^d[a-z0-9]{13}\.cloudfront\.net$/);
      expect(d.aliases.length).toBeGreaterThan(0);
    }
    expect(new Set(DEMO_DISTRIBUTIONS.map((d) => d.profile)).size).toBe(DEMO_DISTRIBUTIONS.length);
  });
});

describe('traffic generator: line format', () => {
  it('writes one newline-terminated line per request with the layout’s field count', () => {
    const gen = generator(DEFAULT_LAYOUT);
    const lines = run(gen, 30, 100);
    expect(lines).toHaveLength(3000);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.indexOf('\n')).toBe(line.length - 1);
      expect(line.slice(0, -1).split('\t')).toHaveLength(DEFAULT_LAYOUT.fields.length);
    }
  });

  it('projects a small scrambled field set in canonical order, with the same values as the full layout', () => {
    const names = ['asn', 'cs-headers', 'cmcd-session-id', 'timestamp', 'c-country', 'x-edge-request-id', 'sc-status', 'cs-uri-stem'];
    const small = layoutOf(names);
    expect(small.names).toEqual(['timestamp', 'sc-status', 'cs-uri-stem', 'x-edge-request-id', 'c-country', 'cs-headers', 'asn', 'cmcd-session-id']);
    const smallLines = run(generator(small), 20, 50);
    const fullLines = run(generator(FULL_LAYOUT), 20, 50);
    expect(smallLines).toHaveLength(fullLines.length);
    smallLines.forEach((line, i) => {
      const values = fieldsOf(line);
      expect(values).toHaveLength(small.fields.length);
      const full = fieldsOf(fullLines[i] ?? '');
      expect(full).toHaveLength(FIELDS.length);
      small.fields.forEach((f, j) => expect(values[j]).toBe(full[f.position - 1]));
    });
  });

  it('never leaves a raw space, tab, newline or control character inside a value', () => {
    const unencoded = /[\u0000-\u0020\u007f-\uffff"<>`{}|\\^']/;
    expect(problems(ROWS, (row) => (row.length === FIELDS.length ? null : `${row.length} fields`))).toEqual([]);
    expect(problems(ROWS, (row) => row.find((v) => v === '' || unencoded.test(v)) ?? null)).toEqual([]);
  });

  it('parses with the processor’s parser without dead letters or unknown enumerated values', () => {
    const parser = new LogParser(FULL_LAYOUT);
    const result = parser.parsePayload(SAMPLE.join(''));
    expect(result.deadLetters).toEqual([]);
    expect(result.records).toHaveLength(SAMPLE.length);
    expect([...parser.unknownValues()]).toEqual([]);
  });

  it('gives every line a unique 56-character request id', () => {
    const ids = ROWS.map((r) => col(r, F.x_edge_request_id));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Another run with the same seed but a later start never repeats an id.
    const later = run(generator(FULL_LAYOUT, 1, START_MS + 3_600_000), 10, 100, START_MS + 3_600_000).map((l) => col(fieldsOf(l), F.x_edge_request_id));
    const seen = new Set(ids);
    expect(later.filter((id) => seen.has(id))).toEqual([]);
  });

  it('stamps the generation time in epoch seconds with three decimals', () => {
    const lines = generator().linesAt(START_MS + 5_000, 10, 1_000);
    const stamps = lines.map((l) => col(fieldsOf(l), F.timestamp));
    for (const s of stamps) expect(s).toMatch(/^\d{10}\.\d{3}$/);
    const ms = stamps.map((s) => Math.round(Number(s) * 1000));
    expect(ms[0]).toBe(START_MS + 4_100);
    expect(ms[9]).toBe(START_MS + 5_000);
    expect([...ms].sort((a, b) => a - b)).toEqual(ms);
  });

  it('is deterministic for a seed and a clock, and differs between seeds', () => {
    const a = run(generator(DEFAULT_LAYOUT, 42), 10, 50);
    const b = run(generator(DEFAULT_LAYOUT, 42), 10, 50);
    const c = run(generator(DEFAULT_LAYOUT, 43), 10, 50);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });
});

describe('traffic generator: realism', () => {
  it('serves 85–95 % of ~20 000 requests from cache (Hit or RefreshHit)', () => {
    const rows = run(generator(), 600, 33).map(fieldsOf);
    expect(rows.length).toBeGreaterThanOrEqual(19_000);
    const hits = rows.filter((r) => ['Hit', 'RefreshHit'].includes(col(r, F.x_edge_result_type))).length;
    const ratio = hits / rows.length;
    expect(ratio).toBeGreaterThanOrEqual(0.85);
    expect(ratio).toBeLessThanOrEqual(0.95);
  });

  it('uses all seven methods, mostly GET', () => {
    const counts = new Map<string, number>();
    for (const r of ROWS) counts.set(col(r, F.cs_method), (counts.get(col(r, F.cs_method)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect((counts.get('GET') ?? 0) / ROWS.length).toBeGreaterThan(0.8);
  });

  it('uses HTTP/1.1, HTTP/2.0 and HTTP/3.0, with TLS on https and none on http', () => {
    const versions = new Set(ROWS.map((r) => col(r, F.cs_protocol_version)));
    expect(versions).toContain('HTTP/1.1');
    expect(versions).toContain('HTTP/2.0');
    expect(versions).toContain('HTTP/3.0');
    expect(ROWS.some((r) => col(r, F.cs_protocol) === 'http')).toBe(true);
    const tls = (r: string[]): string => `${col(r, F.cs_protocol)} ${col(r, F.ssl_protocol)} ${col(r, F.ssl_cipher)}`;
    expect(
      problems(ROWS, (r) => {
        if (col(r, F.cs_protocol) === 'http') {
          const redirect = col(r, F.sc_status) === '301' && col(r, F.x_edge_result_type) === 'Redirect';
          return col(r, F.ssl_protocol) === '-' && col(r, F.ssl_cipher) === '-' && redirect ? null : tls(r);
        }
        if (!/^TLSv1(\.[123])?$/.test(col(r, F.ssl_protocol)) || col(r, F.ssl_cipher) === '-') return tls(r);
        return col(r, F.cs_protocol_version) === 'HTTP/3.0' && col(r, F.ssl_protocol) !== 'TLSv1.3' ? tls(r) : null;
      }),
    ).toEqual([]);
  });

  it('logs WebSocket connections as wss misses with a long time-taken', () => {
    const ws = ROWS.filter((r) => col(r, F.cs_protocol) === 'wss');
    expect(ws.length).toBeGreaterThan(10);
    for (const r of ws) {
      expect(col(r, F.x_edge_result_type)).toBe('Miss');
      expect(col(r, F.sc_status)).toBe('101');
      expect(col(r, F.cs_protocol_version)).toBe('HTTP/1.1');
    }
    const longest = Math.max(...ws.map((r) => Number(col(r, F.time_taken))));
    expect(longest).toBeGreaterThan(60);
  });

  it('requests HLS, DASH and Smooth Streaming objects', () => {
    const stems = ROWS.map((r) => col(r, F.cs_uri_stem));
    expect(stems.some((s) => /\/master\.m3u8/.test(s))).toBe(true);
    expect(stems.some((s) => /\/index\.m3u8/.test(s))).toBe(true);
    expect(stems.some((s) => /\.ts(\?|$)/.test(s))).toBe(true);
    expect(stems.some((s) => /\/dash\/.*\.m4s/.test(s))).toBe(true);
    expect(stems.some((s) => /\.mpd(\?|$)/.test(s))).toBe(true);
    expect(stems.some((s) => /\.ism\/Manifest/.test(s))).toBe(true);
    expect(stems.some((s) => /\.ism\/QualityLevels\(\d+\)\/Fragments\(video=\d+\)/.test(s))).toBe(true);
  });

  it('fills CMCD on video player requests and leaves it `-` everywhere else', () => {
    const cmcd = FIELDS.filter((f) => f.name.startsWith('cmcd-')).map((f) => f.position - 1);
    const isPlayerRequest = (r: string[]): boolean =>
      col(r, F.x_host_header) === VIDEO?.domainName &&
      col(r, F.x_edge_detailed_result_type) !== 'ClientGeoBlocked' &&
      /\.(m3u8|ts|m4s|mpd|mp4)(\?|$)|\.ism\//.test(col(r, F.cs_uri_stem));
    const video = ROWS.filter(isPlayerRequest);
    expect(video.length).toBeGreaterThan(1000);
    expect(
      problems(video, (r) => {
        const cmcdText = cmcd.map((i) => col(r, i)).join(' ');
        if (col(r, F.cmcd_version) !== '1' || !/^[0-9a-f-]{36}$/.test(col(r, F.cmcd_session_id))) return cmcdText;
        if (!['v', 'l'].includes(col(r, F.cmcd_stream_type))) return cmcdText;
        const stem = col(r, F.cs_uri_stem);
        const format = stem.includes('.ism/') ? 's' : stem.includes('/dash/') ? 'd' : 'h';
        if (col(r, F.cmcd_streaming_format) !== format) return `${stem} ${cmcdText}`;
        if (['v', 'a', 'av'].includes(col(r, F.cmcd_object_type))) {
          const complete = Number(col(r, F.cmcd_encoded_bitrate)) > 0 && /^\d+$/.test(col(r, F.cmcd_buffer_length)) && Number(col(r, F.cmcd_object_duration)) > 0;
          if (!complete) return cmcdText;
        }
        return null;
      }),
    ).toEqual([]);
    const others = ROWS.filter((row) => !isPlayerRequest(row));
    expect(problems(others, (r) => (cmcd.every((i) => col(r, i) === '-') ? null : col(r, F.cs_uri_stem)))).toEqual([]);
    // Rebuffering shows up now and then.
    expect(video.some((r) => col(r, F.cmcd_buffer_starvation) === 'true')).toBe(true);
  });

  it('keeps one viewer and one title per CMCD session id', () => {
    const sessions = new Map<string, { ip: string; cid: string }>();
    for (const r of ROWS) {
      const sid = col(r, F.cmcd_session_id);
      if (sid === '-') continue;
      const seen = sessions.get(sid);
      if (seen) expect({ ip: col(r, F.c_ip), cid: col(r, F.cmcd_content_id) }).toEqual(seen);
      else sessions.set(sid, { ip: col(r, F.c_ip), cid: col(r, F.cmcd_content_id) });
    }
    expect(sessions.size).toBeGreaterThan(20);
  });

  it('has live viewers who refresh their manifests', () => {
    const live = ROWS.filter((r) => col(r, F.cmcd_stream_type) === 'l');
    expect(live.length).toBeGreaterThan(500);
    const manifestsPerSession = new Map<string, number>();
    for (const r of live) {
      if (col(r, F.cmcd_object_type) !== 'm') continue;
      const sid = col(r, F.cmcd_session_id);
      manifestsPerSession.set(sid, (manifestsPerSession.get(sid) ?? 0) + 1);
    }
    const refreshing = [...manifestsPerSession.values()].filter((n) => n >= 3).length;
    expect(refreshing).toBeGreaterThan(10);
  });

  it('makes the live audience surge and fall within half an hour', () => {
    const gen = generator();
    const samples = Array.from({ length: 60 }, (_, i) => gen.liveAudience(START_MS + i * 30_000));
    expect(Math.max(...samples)).toBeGreaterThan(0.6);
    expect(Math.min(...samples)).toBeLessThan(0.2);
  });

  it('keeps origin timings on misses only and makes durations consistent', () => {
    const timing = (r: string[]): string =>
      [F.x_edge_detailed_result_type, F.sc_status, F.time_to_first_byte, F.time_taken, F.origin_fbl, F.origin_lbl, F.sc_bytes, F.sc_content_len].map((i) => col(r, i)).join(' ');
    expect(
      problems(ROWS, (r) => {
        const detailed = col(r, F.x_edge_detailed_result_type);
        const ttfb = Number(col(r, F.time_to_first_byte));
        if (!(Number(col(r, F.time_taken)) >= ttfb)) return timing(r);
        if (col(r, F.x_edge_result_type) === 'Hit' && detailed === 'Hit' && (col(r, F.origin_fbl) !== '-' || col(r, F.origin_lbl) !== '-')) return timing(r);
        if (detailed === 'Miss' && col(r, F.sc_status) === '200') {
          const fbl = Number(col(r, F.origin_fbl));
          if (!(fbl > 0 && Number(col(r, F.origin_lbl)) >= fbl && ttfb >= fbl)) return timing(r);
        }
        const contentLength = col(r, F.sc_content_len);
        if (contentLength !== '-' && col(r, F.cs_method) !== 'HEAD' && detailed !== 'ClientCommError') {
          if (!(Number(col(r, F.sc_bytes)) > Number(contentLength))) return timing(r);
        }
        return null;
      }),
    ).toEqual([]);
  });

  it('sets the host headers from the distribution', () => {
    const domains = new Set(ROWS.map((r) => col(r, F.x_host_header)));
    expect([...domains].sort()).toEqual(DEMO_DISTRIBUTIONS.map((d) => d.domainName).sort());
    expect(
      problems(ROWS, (r) => {
        const dist = DEMO_DISTRIBUTIONS.find((d) => d.domainName === col(r, F.x_host_header));
        return dist && [dist.domainName, ...dist.aliases].includes(col(r, F.cs_host)) ? null : `host ${col(r, F.cs_host)}`;
      }),
    ).toEqual([]);
  });

  it('caps cs-headers and cs-header-names at 800 decoded bytes and counts every header', () => {
    expect(
      problems(ROWS, (r) => {
        const headers = decodeURIComponent(col(r, F.cs_headers));
        const names = decodeURIComponent(col(r, F.cs_header_names));
        if (Buffer.byteLength(headers) > 800 || Buffer.byteLength(names) > 800) return 'over 800 bytes';
        const listed = names.split('\n').filter(Boolean).length;
        if (Number(col(r, F.cs_headers_count)) < listed) return `count ${col(r, F.cs_headers_count)} < ${listed}`;
        return headers.toLowerCase().startsWith(`host:${col(r, F.cs_host)}\n`) ? null : headers.slice(0, 60);
      }),
    ).toEqual([]);
    // Long header sets are cut: some requests have more headers than cs-header-names lists.
    expect(ROWS.some((r) => Number(col(r, F.cs_headers_count)) > decodeURIComponent(col(r, F.cs_headers)).split('\n').filter(Boolean).length)).toBe(true);
  });

  it('serves viewers from POPs of their country, with IPv4 and IPv6 addresses', () => {
    const popsByCountry = new Map<string, Set<string>>();
    for (const r of ROWS) {
      const c = col(r, F.c_country);
      const pops = popsByCountry.get(c) ?? new Set<string>();
      pops.add(col(r, F.x_edge_location).slice(0, 3));
      popsByCountry.set(c, pops);
    }
    expect(problems(ROWS, (r) => (/^[A-Z]{3}\d+-[CP]\d+$/.test(col(r, F.x_edge_location)) ? null : col(r, F.x_edge_location)))).toEqual([]);
    expect(problems(ROWS, (r) => (col(r, F.c_ip_version) === (col(r, F.c_ip).includes(':') ? 'IPv6' : 'IPv4') ? null : col(r, F.c_ip)))).toEqual([]);
    expect([...(popsByCountry.get('DE') ?? [])].every((p) => ['FRA', 'HAM', 'MUC', 'DUS', 'TXL'].includes(p))).toBe(true);
    expect([...(popsByCountry.get('JP') ?? [])].every((p) => ['NRT', 'KIX'].includes(p))).toBe(true);
    expect(ROWS.some((r) => col(r, F.c_ip_version) === 'IPv6')).toBe(true);
    const countries = new Set(ROWS.map((r) => col(r, F.c_country)));
    for (const c of ['US', 'DE', 'GB', 'IN', 'JP', 'BR', 'FR']) expect(countries).toContain(c);
  });

  it('includes origin, edge-function, capacity and client errors', () => {
    const rows = run(generator(FULL_LAYOUT, 5), 1200, 40).map(fieldsOf);
    const detailed = new Set(rows.map((r) => col(r, F.x_edge_detailed_result_type)));
    for (const d of ['OriginShieldHit', 'OriginConnectError', 'OriginCommError', 'ClientCommError', 'ClientHungUpRequest', 'LambdaExecutionError', 'Redirect', 'InvalidRequestBlocked']) {
      expect(detailed).toContain(d);
    }
    const statuses = new Set(rows.map((r) => col(r, F.sc_status)));
    for (const s of ['200', '206', '304', '403', '404', '502', '503', '504', '000']) expect(statuses).toContain(s);
    for (const r of rows.filter((row) => col(row, F.x_edge_detailed_result_type) === 'OriginShieldHit')) {
      expect(['Hit', 'Miss']).toContain(col(r, F.x_edge_result_type));
    }
  });
});

describe('traffic generator: geo-blocked bursts', () => {
  it('starts a burst within two minutes and repeats it every five to ten minutes', () => {
    const blocked = ROWS.filter((r) => col(r, F.x_edge_detailed_result_type) === 'ClientGeoBlocked');
    expect(blocked.length).toBeGreaterThan(50);
    for (const r of blocked) {
      expect(col(r, F.sc_status)).toBe('403');
      expect(col(r, F.x_edge_result_type)).toBe('Error');
      expect(col(r, F.x_edge_response_result_type)).toBe('Error');
      expect(col(r, F.origin_fbl)).toBe('-');
      expect(col(r, F.origin_lbl)).toBe('-');
      expect(['RU', 'CN', 'IR', 'KP']).toContain(col(r, F.c_country));
    }
    // Cluster the blocked requests into bursts (a gap of more than 30 s starts a new one).
    const times = blocked.map((r) => Number(col(r, F.timestamp)) * 1000);
    const bursts: Array<{ start: number; end: number }> = [];
    for (const t of times) {
      const last = bursts[bursts.length - 1];
      if (last && t - last.end <= 30_000) last.end = t;
      else bursts.push({ start: t, end: t });
    }
    expect(bursts.length).toBeGreaterThanOrEqual(2);
    const [first, second] = bursts;
    expect((first?.start ?? Infinity) - START_MS).toBeLessThanOrEqual(120_000);
    const gap = (second?.start ?? 0) - (first?.start ?? 0);
    expect(gap).toBeGreaterThanOrEqual(295_000);
    expect(gap).toBeLessThanOrEqual(605_000);
    for (const b of bursts.slice(0, -1)) {
      expect(b.end - b.start).toBeGreaterThan(20_000);
      expect(b.end - b.start).toBeLessThanOrEqual(90_000);
    }
    // Outside bursts, no blocked countries at all.
    const schedule = generator().geoBlockBurstsUntil(START_MS + 1_200_000);
    const outside = blocked.filter((r) => {
      const t = Number(col(r, F.timestamp)) * 1000;
      return !schedule.some((b) => t >= b.startMs && t < b.endMs);
    });
    expect(outside).toEqual([]);
  });

  it('exposes a schedule that depends only on the seed and the start time', () => {
    const a = generator(DEFAULT_LAYOUT, 9).geoBlockBurstsUntil(START_MS + 3_600_000);
    const gen = generator(DEFAULT_LAYOUT, 9);
    run(gen, 30, 500);
    const b = gen.geoBlockBurstsUntil(START_MS + 3_600_000);
    expect(b.map((x) => [x.startMs, x.endMs, x.countryCodes])).toEqual(a.map((x) => [x.startMs, x.endMs, x.countryCodes]));
    expect(a[0]?.startMs).toBeGreaterThanOrEqual(START_MS + 20_000);
    expect(a[0]?.startMs).toBeLessThanOrEqual(START_MS + 110_000);
    for (let i = 1; i < a.length; i++) {
      const gap = (a[i]?.startMs ?? 0) - (a[i - 1]?.startMs ?? 0);
      expect(gap).toBeGreaterThanOrEqual(300_000);
      expect(gap).toBeLessThanOrEqual(600_000);
    }
  });

  it('raises the load factor during a burst and follows the time of day', () => {
    const gen = generator();
    const [burst] = gen.geoBlockBurstsUntil(START_MS + 200_000);
    expect(burst).toBeDefined();
    const during = gen.loadFactor((burst?.startMs ?? 0) + 1_000);
    const before = gen.loadFactor((burst?.startMs ?? 0) - 1_000);
    expect(during / before).toBeGreaterThan(1.05);
    const night = gen.loadFactor(Date.UTC(2025, 5, 3, 9, 0, 0));
    const evening = gen.loadFactor(Date.UTC(2025, 5, 3, 20, 0, 0));
    expect(evening).toBeGreaterThan(night);
  });
});
