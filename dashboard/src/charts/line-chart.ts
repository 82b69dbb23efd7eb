/**
 * Lines over time: `(series, options) → SVG`. One line per series (gaps where a value is null), an
 * optional dashed series for an earlier period, vertical markers (alerts), axes and a legend.
 * The root carries the plot geometry as data attributes, so brush-to-zoom and the keyboard cursor
 * can map pixels back to time without redoing the layout.
 */
import { area, extent, line, max, scaleLinear, type ScaleLinear, type ScaleTime } from 'd3';
import { formatDateTime } from '../format/format.js';
import { timeAxis, timeScale, valueAxis, valueAxisMargin, type PlotBox } from './axes.js';
import { legend } from './legend.js';
import { INK, seriesColor } from './palette.js';
import { svgNode, svgText, svgTitle, type SvgNode } from './svg-node.js';

export interface TimePoint {
  /** Epoch ms. */
  readonly t: number;
  readonly value: number | null;
}

export interface LineSeries {
  readonly key: string;
  readonly label: string;
  readonly points: readonly TimePoint[];
  readonly color?: string;
  /** Drawn dashed: an earlier period shifted onto this one. */
  readonly dashed?: boolean;
}

export interface TimeMarker {
  readonly t: number;
  readonly label: string;
}

export interface LineChartOptions {
  readonly width: number;
  readonly height: number;
  /** Accessible name of the chart. */
  readonly title: string;
  readonly formatValue: (value: number) => string;
  /** Default: from the data. */
  readonly timeDomain?: readonly [number, number];
  /** Default: 0 to the largest value. */
  readonly valueDomain?: readonly [number, number];
  readonly markers?: readonly TimeMarker[];
  /** Fill the area under the first series. */
  readonly area?: boolean;
  /** Zone of the time axis; default the viewer's. */
  readonly timeZone?: string;
  readonly showLegend?: boolean;
}

export interface LineChartLayout {
  readonly box: PlotBox;
  readonly x: ScaleTime<number, number>;
  readonly y: ScaleLinear<number, number>;
  readonly legendNode: SvgNode | null;
}

const MARGIN = { right: 14, bottom: 24, top: 8 } as const;

export function lineChartLayout(series: readonly LineSeries[], options: LineChartOptions): LineChartLayout {
  const top1 = max(series.flatMap((s) => s.points.map((p) => p.value ?? 0))) ?? 0;
  const [v0, v1] = options.valueDomain ?? [0, top1 > 0 ? top1 * 1.08 : 1];
  const left = valueAxisMargin([v0, v1], options.formatValue);
  const showLegend = options.showLegend ?? series.length > 1;
  const legendBlock = showLegend ? legend(series.map((s, i) => ({ label: s.label, color: s.color ?? seriesColor(i), dashed: s.dashed })), left, options.width - left - MARGIN.right) : null;
  const top = MARGIN.top + (legendBlock?.height ?? 0);
  const box: PlotBox = { left, top, width: Math.max(10, options.width - left - MARGIN.right), height: Math.max(10, options.height - top - MARGIN.bottom) };
  const times = series.flatMap((s) => s.points.map((p) => p.t));
  const [t0, t1] = options.timeDomain ?? (extent(times) as [number | undefined, number | undefined]);
  const start = t0 ?? 0;
  const end = t1 !== undefined && t1 > start ? t1 : start + 60_000;
  const x = timeScale([start, end], [box.left, box.left + box.width], options.timeZone);
  const y = scaleLinear().domain([v0, v1]).range([box.top + box.height, box.top]).nice(4);
  return { box, x, y, legendNode: legendBlock?.node ?? null };
}

function latestValue(points: readonly TimePoint[]): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]?.value;
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

export function lineChart(series: readonly LineSeries[], options: LineChartOptions): SvgNode {
  const { box, x, y, legendNode } = lineChartLayout(series, options);
  const path = line<TimePoint>()
    .defined((p) => p.value !== null)
    .x((p) => x(p.t))
    .y((p) => y(p.value ?? 0))
    .digits(2);
  const [d0, d1] = x.domain();
  const description =
    `${series.length} series from ${formatDateTime(d0?.getTime() ?? 0, options.timeZone)} to ${formatDateTime(d1?.getTime() ?? 0, options.timeZone)}. ` +
    series.map((s) => `${s.label}: latest ${latestValue(s.points) === null ? 'none' : options.formatValue(latestValue(s.points) ?? 0)}`).join('; ');

  const first = series[0];
  const fill = area<TimePoint>()
    .defined((p) => p.value !== null)
    .x((p) => x(p.t))
    .y0(y.range()[0] ?? 0)
    .y1((p) => y(p.value ?? 0))
    .digits(2);
  const areaNode =
    options.area === true && first !== undefined && first.points.length > 0
      ? svgNode('path', { class: 'area', d: fill([...first.points]) ?? '', fill: first.color ?? seriesColor(0), 'fill-opacity': 0.12 })
      : null;

  return svgNode(
    'svg',
    {
      class: 'chart line-chart',
      width: options.width,
      height: options.height,
      viewBox: `0 0 ${options.width} ${options.height}`,
      role: 'img',
      'aria-label': options.title,
      'data-x0': d0?.getTime() ?? 0,
      'data-x1': d1?.getTime() ?? 0,
      'data-plot-left': box.left,
      'data-plot-top': box.top,
      'data-plot-width': box.width,
      'data-plot-height': box.height,
    },
    [
      svgTitle(options.title),
      svgNode('desc', {}, [description]),
      legendNode,
      valueAxis(y, box, options.formatValue),
      timeAxis(x, box, { timeZone: options.timeZone }),
      areaNode,
      ...series.map((s, i) =>
        svgNode('path', {
          class: 'series',
          'data-series': s.key,
          d: path([...s.points]) ?? '',
          fill: 'none',
          stroke: s.color ?? seriesColor(i),
          'stroke-width': s.dashed === true ? 1.5 : 2,
          'stroke-dasharray': s.dashed === true ? '5 4' : undefined,
          'stroke-linejoin': 'round',
        }),
      ),
      // A value with no neighbour draws no line: a dot shows it.
      ...series.flatMap((s, i) =>
        s.points
          .filter((p, j) => p.value !== null && (s.points[j - 1]?.value ?? null) === null && (s.points[j + 1]?.value ?? null) === null)
          .map((p) => svgNode('circle', { class: 'point', cx: x(p.t), cy: y(p.value ?? 0), r: 2.5, fill: s.color ?? seriesColor(i) })),
      ),
      ...(options.markers ?? []).map((m) =>
        svgNode('g', { class: 'marker', transform: `translate(${x(m.t).toFixed(2)},0)` }, [
          svgTitle(m.label),
          svgNode('line', { y1: box.top, y2: box.top + box.height, stroke: INK, 'stroke-dasharray': '2 3' }),
          svgNode('path', { d: `M-5,${box.top - 1}L5,${box.top - 1}L0,${box.top + 7}Z`, fill: INK }),
        ]),
      ),
      series.every((s) => s.points.every((p) => p.value === null))
        ? svgText('No data in this range', { x: box.left + box.width / 2, y: box.top + box.height / 2, 'text-anchor': 'middle', fill: INK, 'font-size': 12 })
        : null,
    ],
  );
}
