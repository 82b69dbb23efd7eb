/**
 * Cache: hit ratios (CloudWatch's definition or hits ÷ all requests, and by bytes) over time, the
 * result-type mix, hit ratio by distribution, cache behavior, POP, content class and country, and
 * the URIs missed most.
 */
import type { TopDimension, TopRow } from '../api/api-types.js';
import { barChart } from '../charts/bar-chart.js';
import { formatBytes, formatCount, formatRatio } from '../format/format.js';
import { statsParams } from '../state/query-params.js';
import { resolveRange } from '../state/time-range.js';
import { chartHost } from '../ui/chart-host.js';
import { dataTable } from '../ui/data-table.js';
import { kpiRow } from '../ui/kpi-row.js';
import { Panel, runPanel } from '../ui/panel.js';
import { radioGroup } from '../ui/radio-group.js';
import { CACHE_STATUS_LABELS, CONTENT_CLASS_LABELS, labelOf } from './labels.js';
import { changeMarkers } from './change-markers.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid, loadKpis, metricSeries, seriesOf, timeChart, type KpiSpec } from './view-kit.js';

function definitionOf(ctx: ViewContext, name: string): string {
  return ctx.definitions.metrics.find((m) => m.name === name)?.definition ?? '';
}

function kpiSpecs(ctx: ViewContext): KpiSpec[] {
  return [
    { key: 'requests', label: 'Requests', value: (s) => s.requests, format: formatCount, higherIsBetter: null },
    { key: 'cacheHitRatio', label: 'Cache hit ratio (CloudWatch)', value: (s) => s.cacheHitRatio, format: formatRatio, ratio: true, higherIsBetter: true, definition: definitionOf(ctx, 'cacheHitRatio') },
    { key: 'edgeHitRatio', label: 'Hits ÷ all requests', value: (s) => s.edgeHitRatio, format: formatRatio, ratio: true, higherIsBetter: true, definition: definitionOf(ctx, 'edgeHitRatio') },
    { key: 'byteHitRatio', label: 'Byte hit ratio', value: (s) => s.byteHitRatio, format: formatRatio, ratio: true, higherIsBetter: true, definition: definitionOf(ctx, 'byteHitRatio') },
    { key: 'bytes', label: 'Bytes served', value: (s) => s.bytes, format: formatBytes, higherIsBetter: null },
  ];
}

interface Breakdown {
  readonly dimension: TopDimension;
  readonly title: string;
  readonly filter: string;
  readonly label: (value: string) => string;
}

const BREAKDOWNS: readonly Breakdown[] = [
  { dimension: 'distribution', title: 'Hit ratio by distribution', filter: 'distribution', label: (v) => (v === '' ? '(unknown domain)' : v) },
  { dimension: 'cacheBehavior', title: 'Hit ratio by cache behavior', filter: 'cacheBehavior', label: (v) => (v === '' ? '(none)' : v) },
  { dimension: 'pop', title: 'Hit ratio by POP', filter: 'pop', label: (v) => (v === '' ? '(unknown)' : v) },
  { dimension: 'contentClass', title: 'Hit ratio by content class', filter: 'contentClass', label: (v) => labelOf(CONTENT_CLASS_LABELS, v) },
  { dimension: 'country', title: 'Hit ratio by viewer country', filter: 'country', label: (v) => (v === '' ? '(unknown)' : v) },
];

