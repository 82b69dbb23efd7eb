/**
 * Charts build a plain tree of SVG nodes, not DOM: the same tree becomes DOM elements in the
 * browser (`toSvgElement`) and deterministic markup in snapshot tests (`toMarkup`). Text children
 * always become text nodes and attribute values go through `setAttribute`, so a value from the logs
 * can never turn into markup.
 */

export type SvgAttrValue = string | number;
export type SvgChild = SvgNode | string;

export interface SvgNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, SvgAttrValue>>;
  readonly children: readonly SvgChild[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Numbers in attributes: at most two decimals, so output is compact and stable across runs. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export function svgNode(tag: string, attrs: Record<string, SvgAttrValue | undefined | null | false> = {}, children: readonly (SvgChild | null | undefined | false)[] = []): SvgNode {
  const kept: Record<string, SvgAttrValue> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    kept[name] = typeof value === 'number' ? num(value) : value;
  }
  return { tag, attrs: kept, children: children.filter((c): c is SvgChild => c !== null && c !== undefined && c !== false) };
}

/** A `<text>` element holding `content` as text. */
export function svgText(content: string, attrs: Record<string, SvgAttrValue | undefined | null | false> = {}): SvgNode {
  return svgNode('text', attrs, [content]);
}

/** A `<title>` child: the accessible name and the native tooltip of its parent. */
export function svgTitle(content: string): SvgNode {
  return svgNode('title', {}, [content]);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** Serialized markup, one element per line, indented: readable snapshots. */
export function toMarkup(node: SvgNode, depth = 0): string {
  const pad = '  '.repeat(depth);
  // A standalone document needs the namespace; in the DOM createElementNS gives it.
  const own = depth === 0 && node.tag === 'svg' ? { xmlns: SVG_NS, ...node.attrs } : node.attrs;
  const attrs = Object.entries(own)
    .map(([name, value]) => ` ${name}="${escapeAttr(String(value))}"`)
    .join('');
  if (node.children.length === 0) return `${pad}<${node.tag}${attrs}/>`;
  if (node.children.every((c) => typeof c === 'string')) {
    return `${pad}<${node.tag}${attrs}>${node.children.map((c) => escapeText(String(c))).join('')}</${node.tag}>`;
  }
  const inner = node.children.map((c) => (typeof c === 'string' ? `${pad}  ${escapeText(c)}` : toMarkup(c, depth + 1))).join('\n');
  return `${pad}<${node.tag}${attrs}>\n${inner}\n${pad}</${node.tag}>`;
}

export function toSvgElement(node: SvgNode, doc: Document = document): SVGElement {
  const element = doc.createElementNS(SVG_NS, node.tag);
  for (const [name, value] of Object.entries(node.attrs)) element.setAttribute(name, String(value));
  for (const child of node.children) {
    element.appendChild(typeof child === 'string' ? doc.createTextNode(child) : toSvgElement(child, doc));
  }
  return element;
}
