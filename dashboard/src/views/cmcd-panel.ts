/**
 * The Video view's playback-quality panel, from GET /api/v1/stats/video (CMCD): sessions,
 * rebuffering, bitrate and buffer figures, the bitrate distribution of each streaming format, the
 * formats side by side and rebuffering over time. Labels and bars are pure functions (tested
 * without a browser); `cmcdContent` puts them on the page.
 */
import type { VideoStatsResponse } from '../api/api-types.js';
import { barChart, type BarRow } from '../charts/bar-chart.js';
import { formatCount, formatMs, formatRatio } from '../format/format.js';
import type { ResolvedRange } from '../state/time-range.js';
import { chartHost } from '../ui/chart-host.js';
import { dataTable } from '../ui/data-table.js';
import { h, type Child } from '../ui/dom.js';
import { kpiRow, type Kpi } from '../ui/kpi-row.js';
import type { ViewContext } from './view-context.js';
import { timeChart } from './view-kit.js';

type Format = VideoStatsResponse['formats'][number];
type Bucket = Format['buckets'][number];

/** CMCD `sf` tokens (CTA-5004). */
const FORMAT_LABELS: Readonly<Record<string, string>> = { h: 'HLS', d: 'DASH', s: 'Smooth Streaming', o: 'other' };
/** CMCD `st` tokens. */
const STREAM_TYPE_LABELS: Readonly<Record<string, string>> = { v: 'on demand', l: 'live' };

/** Streaming formats shown with their own bitrate distribution, at most. */
const FORMAT_CHARTS = 3;

export function cmcdFormatLabel(code: string): string {
  if (code === '') return '(format not sent)';
  return FORMAT_LABELS[code] ?? code;
}

export function cmcdStreamTypeLabel(code: string): string {
  if (code === '') return '(type not sent)';
  return STREAM_TYPE_LABELS[code] ?? code;
}

export function formatKbps(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} Mbps` : `${Math.round(value)} kbps`;
}

export function bitrateBucketLabel(bucket: Bucket): string {
  if (bucket.toKbps === null) return `≥ ${formatKbps(bucket.fromKbps)}`;
  return `${bucket.fromKbps === 0 ? '0' : formatKbps(bucket.fromKbps)}–${formatKbps(bucket.toKbps)}`;
}

/** Share of a format's media requests per bitrate bucket, trimmed of empty buckets at both ends. */
export function bitrateBars(format: Format): BarRow[] {
  const total = format.buckets.reduce((sum, b) => sum + b.requests, 0);
  if (total === 0) return [];
  const first = format.buckets.findIndex((b) => b.requests > 0);
  const last = format.buckets.length - 1 - [...format.buckets].reverse().findIndex((b) => b.requests > 0);
  return format.buckets.slice(first, last + 1).map((b) => ({ key: `${format.format}:${b.fromKbps}`, label: bitrateBucketLabel(b), value: b.requests / total, note: `${formatCount(b.requests)} req` }));
}

export function cmcdKpis(response: VideoStatsResponse): Kpi[] {
  return [
    { key: 'sessions', label: 'Playback sessions', value: formatCount(response.sessions), definition: 'Distinct CMCD session ids (sid) of logged requests; a lower bound below 100 % sampling.' },
    { key: 'rebufferRatio', label: 'Rebuffering requests', value: formatRatio(response.rebufferRatio), definition: 'Media requests reporting buffer starvation (bs) ÷ media requests (those with a bitrate, br).' },
    { key: 'sessionRebufferRatio', label: 'Sessions with rebuffering', value: formatRatio(response.sessionRebufferRatio), definition: 'Sessions with at least one buffer starvation ÷ sessions.' },
    { key: 'meanBitrate', label: 'Mean bitrate', value: formatKbps(response.meanBitrateKbps), definition: 'Encoded bitrate (br) of media requests, weighted by sampling.' },
    { key: 'bufferP50', label: 'p50 buffer length', value: formatMs(response.bufferLengthMs.p50), definition: 'CMCD buffer length (bl) reported with requests.' },
    { key: 'startup', label: 'Startup requests', value: formatRatio(response.requests > 0 ? response.startupRequests / response.requests : null), definition: 'Requests flagged su (needed for startup, seeking or rebuffer recovery) ÷ CMCD requests.' },
  ];
}

export function cmcdContent(ctx: ViewContext, response: VideoStatsResponse, range: ResolvedRange): Child[] {
  const charts = response.formats
    .filter((f) => f.mediaRequests > 0)
    .slice(0, FORMAT_CHARTS)
    .map((format) => {
      const title = `Bitrate distribution, ${cmcdFormatLabel(format.format)}`;
      return h('figure', { class: 'cmcd-bitrates', 'data-format': format.format }, [
        h('figcaption', {}, [`${title} (median ${formatKbps(format.bitrateKbps.p50)}, p95 ${formatKbps(format.bitrateKbps.p95)})`]),
        chartHost((width) => barChart(bitrateBars(format), { width, title: `${title}: share of media requests per bitrate`, formatValue: formatRatio, maxValue: 1, barHeight: 16 })),
      ]);
    });
  const formats = dataTable(
    response.formats,
    [
      { key: 'format', label: 'Format', value: (f) => cmcdFormatLabel(f.format) },
      { key: 'sessions', label: 'Sessions', value: (f) => f.sessions, format: formatCount, numeric: true },
      { key: 'requests', label: 'Requests', value: (f) => f.requests, format: formatCount, numeric: true },
      { key: 'bitrate', label: 'Mean bitrate', value: (f) => f.meanBitrateKbps, format: formatKbps, numeric: true },
      { key: 'rebuffer', label: 'Rebuffering', value: (f) => f.rebufferRatio, format: formatRatio, numeric: true },
      { key: 'buffer', label: 'p50 buffer', value: (f) => f.bufferLengthMs.p50, format: formatMs, numeric: true },
    ],
    { caption: 'CMCD by streaming format', sortKey: 'requests', id: 'cmcd-formats' },
  );
  const streamTypes = h(
    'p',
    { class: 'panel-fact' },
    [
      response.streamTypes
        .map((s) => `${cmcdStreamTypeLabel(s.streamType)}: ${formatCount(s.sessions)} sessions, ${formatRatio(s.rebufferRatio)} rebuffering`)
        .join(' · '),
    ],
  );
  const rebuffering = timeChart(ctx, {
    title: 'Rebuffering requests per interval (share of media requests)',
    series: [{ key: 'rebuffer', label: 'Rebuffering', points: response.series.map((p) => ({ t: Date.parse(p.t), value: p.rebufferRatio })) }],
    formatValue: formatRatio,
    range,
    height: 180,
  });
  return [kpiRow(cmcdKpis(response)), h('div', { class: 'cmcd-charts' }, charts), rebuffering, streamTypes, formats];
}
