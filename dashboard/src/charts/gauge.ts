/**
 * A half-circle gauge for one ratio: `(value, options) → SVG`. The number is written out in the
 * middle; the optional threshold is a tick on the arc.
 */
import { arc } from 'd3';
import { GRID, INK, MUTED_INK, seriesColor } from './palette.js';
import { svgNode, svgText, svgTitle, type SvgNode } from './svg-node.js';

export interface GaugeOptions {
  readonly width: number;
  readonly label: string;
  readonly formatValue: (value: number) => string;
  /** Scale maximum; default 1 (a ratio). */
  readonly max?: number;
  /** A reference value drawn as a tick (e.g. an alert threshold). */
  readonly threshold?: number;
  readonly color?: string;
}

const START = -Math.PI / 2;

export function gauge(value: number | null, options: GaugeOptions): SvgNode {
  const width = options.width;
  const radius = Math.max(30, Math.min(width / 2 - 8, 90));
  const height = radius + 44;
  const cx = width / 2;
  const cy = radius + 8;
  const maxValue = options.max ?? 1;
  const fraction = value === null ? 0 : Math.min(1, Math.max(0, value / maxValue));
  const band = arc<{ endAngle: number }>()
    .innerRadius(radius * 0.68)
    .outerRadius(radius)
    .startAngle(START)
    .endAngle((d) => d.endAngle)
    .digits(2);
  const text = value === null ? '—' : options.formatValue(value);
  const thresholdAngle = options.threshold === undefined ? null : START + Math.PI * Math.min(1, options.threshold / maxValue);

  return svgNode('svg', { class: 'chart gauge', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${options.label}: ${text}` }, [
    svgTitle(`${options.label}: ${text}`),
    svgNode('g', { transform: `translate(${cx},${cy})` }, [
      svgNode('path', { d: band({ endAngle: START + Math.PI }) ?? '', fill: GRID }),
      svgNode('path', { class: 'gauge-value', d: band({ endAngle: START + Math.PI * fraction }) ?? '', fill: options.color ?? seriesColor(0) }),
      thresholdAngle === null
        ? null
        : svgNode('line', {
            x1: Math.sin(thresholdAngle) * radius * 0.62,
            y1: -Math.cos(thresholdAngle) * radius * 0.62,
            x2: Math.sin(thresholdAngle) * radius * 1.06,
            y2: -Math.cos(thresholdAngle) * radius * 1.06,
            stroke: INK,
            'stroke-width': 2,
          }),
      svgText(text, { class: 'gauge-text', y: -4, 'text-anchor': 'middle', fill: INK, 'font-size': Math.round(radius * 0.3), 'font-weight': 600 }),
    ]),
    svgText(options.label, { x: cx, y: cy + 22, 'text-anchor': 'middle', fill: MUTED_INK, 'font-size': 12 }),
  ]);
}
