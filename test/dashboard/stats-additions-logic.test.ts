/**
 * What the dashboard draws from the stats additions: the POP × country heatmap and the TLS cipher
 * shares from a breakdown, and the CMCD panel's labels, bitrate bars and headline figures.
 */
import { describe, expect, it } from 'vitest';
import type { BreakdownResponse } from '../../api/stats/stats-queries.js';
import type { VideoStatsResponse } from '../../api/stats/video-stats.js';
import { cipherShares, heatmapOf } from '../../dashboard/src/views/breakdown-cells.js';
import { bitrateBars, bitrateBucketLabel, cmcdFormatLabel, cmcdKpis, cmcdStreamTypeLabel, formatKbps } from '../../dashboard/src/views/cmcd-panel.js';

const percentiles = (p95: number | null) => ({ p50: null, p95, p99: null });
const cell = (a: string, b: string, requests: number, p95: number | null = null): BreakdownResponse['cells'][number] => ({
  values: [a, b],
  requests,
  bytes: 0,
  hitRatio: null,
  errorRate: null,
  ttfbMs: percentiles(p95),
});
const breakdown = (by: BreakdownResponse['by'], values: BreakdownResponse['values'], cells: BreakdownResponse['cells']): BreakdownResponse => ({
  plan: 'rollup',
  tables: ['requests_1m'],
  from: '2026-11-30T00:00:00.000Z',
  to: '2026-11-30T01:00:00.000Z',
  by,
  top: 10,
  values,
  cells,
});

describe('breakdown views', () => {
  it('turn a POP × country breakdown into heatmap rows, columns and cells, without unlogged values', () => {
    const data = heatmapOf(
      breakdown(
        ['pop', 'country'],
        [
          [
            { value: 'IAD', requests: 13 },
            { value: '', requests: 5 },
            { value: 'FRA', requests: 10 },
          ],
          [
            { value: 'US', requests: 12 },
            { value: 'DE', requests: 10 },
          ],
        ],
        [cell('IAD', 'US', 10, 21.5), cell('IAD', 'DE', 2, 80), cell('FRA', 'DE', 8, null), cell('', 'US', 5, 9)],
      ),
      (c) => c.ttfbMs.p95,
    );
    expect(data.rows).toEqual(['IAD', 'FRA']);
    expect(data.columns).toEqual(['US', 'DE']);
    expect(data.cells).toEqual([
      { row: 'IAD', column: 'US', value: 21.5 },
      { row: 'IAD', column: 'DE', value: 80 },
      { row: 'FRA', column: 'DE', value: null },
    ]);
  });

  it('give cipher suites with their protocol by share of TLS requests, whichever dimension comes first', () => {
    const cells = [cell('TLS_AES_128_GCM_SHA256', 'TLSv1.3', 60), cell('ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 20), cell('TLS_AES_256_GCM_SHA384', 'TLSv1.3', 20), cell('', '', 900)];
    const shares = cipherShares(breakdown(['sslCipher', 'sslProtocol'], [[], []], cells));
    expect(shares).toEqual([
      { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', requests: 60, share: 0.6 },
      { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', requests: 20, share: 0.2 },
      { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', requests: 20, share: 0.2 },
    ]);
    const flipped = cipherShares(breakdown(['sslProtocol', 'sslCipher'], [[], []], cells.map((c) => ({ ...c, values: [c.values[1], c.values[0]] as const }))));
    expect(flipped).toEqual(shares);
    expect(cipherShares(breakdown(['sslProtocol', 'sslCipher'], [[], []], [cell('', '', 5)]))).toEqual([]);
  });
});

describe('CMCD panel', () => {
  const aggregate = {
    requests: 7,
    sampledRequests: 6,
    sessions: 3,
    rebufferedSessions: 2,
    sessionRebufferRatio: 2 / 3,
    mediaRequests: 6,
    rebufferRequests: 2,
    rebufferRatio: 1 / 3,
    startupRequests: 2,
    meanBitrateKbps: 3750,
    bitrateKbps: { p50: 3000, p95: 6000, p99: 6000 },
    bufferLengthMs: { p50: 2000, p95: 8000, p99: 8000 },
    measuredThroughputKbps: { p50: 5000, p95: 5000, p99: 5000 },
  };
  const buckets = [
    { fromKbps: 0, toKbps: 400, requests: 0 },
    { fromKbps: 400, toKbps: 800, requests: 1 },
    { fromKbps: 800, toKbps: 1500, requests: 0 },
    { fromKbps: 1500, toKbps: 3000, requests: 3 },
    { fromKbps: 3000, toKbps: null, requests: 0 },
  ];
  const format = { format: 'h', ...aggregate, buckets };

  it('names formats, stream types, bitrates and buckets', () => {
    expect(cmcdFormatLabel('h')).toBe('HLS');
    expect(cmcdFormatLabel('d')).toBe('DASH');
    expect(cmcdFormatLabel('s')).toBe('Smooth Streaming');
    expect(cmcdFormatLabel('')).toBe('(format not sent)');
    expect(cmcdFormatLabel('<b>x</b>')).toBe('<b>x</b>');
    expect(cmcdStreamTypeLabel('l')).toBe('live');
    expect(cmcdStreamTypeLabel('v')).toBe('on demand');
    expect(formatKbps(800)).toBe('800 kbps');
    expect(formatKbps(1500)).toBe('1.5 Mbps');
    expect(formatKbps(20_000)).toBe('20 Mbps');
    expect(formatKbps(null)).toBe('—');
    expect(bitrateBucketLabel(buckets[0]!)).toBe('0–400 kbps');
    expect(bitrateBucketLabel(buckets[3]!)).toBe('1.5 Mbps–3.0 Mbps');
    expect(bitrateBucketLabel(buckets[4]!)).toBe('≥ 3.0 Mbps');
  });

  it('draws a format’s bitrate distribution as shares, trimmed of empty ends', () => {
    const bars = bitrateBars(format);
    expect(bars.map((b) => [b.label, b.value])).toEqual([
      ['400 kbps–800 kbps', 0.25],
      ['800 kbps–1.5 Mbps', 0],
      ['1.5 Mbps–3.0 Mbps', 0.75],
    ]);
    expect(bitrateBars({ ...format, buckets: buckets.map((b) => ({ ...b, requests: 0 })) })).toEqual([]);
  });

  it('puts sessions, rebuffering, bitrate, buffer and startup in the headline', () => {
    const response: VideoStatsResponse = {
      plan: 'raw',
      tables: ['requests'],
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-11-30T01:00:00.000Z',
      ...aggregate,
      interval: '1m',
      intervalSeconds: 60,
      formats: [format],
      streamTypes: [],
      series: [],
    };
    const kpis = Object.fromEntries(cmcdKpis(response).map((k) => [k.key, k.value.replace(/\u00a0/g, ' ')]));
    const { bufferP50, ...rest } = kpis;
    expect(rest).toEqual({ sessions: '3', rebufferRatio: '33.3 %', sessionRebufferRatio: '66.7 %', meanBitrate: '3.8 Mbps', startup: '28.6 %' });
    expect(bufferP50).toMatch(/^2(\.0)? s$|^2,?000 ms$/);
  });
});
