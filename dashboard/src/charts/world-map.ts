/**
 * The world map: `(rows, options) → SVG`. Countries shaded by a value (cividis), POPs as circles
 * sized by traffic, and arcs from viewer countries to the POPs that served them. Countries with data
 * are focusable and carry a `country` filter for drill-down.
 */
import { geoArea, geoCentroid, geoNaturalEarth1, geoPath, scaleSqrt, type GeoPermissibleObjects } from 'd3';
import type { Feature, FeatureCollection, Geometry, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { ALPHA2_OF_UNNUMBERED, NUMERIC_OF_ALPHA2, SMALL_COUNTRY_POINTS } from './country-codes.js';
import { INK, MUTED_INK, NO_DATA, sequentialColor } from './palette.js';
import { svgNode, svgText, svgTitle, type SvgNode } from './svg-node.js';

export interface MapCountry {
  /** ISO 3166-1 alpha-2. */
  readonly code: string;
  readonly value: number | null;
  /** Tooltip and accessible text. */
  readonly label: string;
}

export interface MapPop {
  readonly code: string;
  readonly lat: number;
  readonly lon: number;
  readonly value: number;
  readonly label: string;
}

export interface MapArc {
  /** Viewer country (alpha-2). */
  readonly country: string;
  readonly to: readonly [number, number];
  readonly value: number;
  readonly label: string;
}

export interface WorldMapRows {
  readonly countries: readonly MapCountry[];
  readonly pops?: readonly MapPop[];
  readonly arcs?: readonly MapArc[];
}

export type WorldTopology = Topology<{ countries: GeometryCollection<{ name: string }> }>;

export interface WorldMapOptions {
  readonly width: number;
  readonly title: string;
  readonly topology: WorldTopology;
  readonly legendTitle: string;
  readonly formatValue: (value: number) => string;
  /** Colour scale domain; default 0 to the largest value. */
  readonly valueDomain?: readonly [number, number];
  /** Unique within the page (the legend gradient's id). */
  readonly id: string;
}

type CountryFeature = Feature<Geometry, { name: string; code: string | undefined }>;

const featureCache = new WeakMap<object, CountryFeature[]>();

function countryFeatures(topology: WorldTopology): CountryFeature[] {
  let cached = featureCache.get(topology);
  if (cached === undefined) {
    const alpha2OfNumeric = new Map(Object.entries(NUMERIC_OF_ALPHA2).map(([alpha2, numeric]) => [numeric, alpha2]));
    const collection = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;
    cached = collection.features
      .map((f) => ({ ...f, properties: { name: f.properties.name, code: f.id === undefined ? ALPHA2_OF_UNNUMBERED[f.properties.name] : alpha2OfNumeric.get(String(f.id)) } }))
      // Antarctica has no viewers and takes a fifth of the height.
      .filter((f) => f.properties.code !== 'AQ');
    featureCache.set(topology, cached);
  }
  return cached;
}

const centroidCache = new WeakMap<object, Map<string, [number, number]>>();

/** Centre of a country's largest polygon (France's, not halfway to French Guiana). */
export function countryCentroids(topology: WorldTopology): Map<string, [number, number]> {
  let cached = centroidCache.get(topology);
  if (cached === undefined) {
    cached = new Map();
    for (const f of countryFeatures(topology)) {
      if (f.properties.code === undefined) continue;
      let shape: GeoPermissibleObjects = f;
      if (f.geometry.type === 'MultiPolygon') {
        const polygons = f.geometry.coordinates.map((coordinates): Polygon => ({ type: 'Polygon', coordinates }));
        shape = polygons.reduce((a, b) => (geoArea(b) > geoArea(a) ? b : a));
      }
      cached.set(f.properties.code, geoCentroid(shape));
    }
    for (const [code, point] of Object.entries(SMALL_COUNTRY_POINTS)) cached.set(code, [point[0], point[1]]);
    centroidCache.set(topology, cached);
  }
  return cached;
}

const LEGEND_HEIGHT = 42;

export function worldMap(rows: WorldMapRows, options: WorldMapOptions): SvgNode {
  const width = options.width;
  const mapHeight = Math.round(width * 0.5);
  // On narrow maps the POP and arc keys go under the colour scale.
  const narrow = width < 560;
  const height = mapHeight + LEGEND_HEIGHT + (narrow ? 36 : 0);
  const features = countryFeatures(options.topology);
  const projection = geoNaturalEarth1().fitExtent(
    [
      [4, 4],
      [width - 4, mapHeight - 4],
    ],
    { type: 'FeatureCollection', features },
  );
  const path = geoPath(projection).digits(1);
  const byCode = new Map(rows.countries.map((c) => [c.code, c]));
  const largest = Math.max(0, ...rows.countries.map((c) => c.value ?? 0));
  const [d0, d1] = options.valueDomain ?? [0, largest > 0 ? largest : 1];
  const shade = scaleSqrt()
    .domain([d0, d1 > d0 ? d1 : d0 + 1])
    .range([0, 1])
    .clamp(true);
  const colorOf = (value: number | null): string => (value === null ? NO_DATA : sequentialColor(0.12 + 0.88 * shade(value)));

  const drawn = new Set<string>();
  const countryNodes = features.map((f) => {
    const code = f.properties.code;
    const datum = code === undefined ? undefined : byCode.get(code);
    if (code !== undefined) drawn.add(code);
    const hasData = datum !== undefined && datum.value !== null;
    return svgNode(
      'path',
      {
        class: hasData ? 'country drill' : 'country',
        d: path(f) ?? '',
        fill: colorOf(datum?.value ?? null),
        stroke: '#ffffff',
        'stroke-width': 0.5,
        'data-country': code,
        tabindex: hasData ? 0 : undefined,
        role: hasData ? 'button' : undefined,
        'aria-label': hasData ? `${datum.label} (select to filter)` : undefined,
        'data-filter-name': hasData ? 'country' : undefined,
        'data-filter-value': hasData ? code : undefined,
      },
      [svgTitle(datum?.label ?? f.properties.name)],
    );
  });

  // Countries with data that have no shape at this scale (Singapore, Hong Kong…).
  const pointNodes = rows.countries
    .filter((c) => !drawn.has(c.code) && c.value !== null && SMALL_COUNTRY_POINTS[c.code] !== undefined)
    .map((c) => {
      const [x, y] = projection(SMALL_COUNTRY_POINTS[c.code] as [number, number]) ?? [0, 0];
      return svgNode(
        'circle',
        { class: 'country-point drill', cx: x, cy: y, r: 4, fill: colorOf(c.value), stroke: INK, 'stroke-width': 0.75, tabindex: 0, role: 'button', 'aria-label': `${c.label} (select to filter)`, 'data-filter-name': 'country', 'data-filter-value': c.code },
        [svgTitle(c.label)],
      );
    });

  const centroids = countryCentroids(options.topology);
  const arcs = rows.arcs ?? [];
  const arcWidth = scaleSqrt()
    .domain([0, Math.max(1, ...arcs.map((a) => a.value))])
    .range([0.6, 4]);
  const arcNodes = arcs.flatMap((a) => {
    const from = centroids.get(a.country);
    if (from === undefined) return [];
    const d = path({ type: 'LineString', coordinates: [from, [a.to[0], a.to[1]]] });
    return d === null ? [] : [svgNode('path', { class: 'arc', d, fill: 'none', stroke: '#D55E00', 'stroke-opacity': 0.55, 'stroke-width': arcWidth(a.value), 'stroke-linecap': 'round' }, [svgTitle(a.label)])];
  });

  const pops = rows.pops ?? [];
  const radius = scaleSqrt()
    .domain([0, Math.max(1, ...pops.map((p) => p.value))])
    .range([1.5, Math.max(4, width / 90)]);
  const popNodes = pops.map((p) => {
    const [x, y] = projection([p.lon, p.lat]) ?? [0, 0];
    return svgNode('circle', { class: 'pop', 'data-pop': p.code, cx: x, cy: y, r: radius(p.value), fill: '#E69F00', 'fill-opacity': 0.75, stroke: INK, 'stroke-width': 0.75 }, [svgTitle(p.label)]);
  });

  const gradientId = `${options.id}-legend`;
  const legendWidth = Math.min(180, width / 3);
  const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => svgNode('stop', { offset: `${t * 100}%`, 'stop-color': sequentialColor(0.12 + 0.88 * t) }));

  return svgNode('svg', { class: 'chart world-map', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': options.title }, [
    svgTitle(options.title),
    svgNode('defs', {}, [svgNode('linearGradient', { id: gradientId, x1: 0, x2: 1, y1: 0, y2: 0 }, stops)]),
    svgNode('g', { class: 'countries' }, countryNodes),
    svgNode('g', { class: 'country-points' }, pointNodes),
    svgNode('g', { class: 'arcs' }, arcNodes),
    svgNode('g', { class: 'pops' }, popNodes),
    svgNode('g', { class: 'map-legend', transform: `translate(8,${mapHeight + 4})`, 'aria-hidden': 'true' }, [
      svgText(options.legendTitle, { x: 0, y: 8, fill: MUTED_INK, 'font-size': 11 }),
      svgNode('rect', { x: 0, y: 13, width: legendWidth, height: 8, fill: `url(#${gradientId})` }),
      svgText(options.formatValue(d0), { x: 0, y: 32, fill: MUTED_INK, 'font-size': 10 }),
      svgText(options.formatValue(d1), { x: legendWidth, y: 32, 'text-anchor': 'end', fill: MUTED_INK, 'font-size': 10 }),
      pops.length > 0
        ? svgNode('g', { transform: narrow ? 'translate(0,38)' : `translate(${legendWidth + 24},0)` }, [
            svgNode('circle', { cx: 5, cy: 17, r: 4, fill: '#E69F00', 'fill-opacity': 0.75, stroke: INK, 'stroke-width': 0.75 }),
            svgText('POP (size: requests)', { x: 14, y: 21, fill: MUTED_INK, 'font-size': 11 }),
          ])
        : null,
      arcNodes.length > 0
        ? svgNode('g', { transform: narrow ? 'translate(0,56)' : `translate(${legendWidth + 170},0)` }, [
            svgNode('line', { x1: 0, x2: 16, y1: 17, y2: 17, stroke: '#D55E00', 'stroke-width': 2 }),
            svgText('viewer country → POP', { x: 22, y: 21, fill: MUTED_INK, 'font-size': 11 }),
          ])
        : null,
    ]),
  ]);
}
