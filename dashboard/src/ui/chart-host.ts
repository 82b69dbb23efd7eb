/**
 * Puts a chart on the page at the width of its container and draws it again when that width
 * changes (a resized window, a phone turned sideways) or when its data does (`redraw`).
 */
import { toSvgElement, type SvgNode } from '../charts/svg-node.js';
import { h } from './dom.js';

export interface ChartHostOptions {
  /** Runs after each render with the new SVG element (interactions). */
  readonly attach?: (svg: SVGSVGElement) => void;
  readonly minWidth?: number;
  readonly className?: string;
}

const observers = new Map<Element, ResizeObserver>();

export class ChartHost {
  readonly element: HTMLElement;
  #width = -1;

  constructor(
    private readonly render: (width: number) => SvgNode,
    private readonly options: ChartHostOptions = {},
  ) {
    this.element = h('div', { class: `chart-host ${options.className ?? ''}`.trim() });
    const observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (width > 0 && Math.abs(width - this.#width) >= 8) {
        this.#width = width;
        this.redraw();
      }
    });
    observer.observe(this.element);
    observers.set(this.element, observer);
  }

  /** Draws again at the current width (nothing before the element has a width). */
  redraw(): void {
    if (this.#width <= 0) return;
    const svg = toSvgElement(this.render(Math.max(this.options.minWidth ?? 240, this.#width))) as SVGSVGElement;
    this.element.replaceChildren(svg);
    this.options.attach?.(svg);
  }
}

export function chartHost(render: (width: number) => SvgNode, options: ChartHostOptions = {}): HTMLElement {
  return new ChartHost(render, options).element;
}

/** Stops watching charts that have left the page. */
export function releaseDetachedCharts(): void {
  for (const [element, observer] of observers) {
    if (!element.isConnected) {
      observer.disconnect();
      observers.delete(element);
    }
  }
}
