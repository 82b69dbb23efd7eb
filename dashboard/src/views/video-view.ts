/**
 * Video: HLS, DASH and Smooth Streaming manifest and segment traffic, the live event apart from video
 * on demand (by path prefix), the live audience, and playback quality from CMCD (sessions, rebuffering,
 * bitrates per streaming format).
 */
import { barChart } from '../charts/bar-chart.js';
import type { LineSeries } from '../charts/line-chart.js';
import { formatBytes, formatCount, formatMs, formatRatio, formatRequestsPerSecond } from '../format/format.js';
import { statsParams } from '../state/query-params.js';
import { resolveRange } from '../state/time-range.js';
import { chartHost } from '../ui/chart-host.js';
import { button, h } from '../ui/dom.js';
import { kpiRow } from '../ui/kpi-row.js';
import { Panel, runPanel } from '../ui/panel.js';
import { cmcdContent } from './cmcd-panel.js';
import { CONTENT_CLASS_LABELS, labelOf } from './labels.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid, loadKpis, narrowFilter, seriesOf, timeChart } from './view-kit.js';
import { livePrefixWithin, manifestFormat, MANIFEST_FORMATS, segmentPackaging, sumBy } from './video-formats.js';

const VIDEO_CLASSES = ['video_manifest', 'video_segment'] as const;

function pointsOf(response: { series: readonly { points: readonly { t: string; value: number | null }[] }[] }): { t: number; value: number | null }[] {
  return response.series[0]?.points.map((p) => ({ t: Date.parse(p.t), value: p.value })) ?? [];
}

