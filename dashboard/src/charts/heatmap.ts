/**
 * A matrix of values: `(cells, options) → SVG`, e.g. p95 time-to-first-byte per POP (rows) and
 * viewer country (columns). Cells are shaded with cividis and the value is written in each.
 */
import { scaleLinear } from 'd3';
import { INK, MUTED_INK, NO_DATA, inkOnSequential, sequentialColor } from './palette.js';
import { svgNode, svgText, svgTitle, type SvgNode } from './svg-node.js';

export interface HeatCell {
  readonly row: string;
  readonly column: string;
  readonly value: number | null;
}

export interface HeatmapOptions {
  readonly width: number;
  readonly title: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly formatValue: (value: number) => string;
  /** Short text in the cells; default formatValue. */
  readonly formatCell?: (value: number) => string;
  readonly rowTitle: string;
  readonly columnTitle: string;
}

const LABEL_WIDTH = 64;
const HEADER_HEIGHT = 34;
const CELL_HEIGHT = 26;

export function heatmap(cells: readonly HeatCell[], options: HeatmapOptions): SvgNode {
  const cellWidth = Math.max(28, (options.width - LABEL_WIDTH - 4) / Math.max(1, options.columns.length));
  const width = LABEL_WIDTH + cellWidth * options.columns.length + 4;
  const height = HEADER_HEIGHT + CELL_HEIGHT * options.rows.length + 2;
  const byKey = new Map(cells.map((c) => [`${c.row}\u0000${c.column}`, c.value]));
  const values = cells.map((c) => c.value).filter((v): v is number => v !== null);
  const low = values.length > 0 ? Math.min(...values) : 0;
  const high = values.length > 0 ? Math.max(...values) : 1;
  const shade = scaleLinear()
    .domain([low, high > low ? high : low + 1])
    .range([0, 1])
    .clamp(true);
  const cellText = options.formatCell ?? options.formatValue;

  return svgNode('svg', { class: 'chart heatmap', width, height, viewBox: `0 0 ${width} ${height}`, role: 'table', 'aria-label': options.title }, [
    svgTitle(options.title),
    svgText(`${options.rowTitle} ↓  ${options.columnTitle} →`, { x: 0, y: 12, fill: MUTED_INK, 'font-size': 10 }),
    svgNode(
      'g',
      { class: 'columns', role: 'row' },
      options.columns.map((column, j) =>
        svgText(column, { role: 'columnheader', x: LABEL_WIDTH + cellWidth * j + cellWidth / 2, y: HEADER_HEIGHT - 8, 'text-anchor': 'middle', fill: INK, 'font-size': 11 }),
      ),
    ),
    ...options.rows.map((row, i) => {
      const y = HEADER_HEIGHT + CELL_HEIGHT * i;
      return svgNode('g', { class: 'row', role: 'row' }, [
        svgText(row, { role: 'rowheader', x: LABEL_WIDTH - 8, y: y + CELL_HEIGHT / 2, dy: '0.32em', 'text-anchor': 'end', fill: INK, 'font-size': 11 }),
        ...options.columns.map((column, j) => {
          const value = byKey.get(`${row}\u0000${column}`) ?? null;
          const t = value === null ? 0 : shade(value);
          const label = `${row} × ${column}: ${value === null ? 'no data' : options.formatValue(value)}`;
          return svgNode('g', { class: 'cell', role: 'cell', transform: `translate(${LABEL_WIDTH + cellWidth * j},${y})`, 'aria-label': label }, [
            svgTitle(label),
            svgNode('rect', { width: cellWidth - 2, height: CELL_HEIGHT - 2, fill: value === null ? NO_DATA : sequentialColor(t), rx: 2 }),
            value === null
              ? null
              : svgText(cellText(value), { x: (cellWidth - 2) / 2, y: (CELL_HEIGHT - 2) / 2, dy: '0.32em', 'text-anchor': 'middle', fill: inkOnSequential(t), 'font-size': 10 }),
          ]);
        }),
      ]);
    }),
  ]);
}
