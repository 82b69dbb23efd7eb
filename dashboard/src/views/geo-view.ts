/**
 * Geo: a choropleth of viewer countries (requests, hit ratio, geo-blocked requests or p95
 * time-to-first-byte) with the POPs, geo-blocked requests per country over time with the alerts
 * that fired on them, and per-country and per-POP tables.
 */
import { alertMarkers, loadAlerts } from '../api/alerts-api.js';
import type { GeoResponse } from '../api/api-types.js';
import { worldMap } from '../charts/world-map.js';
import { formatBytes, formatCount, formatMs, formatRatio } from '../format/format.js';
import { statsParams } from '../state/query-params.js';
import { resolveRange } from '../state/time-range.js';
import type { MAP_METRICS } from '../state/url-state.js';
import { chartHost } from '../ui/chart-host.js';
import { dataTable } from '../ui/data-table.js';
import { kpiRow } from '../ui/kpi-row.js';
import { Panel, runPanel } from '../ui/panel.js';
import { radioGroup } from '../ui/radio-group.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid, loadKpis, narrowFilter, seriesOf, timeChart } from './view-kit.js';

type MapMetric = (typeof MAP_METRICS)[number];
type GeoCountry = GeoResponse['countries'][number];

const MAP_CHOICES: readonly { value: MapMetric; label: string; of: (c: GeoCountry) => number | null; format: (v: number) => string; domain?: [number, number] }[] = [
  { value: 'requests', label: 'Requests', of: (c) => c.requests, format: formatCount },
  { value: 'hitRatio', label: 'Hit ratio', of: (c) => c.hitRatio, format: formatRatio, domain: [0, 1] },
  { value: 'geoBlocked', label: 'Geo-blocked', of: (c) => (c.geoBlocked > 0 ? c.geoBlocked : null), format: formatCount },
  { value: 'ttfb', label: 'p95 TTFB', of: (c) => c.ttfbP95Ms, format: formatMs },
];

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const metric = MAP_CHOICES.find((c) => c.value === ctx.state.options.map) ?? MAP_CHOICES[0]!;
  const summary = new Panel('Summary', { wide: true, id: 'summary' });
  const map = new Panel('Viewer countries', { wide: true, id: 'geo-map', note: 'Select a country to filter. Circles: POPs sized by requests.' });
  map.addTools([radioGroup('Map shows', MAP_CHOICES, metric.value, (value) => ctx.navigate({ ...ctx.state, options: { ...ctx.state.options, map: value as MapMetric } }))]);
  const blocked = new Panel('Geo-blocked requests by country', { wide: true, id: 'geo-blocked', note: 'Requests per interval with x-edge-detailed-result-type ClientGeoBlocked; the 6 countries with the most errors. Triangles mark geo-blocked spike alerts when they fired.' });
  const countries = new Panel('Countries', { id: 'countries' });
  const pops = new Panel('POPs', { id: 'pops' });
  root.replaceChildren(grid([summary.element, map.element, blocked.element, countries.element, pops.element]));

  const load = (nowMs: number): void => {
    const params = statsParams(ctx.state, nowMs);
    const range = resolveRange(ctx.state.range, nowMs);
    void runPanel(summary, ctx.signal, async () =>
      kpiRow(
        await loadKpis(
          ctx,
          [
            { key: 'requests', label: 'Requests', value: (s) => s.requests, format: formatCount, higherIsBetter: null },
            { key: 'geoBlocked', label: 'Geo-blocked requests', value: (s) => s.geoBlocked, format: formatCount, higherIsBetter: false },
            { key: 'cacheHitRatio', label: 'Cache hit ratio', value: (s) => s.cacheHitRatio, format: formatRatio, ratio: true, higherIsBetter: true },
            { key: 'ttfbP95', label: 'p95 time to first byte', value: (s) => s.ttfbMs.p95, format: formatMs, higherIsBetter: false },
            { key: 'bytes', label: 'Bytes served', value: (s) => s.bytes, format: formatBytes, higherIsBetter: null },
          ],
          nowMs,
        ),
      ),
    );
    const geo = ctx.stats.geo(params, ctx.signal);
    // The panels below report the failure themselves.
    geo.catch(() => undefined);
    void runPanel(map, ctx.signal, async () => {
      const data = await geo;
      if (data.countries.length === 0) return { empty: 'No viewers in this range.' };
      return chartHost((width) =>
        worldMap(
          {
            countries: data.countries.map((c) => {
              const value = metric.of(c);
              return { code: c.country, value, label: `${c.name || c.country}: ${value === null ? '—' : metric.format(value)} (${formatCount(c.requests)} requests)` };
            }),
            pops: data.pops.filter((p) => p.lat !== null && p.lon !== null).map((p) => ({ code: p.pop, lat: p.lat ?? 0, lon: p.lon ?? 0, value: p.requests, label: `${p.pop} ${p.city}: ${formatCount(p.requests)} requests` })),
          },
          { width, title: `Viewer countries by ${metric.label.toLowerCase()}`, topology: ctx.topology, legendTitle: metric.label, formatValue: metric.format, valueDomain: metric.domain, id: 'geo-map' },
        ),
      );
    });
    void runPanel(blocked, ctx.signal, async () => {
      // Geo-blocked requests are errors; the countries are the six with the most geo-blocked requests.
      const errors = narrowFilter(ctx.state, 'cacheStatus', ['error']);
      if (errors === null) return { empty: 'The cache result filter leaves out errors, and geo-blocked requests are errors.' };
      const response = await ctx.stats.timeseries({ ...params, cacheStatus: errors }, { metric: 'geoBlocked', groupBy: 'country', top: 6, rankBy: 'geoBlocked' }, ctx.signal);
      const series = seriesOf(response, (key, other) => (other ? 'other countries' : key === '' ? '(unknown)' : key));
      const markers = ctx.capabilities.alerts
        ? alertMarkers(await loadAlerts(ctx.stats, { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), distribution: ctx.state.distributions.join(',') }, ctx.signal), ['geoBlockedSpike'], range.fromMs, range.toMs)
        : [];
      if (series.every((s) => s.points.every((p) => (p.value ?? 0) === 0))) return { empty: 'No geo-blocked requests in this range.' };
      return timeChart(ctx, { title: 'Geo-blocked requests per interval by viewer country', series, formatValue: formatCount, range, markers });
    });
    void runPanel(countries, ctx.signal, async () => {
      const data = await geo;
      if (data.countries.length === 0) return { empty: 'No viewers in this range.' };
      return dataTable(
        data.countries,
        [
          { key: 'country', label: 'Country', value: (c) => (c.name === '' ? c.country : `${c.country} · ${c.name}`) },
          { key: 'requests', label: 'Requests', value: (c) => c.requests, format: formatCount, numeric: true },
          { key: 'hitRatio', label: 'Hit ratio', value: (c) => c.hitRatio, format: formatRatio, numeric: true },
          { key: 'geoBlocked', label: 'Geo-blocked', value: (c) => c.geoBlocked, format: formatCount, numeric: true },
          { key: 'ttfb', label: 'p95 TTFB', value: (c) => c.ttfbP95Ms, format: formatMs, numeric: true },
        ],
        { caption: 'Requests per viewer country', sortKey: 'requests', id: 'countries', drill: (c) => (c.country === '' ? undefined : { name: 'country', value: c.country }) },
      );
    });
    void runPanel(pops, ctx.signal, async () => {
      const data = await geo;
      if (data.pops.length === 0) return { empty: 'No POP served requests in this range.' };
      return dataTable(
        data.pops,
        [
          { key: 'pop', label: 'POP', value: (p) => p.pop },
          { key: 'city', label: 'City', value: (p) => (p.country === '' ? p.city : `${p.city}, ${p.country}`) },
          { key: 'requests', label: 'Requests', value: (p) => p.requests, format: formatCount, numeric: true },
          { key: 'hitRatio', label: 'Hit ratio', value: (p) => p.hitRatio, format: formatRatio, numeric: true },
          { key: 'ttfb', label: 'p95 TTFB', value: (p) => p.ttfbP95Ms, format: formatMs, numeric: true },
        ],
        { caption: 'Requests, hit ratio and p95 time to first byte per POP', sortKey: 'requests', id: 'pops', drill: (p) => (p.pop === '' ? undefined : { name: 'pop', value: p.pop }) },
      );
    });
  };

  load(Date.now());
  return { refresh: () => load(Date.now()), dispose: () => undefined };
}

export const geoView: ViewDefinition = { name: 'geo', title: 'Geo', usesTimeRange: true, mount };
