/**
 * Interaction on a time chart drawn by line-chart or stacked-area-chart: drag across it to zoom to
 * that span (d3-brush); point at it, or focus it and use ← → Home End, to read the values at a
 * time (written to a live region, so screen readers hear them); + and − zoom in and out.
 */
import { brushX, select } from 'd3';
import { formatDateTime } from '../format/format.js';
import type { LineSeries } from '../charts/line-chart.js';

export interface TimeInteractionOptions {
  readonly series: readonly LineSeries[];
  readonly formatValue: (value: number) => string;
  /** Where the values under the cursor are written. */
  readonly readout: HTMLElement;
  /** Zoom to [fromMs, toMs]. */
  readonly onZoom?: (fromMs: number, toMs: number) => void;
  readonly timeZone?: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function numberAttr(svg: SVGSVGElement, name: string): number {
  return Number(svg.getAttribute(name) ?? '0');
}

export function attachTimeInteractions(svg: SVGSVGElement, options: TimeInteractionOptions): void {
  const x0 = numberAttr(svg, 'data-x0');
  const x1 = numberAttr(svg, 'data-x1');
  const left = numberAttr(svg, 'data-plot-left');
  const top = numberAttr(svg, 'data-plot-top');
  const width = numberAttr(svg, 'data-plot-width');
  const height = numberAttr(svg, 'data-plot-height');
  if (!(x1 > x0) || !(width > 0)) return;
  const toPixel = (t: number): number => left + ((t - x0) / (x1 - x0)) * width;
  const toTime = (px: number): number => x0 + ((px - left) / width) * (x1 - x0);
  const times = [...new Set(options.series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  if (times.length === 0) return;

  const cursor = document.createElementNS(SVG_NS, 'line');
  cursor.setAttribute('class', 'cursor');
  cursor.setAttribute('y1', String(top));
  cursor.setAttribute('y2', String(top + height));
  cursor.setAttribute('visibility', 'hidden');
  svg.appendChild(cursor);

  let index = times.length - 1;
  const show = (i: number): void => {
    index = Math.max(0, Math.min(times.length - 1, i));
    const t = times[index] ?? x0;
    cursor.setAttribute('x1', String(toPixel(t)));
    cursor.setAttribute('x2', String(toPixel(t)));
    cursor.setAttribute('visibility', 'visible');
    const values = options.series.map((s) => {
      const point = s.points.find((p) => p.t === t);
      return `${s.label}: ${point === undefined || point.value === null ? '—' : options.formatValue(point.value)}`;
    });
    options.readout.textContent = `${formatDateTime(t, options.timeZone)} · ${values.join(' · ')}`;
  };
  const nearest = (t: number): number => {
    let best = 0;
    for (let i = 1; i < times.length; i++) if (Math.abs((times[i] ?? 0) - t) < Math.abs((times[best] ?? 0) - t)) best = i;
    return best;
  };

  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight Home End + -');
  svg.addEventListener('pointermove', (event) => {
    const box = svg.getBoundingClientRect();
    const scale = box.width > 0 ? numberAttr(svg, 'width') / box.width : 1;
    show(nearest(toTime((event.clientX - box.left) * scale)));
  });
  svg.addEventListener('pointerleave', () => cursor.setAttribute('visibility', 'hidden'));
  svg.addEventListener('focus', () => show(index));
  svg.addEventListener('blur', () => cursor.setAttribute('visibility', 'hidden'));
  svg.addEventListener('keydown', (event) => {
    const step = Math.max(1, Math.round(times.length / 20));
    if (event.key === 'ArrowLeft') show(index - (event.shiftKey ? step : 1));
    else if (event.key === 'ArrowRight') show(index + (event.shiftKey ? step : 1));
    else if (event.key === 'Home') show(0);
    else if (event.key === 'End') show(times.length - 1);
    else if ((event.key === '+' || event.key === '=' || event.key === '-') && options.onZoom !== undefined) {
      const centre = times[index] ?? (x0 + x1) / 2;
      const half = ((x1 - x0) * (event.key === '-' ? 2 : 0.5)) / 2;
      options.onZoom(centre - half, centre + half);
    } else return;
    event.preventDefault();
  });

  if (options.onZoom !== undefined) {
    const onZoom = options.onZoom;
    const brush = brushX<unknown>()
      .extent([
        [left, top],
        [left + width, top + height],
      ])
      .on('end', (event: { selection: [number, number] | null; sourceEvent?: Event }) => {
        if (event.selection === null || event.sourceEvent === undefined) return;
        const [a, b] = event.selection;
        if (b - a < 3) return;
        onZoom(toTime(a), toTime(b));
      });
    select(svg).append('g').attr('class', 'brush').call(brush);
  }
}
