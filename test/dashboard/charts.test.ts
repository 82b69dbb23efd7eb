/**
 * Every chart is a pure function (rows, options) → SVG: the same seeded rows give the same markup,
 * pinned by snapshot files (standalone .svg documents under __snapshots__/, viewable as images).
 * Times are drawn in UTC.
 */
process.env.TZ = 'UTC';

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import topologyJson from 'world-atlas/countries-110m.json' with { type: 'json' };
import { barChart } from '../../dashboard/src/charts/bar-chart.js';
import { gauge } from '../../dashboard/src/charts/gauge.js';
import { heatmap } from '../../dashboard/src/charts/heatmap.js';
import { lineChart } from '../../dashboard/src/charts/line-chart.js';
import { stackedAreaChart } from '../../dashboard/src/charts/stacked-area-chart.js';
import { toMarkup, type SvgNode } from '../../dashboard/src/charts/svg-node.js';
import { countryCentroids, worldMap, type WorldTopology } from '../../dashboard/src/charts/world-map.js';
import { formatCount, formatMs, formatRatio, formatRequestsPerSecond } from '../../dashboard/src/format/format.js';
import { MINUTE, T0, seededSeries, seededValues } from './chart-fixtures.js';

const topology = topologyJson as unknown as WorldTopology;
const SNAPSHOTS = path.join(import.meta.dirname, '__snapshots__');

async function expectSnapshot(node: SvgNode, name: string): Promise<void> {
  await expect(`${toMarkup(node)}\n`).toMatchFileSnapshot(path.join(SNAPSHOTS, `${name}.svg`));
}

/** Text content of every <text> element, in order. */
function texts(node: SvgNode): string[] {
  const out: string[] = [];
  const walk = (n: SvgNode): void => {
    if (n.tag === 'text') out.push(n.children.filter((c): c is string => typeof c === 'string').join(''));
    for (const c of n.children) if (typeof c !== 'string') walk(c);
  };
  walk(node);
  return out;
}

function find(node: SvgNode, match: (n: SvgNode) => boolean): SvgNode[] {
  const out: SvgNode[] = [];
  const walk = (n: SvgNode): void => {
    if (match(n)) out.push(n);
    for (const c of n.children) if (typeof c !== 'string') walk(c);
  };
  walk(node);
  return out;
}

describe('lineChart', () => {
  const series = seededSeries(42, ['requests'], 60, 1200, 200);
  const options = { width: 640, height: 240, title: 'Requests per second', formatValue: formatRequestsPerSecond, timeZone: 'UTC' } as const;

  it('draws the same SVG for the same rows', async () => {
    const chart = lineChart(series, options);
    expect(toMarkup(lineChart(series, options))).toBe(toMarkup(chart));
    await expectSnapshot(chart, 'line-chart');
  });

  it('labels UTC times on the axis and writes values with units and separators', () => {
    const labels = texts(lineChart(series, options));
    expect(labels).toEqual(expect.arrayContaining(['12:00', '12:15', '12:30', '12:45', '0\u00a0req/s']));
    expect(labels.some((l) => /^1,\d{3} req\/s$/.test(l.replace('\u00a0', ' ')))).toBe(true);
  });

  it('draws an earlier period dashed, with a legend, and alert markers', async () => {
    const [current, previous] = seededSeries(7, ['current', 'previous'], 30, 0.9, 0.03);
    const chart = lineChart([current!, { ...previous!, label: '1 day earlier', dashed: true }], {
      ...options,
      title: 'Hit ratio',
      formatValue: formatRatio,
      valueDomain: [0, 1],
      markers: [{ t: T0 + 12 * MINUTE, label: 'geo-blocked spike' }],
    });
    expect(find(chart, (n) => n.attrs['stroke-dasharray'] === '5 4')).toHaveLength(1);
    expect(find(chart, (n) => n.attrs.class === 'marker')).toHaveLength(1);
    expect(texts(chart)).toContain('1 day earlier');
    await expectSnapshot(chart, 'line-chart-compare');
  });

  it('carries the plot geometry for brush-to-zoom', () => {
    const chart = lineChart(series, options);
    expect(Number(chart.attrs['data-x0'])).toBe(T0);
    expect(Number(chart.attrs['data-x1'])).toBe(T0 + 59 * MINUTE);
    expect(Number(chart.attrs['data-plot-width'])).toBeGreaterThan(500);
  });

  it('leaves gaps for absent values and says when there is no data', () => {
    const gappy = [{ key: 'x', label: 'x', points: [{ t: T0, value: 1 }, { t: T0 + MINUTE, value: null }, { t: T0 + 2 * MINUTE, value: 2 }] }];
    const path = find(lineChart(gappy, options), (n) => n.attrs.class === 'series')[0];
    expect(String(path?.attrs.d).match(/M/g)).toHaveLength(2);
    expect(texts(lineChart([{ key: 'x', label: 'x', points: [{ t: T0, value: null }] }], options))).toContain('No data in this range');
  });
});

describe('stackedAreaChart', () => {
  it('stacks shares of a mix', async () => {
    const series = seededSeries(3, ['hit', 'miss', 'error'], 40, 50, 15);
    const chart = stackedAreaChart(
      series.map((s) => ({ ...s, label: s.key })),
      { width: 640, height: 220, title: 'Result types', formatValue: formatRatio, normalize: true, timeZone: 'UTC', otherKeys: ['error'] },
    );
    expect(find(chart, (n) => n.attrs.class === 'layer')).toHaveLength(3);
    expect(find(chart, (n) => n.attrs.class === 'layer' && n.attrs.fill === '#8c8c8c')).toHaveLength(1);
    await expectSnapshot(chart, 'stacked-area-chart');
  });
});

