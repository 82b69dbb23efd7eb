/**
 * Live (the landing view): requests/s and bytes/s from the live stream, updated every second; the
 * world map of viewer countries and the POPs serving them (from the stream's per-country and per-POP
 * counters of the last 5 minutes, arcs from the sampled records of the last 2 minutes); cache hit
 * ratio and error rate gauges over the last 30 seconds; and the live tail. Nothing here waits for a
 * stats query.
 */
import { openLiveStream, type LiveStatus } from '../api/live-stream.js';
import { gauge } from '../charts/gauge.js';
import { lineChart } from '../charts/line-chart.js';
import { worldMap } from '../charts/world-map.js';
import { formatBytesPerSecond, formatClock, formatCount, formatRatio, formatRequestsPerSecond } from '../format/format.js';
import { liveParams } from '../state/query-params.js';
import { ChartHost } from '../ui/chart-host.js';
import { h } from '../ui/dom.js';
import { kpiRow } from '../ui/kpi-row.js';
import { Panel } from '../ui/panel.js';
import { importsBanner } from './imports-banner.js';
import { LiveTail } from './live-tail.js';
import { LiveWindow } from './live-window.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid } from './view-kit.js';

const RECORDS_PER_SECOND = 20;
const CHART_SECONDS = 300;
const GAUGE_SECONDS = 30;
const ARC_WINDOW_MS = 120_000;

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const live = new LiveWindow(CHART_SECONDS);
  const status = h('p', { class: 'live-status', role: 'status', 'data-live-status': 'connecting' }, ['Connecting to the live stream…']);
  const headline = new Panel('Right now', { wide: true, id: 'live-now', note: `Per second, averaged over the last ${GAUGE_SECONDS} seconds; counts are extrapolated by the sampling rate.` });
  const requests = new Panel('Requests per second', { id: 'live-requests' });
  const bytes = new Panel('Bytes per second', { id: 'live-bytes' });
  const gauges = new Panel('Cache and errors', { id: 'live-gauges', note: `Last ${GAUGE_SECONDS} seconds. Cache hit ratio: CloudWatch definition.` });
  const map = new Panel('Viewers and the POPs serving them', { wide: true, id: 'live-map', note: `Countries and POPs: live counters since the page opened, up to the last ${CHART_SECONDS / 60} minutes. Arcs: sampled requests of the last 2 minutes, viewer country → POP.` });
  const tail = new Panel('Live tail', { wide: true, id: 'live-tail', note: `Up to ${RECORDS_PER_SECOND} sampled requests per second that match the filters.` });
  const banner = importsBanner(ctx);
  root.replaceChildren(h('div', {}, [banner.element, status, grid([headline.element, requests.element, bytes.element, gauges.element, map.element, tail.element])]));

  // From the first second received, growing to the last five minutes.
  const timeDomain = (): [number, number] => {
    const end = live.latestSecond ?? Date.now();
    const first = live.firstSecond ?? end;
    return [Math.max(first, end - CHART_SECONDS * 1000), Math.max(end, first + 30_000)];
  };
  const requestsChart = new ChartHost((width) =>
    lineChart([{ key: 'requests', label: 'Requests/s', points: live.series((c) => c.requests) }], { width, height: 200, title: 'Requests per second, last 5 minutes', formatValue: formatRequestsPerSecond, timeDomain: timeDomain(), timeZone: ctx.timeZone, area: true }),
  );
  const bytesChart = new ChartHost((width) =>
    lineChart([{ key: 'bytes', label: 'Bytes/s', points: live.series((c) => c.bytes), color: '#009E73' }], { width, height: 200, title: 'Bytes per second, last 5 minutes', formatValue: formatBytesPerSecond, timeDomain: timeDomain(), timeZone: ctx.timeZone, area: true }),
  );
  const gaugeRow = h('div', { class: 'gauges' });
  const gaugeHosts = [
    new ChartHost((width) => gauge(live.ratios(GAUGE_SECONDS).cacheHitRatio, { width: Math.min(width, 220), label: 'Cache hit ratio', formatValue: formatRatio })),
    new ChartHost((width) => gauge(live.ratios(GAUGE_SECONDS).errorRate4xx, { width: Math.min(width, 220), label: '4xx error rate', formatValue: formatRatio, color: '#E69F00' })),
    new ChartHost((width) => gauge(live.ratios(GAUGE_SECONDS).errorRate5xx, { width: Math.min(width, 220), label: '5xx error rate', formatValue: formatRatio, color: '#D55E00' })),
  ];
  gaugeRow.replaceChildren(...gaugeHosts.map((g) => g.element));

  const mapChart = new ChartHost((width) => {
    const places = live.places(CHART_SECONDS);
    const located = places.pops.flatMap((p) => (p.lat === null || p.lon === null ? [] : [{ ...p, lat: p.lat, lon: p.lon }]));
    const popCoordinates = new Map(located.map((p) => [p.pop, [p.lon, p.lat] as const]));
    const arcs = live.pairs(Date.now() - ARC_WINDOW_MS, 60).flatMap((pair) => {
      const to = popCoordinates.get(pair.pop);
      return to === undefined ? [] : [{ country: pair.country, to, value: pair.count, label: `${pair.country} → ${pair.pop}: ${pair.count} sampled requests` }];
    });
    return worldMap(
      {
        countries: places.countries.map((c) => ({ code: c.country, value: c.requests, label: `${c.country}: ${formatCount(c.requests)} requests` })),
        pops: located.map((p) => ({ code: p.pop, lat: p.lat, lon: p.lon, value: p.requests, label: `${p.pop} ${p.city}: ${formatCount(p.requests)} requests` })),
        arcs,
      },
      { width, title: 'Viewer countries (shaded by requests), POPs and viewer → POP arcs', topology: ctx.topology, legendTitle: 'Requests, last 5 min', formatValue: formatCount, id: 'live-map' },
    );
  });
  const liveTail = new LiveTail(ctx.timeZone);

  requests.content([requestsChart.element]);
  bytes.content([bytesChart.element]);
  gauges.content([gaugeRow]);
  map.content([mapChart.element]);
  tail.content([liveTail.element]);

  const renderHeadline = (): void => {
    const r = live.ratios(GAUGE_SECONDS);
    headline.content([
      kpiRow([
        { key: 'requestsPerSecond', label: 'Requests/s', value: formatRequestsPerSecond(r.requestsPerSecond) },
        { key: 'bytesPerSecond', label: 'Bytes/s', value: formatBytesPerSecond(r.bytesPerSecond) },
        { key: 'cacheHitRatio', label: 'Cache hit ratio', value: formatRatio(r.cacheHitRatio) },
        { key: 'errorRate4xx', label: '4xx rate', value: formatRatio(r.errorRate4xx) },
        { key: 'errorRate5xx', label: '5xx rate', value: formatRatio(r.errorRate5xx) },
      ]),
      r.dropped + r.stale > 0
        ? h('p', { class: 'panel-note warning' }, [`In the last ${GAUGE_SECONDS} s the live view skipped ${formatCount(r.dropped)} records it had no time for and ${formatCount(r.stale)} late ones: live counts are low. Stored stats are complete.`])
        : null,
    ]);
  };

  const setStatus = (state: LiveStatus, detail?: string): void => {
    status.dataset.liveStatus = state;
    const text: Record<LiveStatus, string> = {
      connecting: 'Connecting to the live stream…',
      open: 'Live: connected.',
      reconnecting: `Live stream interrupted; reconnecting…${detail === undefined ? '' : ` (${detail})`}`,
      failed: `The live stream was refused: ${detail ?? 'unknown reason'}`,
    };
    status.textContent = text[state];
  };

  let lastDraw = 0;
  let mapDrawn = false;
  const connection = openLiveStream(ctx.http, liveParams(ctx.state, RECORDS_PER_SECOND), {
    onStatus: setStatus,
    onCounters: (counters) => {
      live.addCounters(counters);
      status.textContent = `Live: updated ${formatClock(counters.t + 1000, ctx.timeZone)}.`;
      requestsChart.redraw();
      bytesChart.redraw();
      for (const g of gaugeHosts) g.redraw();
      renderHeadline();
      // The map redraws at once when the first places arrive, then every few seconds.
      if (Date.now() - lastDraw > 5_000 || (!mapDrawn && counters.countries.length > 0)) {
        mapDrawn = counters.countries.length > 0;
        lastDraw = Date.now();
        mapChart.redraw();
      }
    },
    onRecord: (record) => {
      live.addRecord(record, Date.now());
      liveTail.add(record);
    },
  });

  return {
    refresh: () => undefined,
    dispose: () => {
      connection.close();
      liveTail.dispose();
      banner.dispose();
    },
  };
}

export const liveView: ViewDefinition = { name: 'live', title: 'Live', usesTimeRange: false, mount };
