/**
 * Axes and grid lines as SVG nodes (d3-axis needs a live DOM; charts here are pure).
 */
import { scaleLinear, scaleTime, scaleUtc, type ScaleLinear, type ScaleTime } from 'd3';
import { formatTick } from '../format/format.js';
import { GRID, MUTED_INK } from './palette.js';
import { svgNode, svgText, type SvgNode } from './svg-node.js';

export interface PlotBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** A time scale whose ticks fall on round times of `timeZone` (UTC, or the viewer's local zone when absent). */
export function timeScale(domain: readonly [number, number], range: readonly [number, number], timeZone?: string): ScaleTime<number, number> {
  const scale = timeZone === 'UTC' ? scaleUtc() : scaleTime();
  return scale.domain([new Date(domain[0]), new Date(domain[1])]).range([range[0], range[1]]);
}

export function timeAxis(scale: ScaleTime<number, number>, box: PlotBox, options: { readonly timeZone?: string; readonly tickCount?: number }): SvgNode {
  const [d0, d1] = scale.domain();
  const spanMs = (d1?.getTime() ?? 0) - (d0?.getTime() ?? 0);
  const ticks = scale.ticks(options.tickCount ?? Math.max(2, Math.floor(box.width / 90)));
  const y = box.top + box.height;
  return svgNode('g', { class: 'axis axis-x', 'aria-hidden': 'true' }, [
    svgNode('line', { x1: box.left, x2: box.left + box.width, y1: y, y2: y, stroke: MUTED_INK }),
    ...ticks.map((tick) => {
      const x = scale(tick);
      return svgNode('g', { transform: `translate(${x.toFixed(2)},${y})` }, [
        svgNode('line', { y2: 4, stroke: MUTED_INK }),
        svgText(formatTick(tick.getTime(), spanMs, options.timeZone), { y: 16, 'text-anchor': 'middle', fill: MUTED_INK, 'font-size': 11 }),
      ]);
    }),
  ]);
}

/** Left margin that fits the value axis labels of `domain` (estimated from their length). */
export function valueAxisMargin(domain: readonly [number, number], format: (value: number) => string, tickCount = 4): number {
  const labels = scaleLinear().domain([domain[0], domain[1]]).nice(tickCount).ticks(tickCount).map(format);
  const longest = Math.max(3, ...labels.map((l) => l.length));
  return Math.round(longest * 6.4 + 12);
}

/** Left value axis with horizontal grid lines across the plot. */
export function valueAxis(scale: ScaleLinear<number, number>, box: PlotBox, format: (value: number) => string, tickCount = 4): SvgNode {
  return svgNode(
    'g',
    { class: 'axis axis-y', 'aria-hidden': 'true' },
    scale.ticks(tickCount).map((tick) => {
      const y = scale(tick);
      return svgNode('g', { transform: `translate(0,${y.toFixed(2)})` }, [
        svgNode('line', { x1: box.left, x2: box.left + box.width, stroke: GRID }),
        svgText(format(tick), { x: box.left - 6, dy: '0.32em', 'text-anchor': 'end', fill: MUTED_INK, 'font-size': 11 }),
      ]);
    }),
  );
}
