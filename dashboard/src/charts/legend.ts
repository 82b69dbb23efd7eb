/**
 * A legend row for the top of a chart: swatch + label per entry, wrapped onto new lines when the
 * width runs out (label widths are estimated, which is enough for short labels).
 */
import { MUTED_INK } from './palette.js';
import { svgNode, svgText, type SvgNode } from './svg-node.js';

export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
}

const CHAR_WIDTH = 6.6;
const LINE_HEIGHT = 16;
const MAX_LABEL = 28;

function shorten(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

/** The legend and the height it takes. */
export function legend(entries: readonly LegendEntry[], left: number, width: number): { node: SvgNode; height: number } {
  let x = 0;
  let line = 0;
  const items = entries.map((entry) => {
    const label = shorten(entry.label);
    const itemWidth = 22 + label.length * CHAR_WIDTH + 14;
    if (x > 0 && x + itemWidth > width) {
      x = 0;
      line++;
    }
    const node = svgNode('g', { class: 'legend-item', transform: `translate(${left + x},${line * LINE_HEIGHT + 10})` }, [
      svgNode('line', { x1: 0, x2: 16, y1: 0, y2: 0, stroke: entry.color, 'stroke-width': 3, 'stroke-dasharray': entry.dashed === true ? '4 3' : undefined }),
      svgText(label, { x: 22, dy: '0.32em', fill: MUTED_INK, 'font-size': 11 }),
      entry.label !== label ? svgNode('title', {}, [entry.label]) : null,
    ]);
    x += itemWidth;
    return node;
  });
  return { node: svgNode('g', { class: 'legend' }, items), height: entries.length === 0 ? 0 : (line + 1) * LINE_HEIGHT + 6 };
}
