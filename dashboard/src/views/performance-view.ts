/**
 * Performance and errors: time-to-first-byte, time-taken and origin latency percentiles over time
 * (all three percentiles in one call), p95 TTFB per POP × viewer country (one breakdown call), 4xx/5xx
 * by status and by cause, HTTP and TLS versions, TLS cipher suites with their protocol, and the share
 * of HTTP requests redirected to HTTPS.
 */
import type { TimeseriesMetric } from '../api/api-types.js';
import { barChart } from '../charts/bar-chart.js';
import { gauge } from '../charts/gauge.js';
import { heatmap } from '../charts/heatmap.js';
import type { LineSeries } from '../charts/line-chart.js';
import { formatCount, formatMs, formatRatio } from '../format/format.js';
import { statsParams } from '../state/query-params.js';
import { resolveRange } from '../state/time-range.js';
import { chartHost } from '../ui/chart-host.js';
import { dataTable } from '../ui/data-table.js';
import { h } from '../ui/dom.js';
import { kpiRow } from '../ui/kpi-row.js';
import { Panel, runPanel } from '../ui/panel.js';
import { changeMarkers } from './change-markers.js';
import { cipherShares, heatmapOf } from './breakdown-cells.js';
import { countByCause, ERROR_CAUSE_LABELS, ERROR_CAUSE_NAMES, ERROR_CAUSES, errorCauseOf } from './error-causes.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid, loadKpis, narrowFilter, seriesOf, sumPoints, timeChart } from './view-kit.js';