function livePrefixForm(ctx: ViewContext): HTMLElement {
  const input = h('input', { type: 'text', value: ctx.state.options.livePrefix, 'aria-label': 'Path prefix of live events', size: 12, pattern: '/.*' });
  const form = h('form', { class: 'inline-form' }, [h('label', {}, ['Live events under ', input]), button('Apply', () => form.requestSubmit(), { class: 'small' })]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (value.startsWith('/')) ctx.navigate({ ...ctx.state, options: { ...ctx.state.options, livePrefix: value } });
  });
  return form;
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const videoClasses = narrowFilter(ctx.state, 'contentClass', VIDEO_CLASSES);
  const livePrefix = livePrefixWithin(ctx.state.filters.pathPrefix, ctx.state.options.livePrefix);
  const summary = new Panel('Video summary', { wide: true, id: 'summary', note: 'Manifests and segments (content classes video_manifest and video_segment).' });
  const traffic = new Panel('Manifest and segment requests', { wide: true, id: 'video-traffic' });
  const liveVsVod = new Panel('Live event and video on demand', { id: 'live-vs-vod', note: `Segment requests per second; live = paths under ${ctx.state.options.livePrefix}.` });
  liveVsVod.addTools([livePrefixForm(ctx)]);
  const audience = new Panel('Live event audience', {
    id: 'live-audience',
    note: 'Live manifest requests per second: every live player reloads its manifest about once per segment, so this follows the number of concurrent viewers (players that send CMCD are counted by session in Playback quality).',
  });
  const formats = new Panel('Manifests by streaming format', { id: 'formats', note: 'From the manifest paths: .m3u8 HLS, .mpd DASH, …/Manifest Smooth Streaming.' });
  const packaging = new Panel('Segments by packaging', { id: 'packaging', note: 'From the segments’ Content-Type.' });
  const cmcd = new Panel('Playback quality (CMCD)', { wide: true, id: 'cmcd', note: 'From the CMCD data players send with each request (CloudFront cmcd-* fields); only requests that carry CMCD count.' });
  root.replaceChildren(grid([summary.element, traffic.element, liveVsVod.element, audience.element, formats.element, packaging.element, cmcd.element]));

  const load = (nowMs: number): void => {
    const range = resolveRange(ctx.state.range, nowMs);
    if (videoClasses === null) {
      for (const panel of [summary, traffic, liveVsVod, audience, formats, packaging]) panel.empty('The content class filter leaves out video manifests and segments.');
    } else {
      const params = statsParams(ctx.state, nowMs, { contentClass: videoClasses });
      const has = (c: string): boolean => videoClasses.split(',').includes(c);
      void runPanel(summary, ctx.signal, async () =>
        kpiRow(
          await loadKpis(
            ctx,
            [
              { key: 'requests', label: 'Video requests', value: (s) => s.requests, format: formatCount, higherIsBetter: null },
              { key: 'bytes', label: 'Video bytes', value: (s) => s.bytes, format: formatBytes, higherIsBetter: null },
              { key: 'cacheHitRatio', label: 'Cache hit ratio', value: (s) => s.cacheHitRatio, format: formatRatio, ratio: true, higherIsBetter: true },
              { key: 'ttfbP95', label: 'p95 TTFB', value: (s) => s.ttfbMs.p95, format: formatMs, higherIsBetter: false },
              { key: 'errorRate5xx', label: '5xx rate', value: (s) => s.errorRate5xx, format: formatRatio, ratio: true, higherIsBetter: false },
            ],
            nowMs,
            { contentClass: videoClasses },
          ),
        ),
      );
      void runPanel(traffic, ctx.signal, async () => {
        const response = await ctx.stats.timeseries(params, { metric: 'requestsPerSecond', groupBy: 'contentClass', top: 4 }, ctx.signal);
        const series = seriesOf(response, (key) => labelOf(CONTENT_CLASS_LABELS, key));
        if (series.length === 0) return { empty: 'No video traffic in this range.' };
        return timeChart(ctx, { title: 'Video manifest and segment requests per second', series, formatValue: formatRequestsPerSecond, range });
      });
      void runPanel(liveVsVod, ctx.signal, async () => {
        if (!has('video_segment')) return { empty: 'The content class filter leaves out video segments.' };
        const segmentParams = { ...params, contentClass: 'video_segment' };
        const all = pointsOf(await ctx.stats.timeseries(segmentParams, { metric: 'requestsPerSecond' }, ctx.signal));
        const liveMap = new Map<number, number | null>();
        if (livePrefix !== null) {
          for (const p of pointsOf(await ctx.stats.timeseries({ ...segmentParams, pathPrefix: livePrefix }, { metric: 'requestsPerSecond' }, ctx.signal))) liveMap.set(p.t, p.value);
        }
        const series: LineSeries[] = [
          { key: 'live', label: 'Live event', points: all.map((p) => ({ t: p.t, value: p.value === null ? null : (liveMap.get(p.t) ?? 0) })) },
          { key: 'vod', label: 'Video on demand', points: all.map((p) => ({ t: p.t, value: p.value === null ? null : Math.max(0, p.value - (liveMap.get(p.t) ?? 0)) })) },
        ];
        if (all.every((p) => (p.value ?? 0) === 0)) return { empty: 'No video segments in this range.' };
        return timeChart(ctx, { title: 'Segment requests per second, live event and video on demand', series, formatValue: formatRequestsPerSecond, range, stacked: true });
      });
      void runPanel(audience, ctx.signal, async () => {
        if (!has('video_manifest')) return { empty: 'The content class filter leaves out video manifests.' };
        if (livePrefix === null) return { empty: 'The path filter leaves out the live event.' };
        const points = pointsOf(await ctx.stats.timeseries({ ...params, contentClass: 'video_manifest', pathPrefix: livePrefix }, { metric: 'requestsPerSecond' }, ctx.signal));
        if (points.every((p) => (p.value ?? 0) === 0)) return { empty: `No live manifest requests under ${livePrefix} in this range.` };
        return timeChart(ctx, { title: 'Live manifest requests per second', series: [{ key: 'live-manifests', label: 'Live manifest requests/s', points }], formatValue: formatRequestsPerSecond, range });
      });
      void runPanel(formats, ctx.signal, async () => {
        if (!has('video_manifest')) return { empty: 'The content class filter leaves out video manifests.' };
        const top = await ctx.stats.top({ ...params, contentClass: 'video_manifest' }, { dimension: 'uri', limit: 1000 }, ctx.signal);
        const totals = sumBy(top.rows, (r) => manifestFormat(r.value), (r) => r.requests);
        const total = [...totals.values()].reduce((a, b) => a + b, 0);
        if (total === 0) return { empty: 'No manifest requests in this range.' };
        return chartHost((width) =>
          barChart(
            MANIFEST_FORMATS.filter((f) => (totals.get(f) ?? 0) > 0).map((f) => ({ key: f, label: f, value: totals.get(f) ?? 0, note: formatRatio((totals.get(f) ?? 0) / total) })),
            { width, title: 'Manifest requests by streaming format', formatValue: formatCount },
          ),
        );
      });
      void runPanel(packaging, ctx.signal, async () => {
        if (!has('video_segment')) return { empty: 'The content class filter leaves out video segments.' };
        const top = await ctx.stats.top({ ...params, contentClass: 'video_segment' }, { dimension: 'contentType', limit: 20 }, ctx.signal);
        const totals = sumBy(top.rows, (r) => segmentPackaging(r.value), (r) => r.requests);
        const total = [...totals.values()].reduce((a, b) => a + b, 0);
        if (total === 0) return { empty: 'No segment requests in this range.' };
        return chartHost((width) =>
          barChart(
            [...totals].sort((a, b) => b[1] - a[1]).map(([label, requests]) => ({ key: label, label, value: requests, note: formatRatio(requests / total) })),
            { width, title: 'Segment requests by packaging', formatValue: formatCount },
          ),
        );
      });
    }
    void runPanel(cmcd, ctx.signal, async () => {
      const response = await ctx.stats.video(statsParams(ctx.state, nowMs), ctx.signal);
      if (response.requests === 0) return { empty: 'No request with CMCD data in this range: the players send none, or the real-time log config leaves out the cmcd-* fields.' };
      return cmcdContent(ctx, response, range);
    });
  };

  load(Date.now());
  return { refresh: () => load(Date.now()), dispose: () => undefined };
}

export const videoView: ViewDefinition = { name: 'video', title: 'Video', usesTimeRange: true, mount };