describe('barChart', () => {
  const values = seededValues(11, 6, 1);
  const rows = ['IAD', 'SFO', 'LHR', 'FRA', 'NRT', 'GRU'].map((pop, i) => ({ key: pop, label: pop, value: values[i] ?? 0, note: `${formatCount(1000 * (6 - i))} req`, filter: { name: 'pop', value: pop } }));

  it('draws ranked bars that name their filter', async () => {
    const chart = barChart(rows, { width: 480, title: 'Hit ratio by POP', formatValue: formatRatio, maxValue: 1 });
    const bars = find(chart, (n) => n.attrs['data-filter-name'] === 'pop');
    expect(bars.map((b) => b.attrs['data-filter-value'])).toEqual(['IAD', 'SFO', 'LHR', 'FRA', 'NRT', 'GRU']);
    expect(bars.every((b) => b.attrs.tabindex === '0' && b.attrs.role === 'button')).toBe(true);
    await expectSnapshot(chart, 'bar-chart');
  });

  it('keeps markup in labels as text', () => {
    const chart = barChart([{ key: 'x', label: '<img src=x onerror=alert(1)>', value: 1 }], { width: 480, title: 't', formatValue: formatCount });
    expect(find(chart, (n) => n.tag === 'title').map((n) => n.children.filter((c) => typeof c === 'string').join(''))).toContain('<img src=x onerror=alert(1)>: 1');
    expect(texts(chart)[0]).toMatch(/^<img src=x/);
    expect(toMarkup(chart)).not.toContain('<img');
    expect(toMarkup(chart)).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('gauge', () => {
  it('writes the value and fills the arc in proportion', async () => {
    const chart = gauge(0.934, { width: 200, label: 'Cache hit ratio', formatValue: formatRatio, threshold: 0.8 });
    expect(texts(chart)).toEqual(['93.4\u00a0%', 'Cache hit ratio']);
    await expectSnapshot(chart, 'gauge');
    expect(texts(gauge(null, { width: 200, label: '5xx', formatValue: formatRatio }))).toContain('—');
  });
});

describe('heatmap', () => {
  it('shades and labels every cell of the matrix', async () => {
    const rows = ['IAD', 'FRA', 'NRT'];
    const columns = ['US', 'DE', 'JP', 'BR'];
    const values = seededValues(5, 12, 400);
    const cells = rows.flatMap((row, i) => columns.map((column, j) => ({ row, column, value: i === 2 && j === 3 ? null : (values[i * 4 + j] ?? 0) })));
    const chart = heatmap(cells, { width: 420, title: 'p95 TTFB', rows, columns, formatValue: formatMs, rowTitle: 'POP', columnTitle: 'country' });
    expect(find(chart, (n) => n.attrs.class === 'cell')).toHaveLength(12);
    expect(find(chart, (n) => n.attrs['aria-label'] === 'NRT × BR: no data')).toHaveLength(1);
    await expectSnapshot(chart, 'heatmap');
  });
});

describe('worldMap', () => {
  const countries = [
    { code: 'US', value: 5000, label: 'United States: 5,000' },
    { code: 'DE', value: 1200, label: 'Germany: 1,200' },
    { code: 'IN', value: 900, label: 'India: 900' },
    { code: 'SG', value: 300, label: 'Singapore: 300' },
    { code: 'FR', value: 200, label: 'France: 200' },
  ];
  const pops = [
    { code: 'IAD', lat: 38.94, lon: -77.46, value: 3000, label: 'IAD' },
    { code: 'FRA', lat: 50.03, lon: 8.56, value: 1500, label: 'FRA' },
  ];

  it('shades countries, places POPs and draws viewer → POP arcs', async () => {
    const chart = worldMap(
      { countries, pops, arcs: [{ country: 'DE', to: [8.56, 50.03], value: 40, label: 'DE → FRA' }, { country: 'US', to: [-77.46, 38.94], value: 90, label: 'US → IAD' }] },
      { width: 720, title: 'Viewers', topology, legendTitle: 'Requests', formatValue: formatCount, id: 'test-map' },
    );
    const drill = find(chart, (n) => n.attrs['data-filter-name'] === 'country').map((n) => n.attrs['data-filter-value']);
    expect(drill.sort()).toEqual(['DE', 'FR', 'IN', 'SG', 'US']);
    expect(find(chart, (n) => n.attrs.class === 'pop')).toHaveLength(2);
    expect(find(chart, (n) => n.attrs.class === 'arc')).toHaveLength(2);
    // Singapore has no shape at 1:110m: it is a point.
    expect(find(chart, (n) => n.attrs.class === 'country-point drill')).toHaveLength(1);
    await expectSnapshot(chart, 'world-map');
  });

  it('maps every world-atlas country to an ISO alpha-2 code', () => {
    const centroids = countryCentroids(topology);
    expect(centroids.size).toBeGreaterThan(170);
    const [lon, lat] = centroids.get('FR') ?? [0, 0];
    // Metropolitan France, not a point between Paris and French Guiana.
    expect(lon).toBeGreaterThan(-5);
    expect(lat).toBeGreaterThan(42);
  });
});
