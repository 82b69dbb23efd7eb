/**
 * Horizontal bars: `(rows, options) → SVG`, a ranked list (top values, a breakdown). A row that
 * names a filter is focusable and carries `data-filter-name` / `data-filter-value`, so a click or
 * Enter on it narrows the dashboard to that value.
 */
import { scaleLinear } from 'd3';
import { GRID, INK, MUTED_INK, seriesColor } from './palette.js';
import { svgNode, svgText, svgTitle, type SvgNode } from './svg-node.js';

export interface BarRow {
  readonly key: string;
  readonly label: string;
  readonly value: number | null;
  /** Extra text after the value, e.g. the request count behind a ratio. */
  readonly note?: string;
  readonly filter?: { readonly name: string; readonly value: string };
  readonly color?: string;
}

export interface BarChartOptions {
  readonly width: number;
  readonly title: string;
  readonly formatValue: (value: number) => string;
  /** Scale maximum; default the largest value (use 1 for ratios). */
  readonly maxValue?: number;
  readonly barHeight?: number;
  readonly labelWidth?: number;
  readonly color?: string;
}

const GAP = 6;
const VALUE_WIDTH = 150;

function fitLabel(label: string, width: number): string {
  const chars = Math.max(4, Math.floor(width / 6.8));
  return label.length > chars ? `${label.slice(0, chars - 1)}…` : label;
}

export function barChart(rows: readonly BarRow[], options: BarChartOptions): SvgNode {
  const barHeight = options.barHeight ?? 20;
  const labelWidth = options.labelWidth ?? Math.min(180, Math.max(90, options.width * 0.3));
  const valueWidth = Math.min(VALUE_WIDTH, options.width * 0.3);
  const plotWidth = Math.max(20, options.width - labelWidth - valueWidth - 8);
  const height = Math.max(barHeight, rows.length * (barHeight + GAP) - GAP) + 2;
  const largest = options.maxValue ?? Math.max(0, ...rows.map((r) => r.value ?? 0));
  const x = scaleLinear()
    .domain([0, largest > 0 ? largest : 1])
    .range([0, plotWidth]);

  return svgNode(
    'svg',
    { class: 'chart bar-chart', width: options.width, height, viewBox: `0 0 ${options.width} ${height}`, role: 'group', 'aria-label': options.title },
    [
      svgTitle(options.title),
      ...rows.map((row, i) => {
        const y = i * (barHeight + GAP);
        const valueText = row.value === null ? '—' : options.formatValue(row.value);
        const text = row.note === undefined ? valueText : `${valueText} · ${row.note}`;
        const drill = row.filter !== undefined;
        return svgNode(
          'g',
          {
            class: drill ? 'bar drill' : 'bar',
            transform: `translate(0,${y})`,
            tabindex: drill ? 0 : undefined,
            role: drill ? 'button' : 'listitem',
            'aria-label': `${row.label}: ${text}${drill ? ' (select to filter)' : ''}`,
            'data-filter-name': row.filter?.name,
            'data-filter-value': row.filter?.value,
          },
          [
            svgTitle(`${row.label}: ${text}`),
            svgText(fitLabel(row.label, labelWidth - 8), { x: labelWidth - 8, y: barHeight / 2, dy: '0.32em', 'text-anchor': 'end', fill: INK, 'font-size': 12 }),
            svgNode('rect', { x: labelWidth, y: 0, width: plotWidth, height: barHeight, fill: GRID, rx: 2 }),
            svgNode('rect', { class: 'bar-value', x: labelWidth, y: 0, width: Math.max(row.value === null ? 0 : 1, x(row.value ?? 0)), height: barHeight, fill: row.color ?? options.color ?? seriesColor(0), rx: 2 }),
            svgText(text, { x: labelWidth + plotWidth + 8, y: barHeight / 2, dy: '0.32em', fill: MUTED_INK, 'font-size': 12 }),
          ],
        );
      }),
    ],
  );
}