const HEATMAP_COUNTRIES = 8;
const HEATMAP_POPS = 10;
const CIPHERS = 12;

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const summary = new Panel('Summary', { wide: true, id: 'summary' });
  const ttfb = new Panel('Time to first byte', { id: 'ttfb', note: 'p50 / p95 / p99 per interval, weighted by sampling; WebSockets excluded.' });
  const timeTaken = new Panel('Time taken', { id: 'time-taken', note: 'p50 / p95 / p99 of time-taken per interval.' });
  const origin = new Panel('Origin latency', { id: 'origin-latency', note: 'p50 / p95 / p99 of origin-fbl (only requests that went to the origin).' });
  const matrix = new Panel('p95 time to first byte by POP and viewer country', { id: 'pop-country', note: `The ${HEATMAP_POPS} busiest POPs and the ${HEATMAP_COUNTRIES} busiest viewer countries; empty cells: no request of that country at that POP.` });
  const statuses = new Panel('4xx and 5xx by status', { wide: true, id: 'error-status' });
  const causes = new Panel('Errors by cause', { id: 'error-causes', note: 'From x-edge-detailed-result-type of 4xx/5xx requests.' });
  const detailed = new Panel('Detailed result types of errors', { id: 'error-detailed' });
  const httpVersions = new Panel('HTTP versions', { id: 'http-versions' });
  const tls = new Panel('TLS versions', { id: 'tls-versions', note: 'Share of HTTPS requests by ssl-protocol.' });
  const ciphers = new Panel('TLS cipher suites', { id: 'tls-ciphers', note: `The ${CIPHERS} most used ssl-cipher values with their ssl-protocol, by share of HTTPS requests.` });
  const redirects = new Panel('HTTP → HTTPS redirects', { id: 'https-redirects', note: 'Share of http:// requests answered with result type Redirect (viewer protocol policy).' });
  root.replaceChildren(grid([summary.element, ttfb.element, timeTaken.element, origin.element, matrix.element, statuses.element, causes.element, detailed.element, httpVersions.element, tls.element, ciphers.element, redirects.element]));

  const load = (nowMs: number): void => {
    const params = statsParams(ctx.state, nowMs);
    const range = resolveRange(ctx.state.range, nowMs);
    const errorClasses = narrowFilter(ctx.state, 'statusClass', ['4xx', '5xx']);

    void runPanel(summary, ctx.signal, async () =>
      kpiRow(
        await loadKpis(
          ctx,
          [
            { key: 'ttfbP50', label: 'p50 TTFB', value: (s) => s.ttfbMs.p50, format: formatMs, higherIsBetter: false },
            { key: 'ttfbP95', label: 'p95 TTFB', value: (s) => s.ttfbMs.p95, format: formatMs, higherIsBetter: false },
            { key: 'ttfbP99', label: 'p99 TTFB', value: (s) => s.ttfbMs.p99, format: formatMs, higherIsBetter: false },
            { key: 'originP95', label: 'p95 origin latency', value: (s) => s.originLatencyMs.p95, format: formatMs, higherIsBetter: false },
            { key: 'errorRate4xx', label: '4xx rate', value: (s) => s.errorRate4xx, format: formatRatio, ratio: true, higherIsBetter: false },
            { key: 'errorRate5xx', label: '5xx rate', value: (s) => s.errorRate5xx, format: formatRatio, ratio: true, higherIsBetter: false },
          ],
          nowMs,
        ),
      ),
    );

    const percentilePanel = (panel: Panel, metric: TimeseriesMetric, what: string): void =>
      void runPanel(panel, ctx.signal, async () => {
        const response = await ctx.stats.timeseries(params, { metric, percentile: 'p50,p95,p99' }, ctx.signal);
        const series: LineSeries[] = response.series.map((s) => ({ key: s.key, label: s.key, points: s.points.map((p) => ({ t: Date.parse(p.t), value: p.value })) }));
        if (series.every((s) => s.points.every((p) => p.value === null))) return { empty: `No ${what} in this range.` };
        return timeChart(ctx, { title: `${what} percentiles over time`, series, formatValue: formatMs, range, markers: await changeMarkers(ctx, range) });
      });
    percentilePanel(ttfb, 'ttfbMs', 'Time to first byte');
    percentilePanel(timeTaken, 'timeTakenMs', 'Time taken');
    percentilePanel(origin, 'originLatencyMs', 'Origin latency');

    void runPanel(matrix, ctx.signal, async () => {
      const response = await ctx.stats.breakdown(params, { by: ['pop', 'country'], top: HEATMAP_POPS }, ctx.signal);
      const data = heatmapOf(response, (cell) => cell.ttfbMs.p95);
      const columns = data.columns.slice(0, HEATMAP_COUNTRIES);
      if (data.rows.length === 0 || columns.length === 0) return { empty: 'No requests in this range.' };
      const cells = data.cells.filter((c) => columns.includes(c.column));
      return chartHost((width) =>
        heatmap(cells, { width, title: 'p95 time to first byte by POP (rows) and viewer country (columns)', rows: data.rows, columns, formatValue: formatMs, formatCell: (v) => String(Math.round(v)), rowTitle: 'POP', columnTitle: 'country, ms' }),
      );
    });

    void runPanel(statuses, ctx.signal, async () => {
      if (errorClasses === null) return { empty: 'The status class filter leaves out 4xx and 5xx.' };
      const response = await ctx.stats.timeseries({ ...params, statusClass: errorClasses }, { metric: 'requests', groupBy: 'status', top: 8, rankBy: 'errors' }, ctx.signal);
      const series = seriesOf(response, (key, other) => (other ? 'other statuses' : key));
      if (series.every((s) => sumPoints(s) === 0)) return { empty: 'No 4xx or 5xx responses in this range.' };
      return timeChart(ctx, { title: '4xx and 5xx responses per interval by status', series, formatValue: formatCount, range, stacked: true, otherKeys: ['\u0000other'] });
    });

    const detailedLists = (async () => {
      if (errorClasses === null) return null;
      const errorParams = { ...params, statusClass: errorClasses };
      const allErrors = await ctx.stats.top(errorParams, { dimension: 'detailedResult', limit: 50 }, ctx.signal);
      const forbiddenStatus = narrowFilter(ctx.state, 'status', ['403']);
      const forbidden = forbiddenStatus === null ? null : await ctx.stats.top({ ...errorParams, status: forbiddenStatus }, { dimension: 'detailedResult', limit: 50 }, ctx.signal);
      return { all: allErrors.rows, forbidden: forbidden?.rows ?? [] };
    })();
    detailedLists.catch(() => undefined);
    void runPanel(causes, ctx.signal, async () => {
      const lists = await detailedLists;
      if (lists === null) return { empty: 'The status class filter leaves out 4xx and 5xx.' };
      const counts = countByCause(
        lists.all.map((r) => ({ detailedResult: r.value, requests: r.requests })),
        lists.forbidden.map((r) => ({ detailedResult: r.value, requests: r.requests })),
      );
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      if (total === 0) return { empty: 'No 4xx or 5xx responses in this range.' };
      return chartHost((width) =>
        barChart(
          ERROR_CAUSES.map((cause) => ({ key: cause, label: ERROR_CAUSE_LABELS[cause], value: counts.get(cause) ?? 0, note: formatRatio((counts.get(cause) ?? 0) / total) })),
          { width, title: '4xx and 5xx requests by cause', formatValue: formatCount, labelWidth: Math.min(260, width * 0.45) },
        ),
      );
    });
    void runPanel(detailed, ctx.signal, async () => {
      const lists = await detailedLists;
      if (lists === null || lists.all.length === 0) return { empty: 'No 4xx or 5xx responses in this range.' };
      return dataTable(
        lists.all,
        [
          { key: 'type', label: 'Detailed result type', value: (r) => (r.value === '' ? '(not logged)' : r.value) },
          { key: 'cause', label: 'Cause', value: (r) => (r.value === 'Error' ? 'edge error / access denied' : ERROR_CAUSE_NAMES[errorCauseOf(r.value)]) },
          { key: 'requests', label: 'Requests', value: (r) => r.requests, format: formatCount, numeric: true },
        ],
        { caption: 'Detailed result types of 4xx and 5xx responses', sortKey: 'requests', id: 'error-detailed' },
      );
    });

    void runPanel(httpVersions, ctx.signal, async () => {
      const response = await ctx.stats.timeseries(params, { metric: 'requests', groupBy: 'httpVersion', top: 6 }, ctx.signal);
      const rows = seriesOf(response, (key, other) => (other ? 'other' : key === '' ? '(unknown)' : `HTTP/${key}`)).map((s) => ({ ...s, total: sumPoints(s) }));
      const total = rows.reduce((a, r) => a + r.total, 0);
      if (total === 0) return { empty: 'No requests in this range.' };
      return chartHost((width) =>
        barChart(
          rows.sort((a, b) => b.total - a.total).map((r) => ({ key: r.key, label: r.label, value: r.total / total, note: `${formatCount(r.total)} req`, filter: r.key.startsWith('\u0000') || r.key === '' ? undefined : { name: 'httpVersion', value: r.key } })),
          { width, title: 'Share of requests by HTTP version', formatValue: formatRatio, maxValue: 1 },
        ),
      );
    });

    void runPanel(tls, ctx.signal, async () => {
      const top = await ctx.stats.top(params, { dimension: 'sslProtocol', limit: 20 }, ctx.signal);
      // '' is a request without TLS (http://).
      const counts = top.rows.filter((r) => r.value !== '').map((r) => ({ version: r.value, requests: r.requests }));
      const total = counts.reduce((a, c) => a + c.requests, 0);
      if (total === 0) return { empty: 'No HTTPS requests in this range.' };
      return chartHost((width) =>
        barChart(
          counts.map((c) => ({ key: c.version, label: c.version, value: c.requests / total, note: `${formatCount(c.requests)} req`, filter: c.requests > 0 ? { name: 'sslProtocol', value: c.version } : undefined })),
          { width, title: 'Share of TLS requests by protocol version', formatValue: formatRatio, maxValue: 1 },
        ),
      );
    });

    void runPanel(ciphers, ctx.signal, async () => {
      const response = await ctx.stats.breakdown(params, { by: ['sslCipher', 'sslProtocol'], top: CIPHERS }, ctx.signal);
      const shares = cipherShares(response).slice(0, CIPHERS);
      if (shares.length === 0) return { empty: 'No HTTPS requests in this range.' };
      return chartHost((width) =>
        barChart(
          shares.map((c) => ({ key: `${c.protocol} ${c.cipher}`, label: `${c.cipher} (${c.protocol})`, value: c.share, note: `${formatCount(c.requests)} req`, filter: { name: 'sslProtocol', value: c.protocol } })),
          { width, title: 'Share of HTTPS requests by cipher suite and TLS protocol', formatValue: formatRatio, maxValue: 1, labelWidth: Math.min(300, width * 0.5) },
        ),
      );
    });

    void runPanel(redirects, ctx.signal, async () => {
      const http = narrowFilter(ctx.state, 'protocol', ['http']);
      const redirect = narrowFilter(ctx.state, 'cacheStatus', ['redirect']);
      if (http === null) return { empty: 'The protocol filter leaves out http.' };
      const plain = await ctx.stats.summary({ ...params, protocol: http }, ctx.signal);
      if (plain.requests === 0) return { empty: 'No http:// requests in this range.' };
      const redirected = redirect === null ? 0 : (await ctx.stats.summary({ ...params, protocol: http, cacheStatus: redirect }, ctx.signal)).requests;
      const share = redirected / plain.requests;
      return [
        chartHost((width) => gauge(share, { width: Math.min(width, 260), label: 'redirected to HTTPS', formatValue: formatRatio })),
        h('p', { class: 'panel-fact' }, [`${formatCount(redirected)} of ${formatCount(plain.requests)} http:// requests were redirected to HTTPS.`]),
      ];
    });
  };

  load(Date.now());
  return { refresh: () => load(Date.now()), dispose: () => undefined };
}

export const performanceView: ViewDefinition = { name: 'performance', title: 'Performance', usesTimeRange: true, mount };
