/**
 * Pieces the views share: the headline numbers (with the comparison), time series from the API as
 * chart series, the earlier period laid over the current one, and time charts with their
 * interactions.
 */
import type { ComparePeriod, SummaryResponse, TimeseriesResponse } from '../api/api-types.js';
import type { TimeseriesQuery } from '../api/stats-api.js';
import { lineChart, type LineSeries, type TimeMarker } from '../charts/line-chart.js';
import { stackedAreaChart } from '../charts/stacked-area-chart.js';
import { formatRelativeDelta, formatPointDelta, type DeltaText } from '../format/format.js';
import { statsParams } from '../state/query-params.js';
import { resolveRange, type ResolvedRange } from '../state/time-range.js';
import { filterValues, type DashboardState } from '../state/url-state.js';
import type { FilterName } from '../api/api-types.js';
import { chartHost } from '../ui/chart-host.js';
import { h } from '../ui/dom.js';
import type { Kpi } from '../ui/kpi-row.js';
import { attachTimeInteractions } from '../ui/time-interactions.js';
import type { ViewContext } from './view-context.js';

export const COMPARE_MS: Readonly<Record<ComparePeriod, number>> = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000, '28d': 28 * 86_400_000 };
export const COMPARE_LABELS: Readonly<Record<ComparePeriod, string>> = { '1h': '1 hour earlier', '1d': '1 day earlier', '7d': '7 days earlier', '28d': '28 days earlier' };

export function grid(children: readonly Node[]): HTMLElement {
  return h('div', { class: 'grid' }, children);
}

export interface KpiSpec {
  readonly key: string;
  readonly label: string;
  readonly value: (s: SummaryResponse) => number | null;
  readonly format: (value: number | null) => string;
  /** Ratios change in percentage points; counts relatively. */
  readonly ratio?: boolean;
  /** Whether a rise is good news; null: neutral. */
  readonly higherIsBetter: boolean | null;
  readonly definition?: string;
}

/** The summary for the state (with the earlier period when comparing), as KPIs. */
export async function loadKpis(ctx: ViewContext, specs: readonly KpiSpec[], nowMs: number, overrides: Readonly<Partial<Record<FilterName, string>>> = {}): Promise<Kpi[]> {
  const params = statsParams(ctx.state, nowMs, overrides);
  const compare = ctx.state.compare;
  if (compare === null) {
    const summary = await ctx.stats.summary(params, ctx.signal);
    return specs.map((spec) => ({ key: spec.key, label: spec.label, value: spec.format(spec.value(summary)), definition: spec.definition }));
  }
  const result = await ctx.stats.compare(params, compare, ctx.signal);
  return specs.map((spec) => {
    const now = spec.value(result.current);
    const before = spec.value(result.previous);
    const delta: DeltaText =
      spec.ratio === true
        ? formatPointDelta(now === null || before === null ? null : now - before)
        : formatRelativeDelta(now === null || before === null || before === 0 ? null : (now - before) / before);
    const good = spec.higherIsBetter === null || delta.direction === 'flat' ? null : (delta.direction === 'up') === spec.higherIsBetter;
    return { key: spec.key, label: spec.label, value: spec.format(now), definition: spec.definition, delta: { ...delta, good, against: `vs. ${COMPARE_LABELS[compare]} (${spec.format(before)})` } };
  });
}

export function seriesOf(response: TimeseriesResponse, label: (key: string, other: boolean) => string = (key, other) => (other ? 'other' : key === '' ? '(none)' : key)): LineSeries[] {
  return response.series.map((s) => ({
    key: s.other ? '\u0000other' : s.key,
    label: label(s.key, s.other),
    points: s.points.map((p) => ({ t: Date.parse(p.t), value: p.value })),
  }));
}

/** One series of a metric over the state's range (and the earlier period, shifted onto it, when comparing). */
export async function metricSeries(
  ctx: ViewContext,
  query: TimeseriesQuery,
  label: string,
  nowMs: number,
  overrides: Readonly<Partial<Record<FilterName, string>>> = {},
): Promise<{ series: LineSeries[]; range: ResolvedRange; response: TimeseriesResponse }> {
  const range = resolveRange(ctx.state.range, nowMs);
  const response = await ctx.stats.timeseries(statsParams(ctx.state, nowMs, overrides, range), query, ctx.signal);
  const current: LineSeries = { key: query.metric, label, points: response.series[0]?.points.map((p) => ({ t: Date.parse(p.t), value: p.value })) ?? [] };
  const compare = ctx.state.compare;
  if (compare === null) return { series: [current], range, response };
  const shift = COMPARE_MS[compare];
  const earlier = { fromMs: range.fromMs - shift, toMs: range.toMs - shift, shownToMs: range.shownToMs - shift };
  const previous = await ctx.stats.timeseries(statsParams(ctx.state, nowMs, overrides, earlier), { ...query, interval: response.interval }, ctx.signal);
  return {
    series: [
      current,
      {
        key: `${query.metric}-previous`,
        label: `${label}, ${COMPARE_LABELS[compare]}`,
        dashed: true,
        // The earlier period has passed whole, past the point the chart ends at (now).
        points: previous.series[0]?.points.map((p) => ({ t: Date.parse(p.t) + shift, value: p.value })).filter((p) => p.t < range.shownToMs) ?? [],
      },
    ],
    range,
    response,
  };
}

export interface TimeChartSpec {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly formatValue: (value: number) => string;
  readonly range: ResolvedRange;
  readonly valueDomain?: readonly [number, number];
  readonly markers?: readonly TimeMarker[];
  readonly stacked?: boolean;
  readonly normalize?: boolean;
  readonly otherKeys?: readonly string[];
  readonly height?: number;
}

/** A time chart with brush-to-zoom, a pointer/keyboard cursor and its readout. */
export function timeChart(ctx: ViewContext, spec: TimeChartSpec): HTMLElement {
  const readout = h('p', { class: 'readout', 'aria-live': 'polite' }, ['Point at the chart, or focus it and use the arrow keys; drag (or + / −) to zoom.']);
  const host = chartHost(
    (width) => {
      const common = { width, height: spec.height ?? 240, title: spec.title, formatValue: spec.formatValue, timeDomain: [spec.range.fromMs, spec.range.shownToMs] as const, timeZone: ctx.timeZone };
      return spec.stacked === true
        ? stackedAreaChart(spec.series, { ...common, normalize: spec.normalize, otherKeys: spec.otherKeys })
        : lineChart(spec.series, { ...common, valueDomain: spec.valueDomain, markers: spec.markers });
    },
    {
      attach: (svg) =>
        attachTimeInteractions(svg, {
          series: spec.series,
          formatValue: spec.formatValue,
          readout,
          timeZone: ctx.timeZone,
          onZoom: (fromMs, toMs) => ctx.zoomTo(fromMs, toMs),
        }),
    },
  );
  return h('div', { class: 'time-chart' }, [host, readout]);
}

/**
 * A view's own filter narrowed by the user's: the values of `wanted` the user's filter allows
 * (all of them without one), comma-separated; null when none is left.
 */
export function narrowFilter(state: DashboardState, name: FilterName, wanted: readonly string[]): string | null {
  const chosen = filterValues(state, name);
  const kept = chosen.length === 0 ? wanted : wanted.filter((v) => chosen.includes(v));
  return kept.length === 0 ? null : kept.join(',');
}

export function sumPoints(series: LineSeries): number {
  return series.points.reduce((total, p) => total + (p.value ?? 0), 0);
}