function breakdownBars(rows: readonly TopRow[], breakdown: Breakdown, title: string): HTMLElement {
  return chartHost((width) =>
    barChart(
      rows.map((r) => ({
        key: r.value,
        label: breakdown.label(r.value),
        value: r.hitRatio,
        note: `${formatCount(r.requests)} req`,
        filter: r.value === '' ? undefined : { name: breakdown.filter, value: r.value },
      })),
      { width, title, formatValue: formatRatio, maxValue: 1 },
    ),
  );
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const hitDefinition = ctx.state.options.hit;
  const hitMetric = hitDefinition === 'cloudwatch' ? 'cacheHitRatio' : 'edgeHitRatio';
  const hitLabel = hitDefinition === 'cloudwatch' ? 'Cache hit ratio (CloudWatch)' : 'Hits ÷ all requests';

  const summary = new Panel('Summary', { wide: true, id: 'summary' });
  const ratios = new Panel('Hit ratios over time', {
    wide: true,
    id: 'hit-ratio',
    note: `${hitLabel}: ${definitionOf(ctx, hitMetric)}`,
    definition: [ctx.definitions.hit, ...(hitDefinition === 'cloudwatch' ? [ctx.definitions.cacheable] : []), `Byte hit ratio: ${definitionOf(ctx, 'byteHitRatio')}`, ctx.definitions.websocket],
  });
  ratios.addTools([
    radioGroup(
      'Hit ratio definition',
      [
        { value: 'cloudwatch', label: 'CloudWatch' },
        { value: 'edge', label: 'Hits ÷ all' },
      ],
      hitDefinition,
      (hit) => ctx.navigate({ ...ctx.state, options: { ...ctx.state.options, hit: hit as 'cloudwatch' | 'edge' } }),
    ),
  ]);
  const mixOverTime = new Panel('Result types over time', { id: 'result-mix-time', note: 'Share of requests per cache result (x-edge-detailed-result-type, else x-edge-result-type).' });
  const mix = new Panel('Result type mix', { id: 'result-mix' });
  const breakdowns = BREAKDOWNS.map((b) => ({ breakdown: b, panel: new Panel(b.title, { id: `by-${b.dimension}`, note: 'Top 10 by requests; select a bar to filter.' }) }));
  const missed = new Panel('Top missed URIs', { wide: true, id: 'missed-uris', note: 'Ranked by misses; select a row to filter by its path.' });

  root.replaceChildren(grid([summary.element, ratios.element, mixOverTime.element, mix.element, ...breakdowns.map((b) => b.panel.element), missed.element]));

  const load = (nowMs: number): void => {
    const params = statsParams(ctx.state, nowMs);
    const range = resolveRange(ctx.state.range, nowMs);
    void runPanel(summary, ctx.signal, async () => kpiRow(await loadKpis(ctx, kpiSpecs(ctx), nowMs)));
    void runPanel(ratios, ctx.signal, async () => {
      const hit = await metricSeries(ctx, { metric: hitMetric }, hitLabel, nowMs);
      const bytes = await metricSeries(ctx, { metric: 'byteHitRatio' }, 'Byte hit ratio', nowMs);
      const series = [...hit.series.map((s) => ({ ...s, color: '#0072B2' })), ...bytes.series.map((s) => ({ ...s, color: '#E69F00' }))];
      if (series.every((s) => s.points.every((p) => p.value === null))) return { empty: 'No cacheable requests in this range.' };
      const markers = await changeMarkers(ctx, hit.range);
      return timeChart(ctx, { title: `${hitLabel} and byte hit ratio over time`, series, formatValue: formatRatio, range: hit.range, valueDomain: [0, 1], markers });
    });
    void runPanel(mixOverTime, ctx.signal, async () => {
      const response = await ctx.stats.timeseries(params, { metric: 'requests', groupBy: 'cacheStatus', top: 8 }, ctx.signal);
      const series = seriesOf(response, (key, other) => (other ? 'Other' : labelOf(CACHE_STATUS_LABELS, key)));
      if (series.length === 0) return { empty: 'No requests in this range.' };
      return timeChart(ctx, { title: 'Share of requests by cache result over time', series, formatValue: formatRatio, range, stacked: true, normalize: true, otherKeys: ['\u0000other'] });
    });
    void runPanel(mix, ctx.signal, async () => {
      const top = await ctx.stats.top(params, { dimension: 'cacheStatus', limit: 10 }, ctx.signal);
      const total = top.rows.reduce((sum, r) => sum + r.requests, 0);
      if (total === 0) return { empty: 'No requests in this range.' };
      return chartHost((width) =>
        barChart(
          top.rows.map((r) => ({ key: r.value, label: labelOf(CACHE_STATUS_LABELS, r.value), value: r.requests / total, note: `${formatCount(r.requests)} req`, filter: { name: 'cacheStatus', value: r.value } })),
          { width, title: 'Share of requests by cache result', formatValue: formatRatio, maxValue: 1 },
        ),
      );
    });
    for (const { breakdown, panel } of breakdowns) {
      void runPanel(panel, ctx.signal, async () => {
        const top = await ctx.stats.top(params, { dimension: breakdown.dimension, limit: 10 }, ctx.signal);
        if (top.rows.length === 0) return { empty: 'No requests in this range.' };
        return breakdownBars(top.rows, breakdown, breakdown.title);
      });
    }
    void runPanel(missed, ctx.signal, async () => {
      const top = await ctx.stats.top(params, { dimension: 'missedUris', limit: 25 }, ctx.signal);
      if (top.rows.length === 0) return { empty: 'No misses in this range.' };
      return dataTable(
        top.rows,
        [
          { key: 'uri', label: 'URI', value: (r) => r.value, long: true },
          { key: 'misses', label: 'Misses', value: (r) => r.misses, format: formatCount, numeric: true },
          { key: 'requests', label: 'Requests', value: (r) => r.requests, format: formatCount, numeric: true },
          { key: 'hitRatio', label: 'Hit ratio', value: (r) => r.hitRatio, format: formatRatio, numeric: true },
          { key: 'bytes', label: 'Bytes', value: (r) => r.bytes, format: formatBytes, numeric: true },
        ],
        { caption: 'URIs with the most cache misses', sortKey: 'misses', id: 'missed-uris', drill: (r) => (r.value.startsWith('/') ? { name: 'pathPrefix', value: r.value } : undefined) },
      );
    });
  };

  load(Date.now());
  return { refresh: () => load(Date.now()), dispose: () => undefined };
}

export const cacheView: ViewDefinition = { name: 'cache', title: 'Cache', usesTimeRange: true, mount };
