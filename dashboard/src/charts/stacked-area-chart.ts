/**
 * Stacked areas over time: `(series, options) → SVG`, for a mix that adds up (result types,
 * status codes). Missing or null values count as 0; the "other" series is grey.
 */
import { area, max, scaleLinear, stack, stackOffsetExpand, stackOffsetNone, type SeriesPoint } from 'd3';
import { formatDateTime } from '../format/format.js';
import { timeAxis, timeScale, valueAxis, valueAxisMargin, type PlotBox } from './axes.js';
import { legend } from './legend.js';
import { OTHER_COLOR, seriesColor } from './palette.js';
import { svgNode, svgTitle, type SvgNode } from './svg-node.js';
import type { LineSeries } from './line-chart.js';

export interface StackedAreaOptions {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly formatValue: (value: number) => string;
  /** Each bucket as shares of its total (0–1) instead of absolute values. */
  readonly normalize?: boolean;
  readonly timeDomain?: readonly [number, number];
  readonly timeZone?: string;
  /** Keys drawn grey (the "other" series). */
  readonly otherKeys?: readonly string[];
}

const MARGIN = { right: 14, bottom: 24, top: 8 } as const;

export function stackedAreaChart(series: readonly LineSeries[], options: StackedAreaOptions): SvgNode {
  const other = new Set(options.otherKeys ?? []);
  const colorOf = (key: string, i: number): string => (other.has(key) ? OTHER_COLOR : seriesColor(i));

  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const keys = series.map((s) => s.key);
  const byKey = new Map(series.map((s) => [s.key, new Map(s.points.map((p) => [p.t, p.value ?? 0]))]));
  const rows = times.map((t) => {
    const row: Record<string, number> = { t };
    for (const key of keys) row[key] = byKey.get(key)?.get(t) ?? 0;
    return row;
  });
  const layers = stack<Record<string, number>>()
    .keys(keys)
    .offset(options.normalize === true ? stackOffsetExpand : stackOffsetNone)(rows);
  const top1 = options.normalize === true ? 1 : (max(layers.flatMap((layer) => layer.map((p) => p[1]))) ?? 0);
  const valueTop = top1 > 0 ? top1 : 1;
  const left = valueAxisMargin([0, valueTop], options.formatValue);

  const legendBlock = legend(series.map((s, i) => ({ label: s.label, color: colorOf(s.key, i) })), left, options.width - left - MARGIN.right);
  const top = MARGIN.top + legendBlock.height;
  const box: PlotBox = { left, top, width: Math.max(10, options.width - left - MARGIN.right), height: Math.max(10, options.height - top - MARGIN.bottom) };

  const start = options.timeDomain?.[0] ?? times[0] ?? 0;
  const endCandidate = options.timeDomain?.[1] ?? times.at(-1) ?? start;
  const end = endCandidate > start ? endCandidate : start + 60_000;
  const x = timeScale([start, end], [box.left, box.left + box.width], options.timeZone);
  const y = scaleLinear()
    .domain([0, valueTop])
    .range([box.top + box.height, box.top]);
  if (options.normalize !== true) y.nice(4);
  const shape = area<SeriesPoint<Record<string, number>>>()
    .x((p) => x(p.data.t ?? 0))
    .y0((p) => y(Number.isFinite(p[0]) ? p[0] : 0))
    .y1((p) => y(Number.isFinite(p[1]) ? p[1] : 0))
    .digits(2);

  return svgNode(
    'svg',
    {
      class: 'chart stacked-area-chart',
      width: options.width,
      height: options.height,
      viewBox: `0 0 ${options.width} ${options.height}`,
      role: 'img',
      'aria-label': options.title,
      'data-x0': start,
      'data-x1': end,
      'data-plot-left': box.left,
      'data-plot-top': box.top,
      'data-plot-width': box.width,
      'data-plot-height': box.height,
    },
    [
      svgTitle(options.title),
      svgNode('desc', {}, [`${series.length} stacked series from ${formatDateTime(start, options.timeZone)} to ${formatDateTime(end, options.timeZone)}: ${series.map((s) => s.label).join(', ')}`]),
      legendBlock.node,
      valueAxis(y, box, options.formatValue),
      timeAxis(x, box, { timeZone: options.timeZone }),
      ...layers.map((layer, i) =>
        svgNode('path', { class: 'layer', 'data-series': layer.key, d: shape(layer) ?? '', fill: colorOf(layer.key, i), 'fill-opacity': 0.85, stroke: '#ffffff', 'stroke-width': 0.5 }, [
          svgTitle(series[i]?.label ?? layer.key),
        ]),
      ),
    ],
  );
}
