/**
 * The dashboard in a real browser (Debian's chromium via playwright-core) against the real product:
 * startPipeline with embedded Kinesis and ClickHouse and the edge simulator on, the dashboard built
 * by vite and served by the API server. Every view shows real data with no console error; a record
 * replayed with a hostile user agent stays text in the live tail; filters, the time range, drill-down
 * and brush-to-zoom change the URL and the API requests; the token travels only as a bearer header;
 * viewers see no configuration. Screenshots of every view go to test-artifacts/dashboard/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';
import { buildDashboard } from '../../dashboard/build/build-dashboard.js';
import { browserTestsRun, kpiNumber, launchChromium, newDashboardPage, openView, replayRecord, screenshot, settle, signIn, type PageWatch } from './browser-kit.js';

const HTTP_PORT = 47400;
const KINESIS_PORT = 47401;
const VIEWER_TOKEN = `dash-viewer-${crypto.randomBytes(12).toString('hex')}`;
const ADMIN_TOKEN = `dash-admin-${crypto.randomBytes(12).toString('hex')}`;
const STEP_TIMEOUT_MS = 240_000;
const HOSTILE_USER_AGENT = '<img src=x onerror=alert(1)>';

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function expectClean(watch: PageWatch): void {
  expect(watch.errors, 'console errors').toEqual([]);
  expect(watch.dialogs, 'dialogs (a script ran)').toEqual([]);
  const apiCalls = watch.apiRequests();
  expect(apiCalls.length).toBeGreaterThan(0);
  for (const request of apiCalls) {
    expect(request.authorization, `${request.url.pathname} without a bearer header`).toMatch(/^Bearer \S+$/);
    expect(request.url.href).not.toContain(VIEWER_TOKEN);
    expect(request.url.href).not.toContain(ADMIN_TOKEN);
  }
}

describe.runIf(browserTestsRun())('dashboard in chromium', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-dashboard-'));
  let pipeline: RunningPipeline;
  let browser: Browser;

  beforeAll(async () => {
    await buildDashboard();
    const config = loadConfig({
      EDGEWATCH_DATA_DIR: dataDir,
      PORT: String(HTTP_PORT),
      EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
      EDGEWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
      EDGEWATCH_VIEWER_TOKENS: VIEWER_TOKEN,
      EDGEWATCH_BATCH_MAX_AGE_MS: '500',
      EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
      EDGEWATCH_LOG_LEVEL: 'warn',
    });
    pipeline = await startPipeline(config, createLogger('warn'));
    const running = pipeline;
    // A couple of minutes' worth of simulated traffic stored before the first page loads.
    await waitFor('stored traffic', () => running.processor.counts().records >= 3_000, 90_000);
    browser = await launchChromium();
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with a token kept in sessionStorage, never in a URL, and hides configuration from viewers', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await page.goto(`${pipeline.url}/`);
      await page.waitForSelector('form.login');
      await screenshot(page, 'login');
      await watch.expecting([/status of 401/], async () => {
        await page.fill('#token', 'not-a-real-token-0000000000');
        await page.click('form.login button[type=submit]');
        await page.waitForFunction(() => document.querySelector('[data-login-problem]')?.textContent?.includes('not accepted') === true);
      });
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      expect(await page.evaluate(() => sessionStorage.getItem('edgewatch.token'))).toBe(VIEWER_TOKEN);
      expect(await page.evaluate(() => localStorage.length + document.cookie.length)).toBe(0);
      expect(page.url()).not.toContain(VIEWER_TOKEN);
      expect(await page.textContent('[data-role]')).toBe('viewer');
      expect(await page.$$eval('[data-view-link]', (links) => links.map((l) => l.getAttribute('data-view-link')))).toEqual(['live', 'cache', 'geo', 'performance', 'video', 'alerts', 'imports']);
      // Following a link to the configuration shows no action to a viewer.
      await openView(page, '#/config');
      expect(await page.$('.admin-zone')).toBeNull();
      expect(await page.textContent('[data-panel="config-denied"]')).toContain('needs an admin token');
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('shows live traffic, the map, gauges and the live tail, updated every second', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      await page.waitForFunction(() => document.querySelector('[data-live-status]')?.textContent?.startsWith('Live: updated') === true, null, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-table="live-tail"] tbody tr').length >= 10, null, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-panel="live-map"] path.country.drill').length >= 5, null, { timeout: 60_000 });
      const firstUpdate = await page.textContent('[data-live-status]');
      await page.waitForFunction((before) => document.querySelector('[data-live-status]')?.textContent !== before, firstUpdate, { timeout: 5_000 });
      expect(await kpiNumber(page, 'requestsPerSecond')).toBeGreaterThan(0);
      expect(await kpiNumber(page, 'bytesPerSecond')).toBeGreaterThan(0);
      expect(await kpiNumber(page, 'cacheHitRatio')).toBeGreaterThan(0);
      expect(await page.$eval('[data-panel="live-requests"] path.series', (p) => p.getAttribute('d') ?? '')).toMatch(/^M[\d.,]+L/);
      expect(await page.$$eval('[data-panel="live-gauges"] svg.gauge', (g) => g.length)).toBe(3);
      expect(await page.$$eval('[data-panel="live-map"] circle.pop', (c) => c.length)).toBeGreaterThan(0);
      await page.waitForFunction(() => document.querySelectorAll('[data-panel="live-map"] path.arc').length > 0, null, { timeout: 30_000 });
      // Countries and POPs come from the stream's own per-place counters: the map asks no geo query.
      expect(watch.apiRequests().filter((r) => r.url.pathname === '/api/v1/stats/geo')).toEqual([]);
      // The stream is read with fetch and a bearer header: no time range, no token in its URL.
      const stream = watch.apiRequests().find((r) => r.url.pathname === '/api/v1/live');
      expect(stream?.url.searchParams.get('from')).toBeNull();
      // Pause freezes the tail.
      await page.click('[data-action="pause-tail"]');
      const frozen = await page.$$eval('[data-table="live-tail"] tbody tr', (rows) => rows.map((r) => r.textContent).join('\n'));
      await page.waitForTimeout(1_500);
      expect(await page.$$eval('[data-table="live-tail"] tbody tr', (rows) => rows.map((r) => r.textContent).join('\n'))).toBe(frozen);
      expect(await page.textContent('.tail-status')).toMatch(/Paused: \d+ new record/);
      await page.click('[data-action="pause-tail"]');
      await screenshot(page, 'live');
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('shows a replayed user agent with markup as text in the live tail and runs nothing', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      const segment = `xss-${crypto.randomBytes(6).toString('hex')}`;
      const since = watch.requests.length;
      await page.evaluate((s) => {
        location.hash = `#/live?pathPrefix=/${s}/`;
      }, segment);
      await page.waitForFunction(() => document.querySelector('[data-live-status]')?.textContent?.startsWith('Live: updated') === true, null, { timeout: 30_000 });
      const stream = watch.apiRequests(since).find((r) => r.url.pathname === '/api/v1/live');
      expect(stream?.url.searchParams.get('pathPrefix')).toBe(`/${segment}/`);

      await replayRecord(pipeline, {
        'cs-uri-stem': `/${segment}/%3Cscript%3Ealert(2)%3C/script%3E.html`,
        'cs-user-agent': '%3Cimg%20src=x%20onerror=alert(1)%3E',
        'x-edge-request-id': `dashboard-${segment}`,
      });
      const row = page.locator(`[data-table="live-tail"] tbody tr[data-request-id="dashboard-${segment}"]`);
      await row.waitFor({ timeout: 10_000 });
      const cells = await row.locator('td').allTextContents();
      expect(cells).toContain(HOSTILE_USER_AGENT);
      expect(cells).toContain(`/${segment}/<script>alert(2)</script>.html`);
      expect(await page.$$eval('img', (images) => images.length)).toBe(0);
      expect(await page.$$eval('main script', (scripts) => scripts.length)).toBe(0);
      await page.waitForTimeout(1_000);
      expect(watch.dialogs).toEqual([]);
      await screenshot(page, 'live-tail-hostile-user-agent');
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('renders every view with real data and no console error', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);

      let states = await openView(page, '#/cache');
      expect(Object.values(states)).not.toContain('error');
      expect(await kpiNumber(page, 'requests')).toBeGreaterThan(0);
      expect(await kpiNumber(page, 'cacheHitRatio')).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="hit-ratio"] path.series', (p) => p.filter((e) => (e.getAttribute('d') ?? '').length > 10).length)).toBe(2);
      expect(await page.$$eval('[data-panel="result-mix-time"] path.layer', (p) => p.length)).toBeGreaterThan(1);
      for (const panel of ['result-mix', 'by-distribution', 'by-cacheBehavior', 'by-pop', 'by-contentClass', 'by-country']) {
        expect(await page.$$eval(`[data-panel="${panel}"] g.bar`, (b) => b.length), panel).toBeGreaterThan(0);
      }
      expect(await page.$$eval('[data-table="missed-uris"] tbody tr', (r) => r.length)).toBeGreaterThan(0);
      await screenshot(page, 'cache');

      let since = watch.requests.length;
      states = await openView(page, '#/geo');
      expect(Object.values(states)).not.toContain('error');
      // The geo-blocked chart ranks its countries by geo-blocked requests.
      const blockedCall = watch.apiRequests(since).find((r) => r.url.pathname === '/api/v1/stats/timeseries' && r.url.searchParams.get('metric') === 'geoBlocked');
      expect(blockedCall?.url.searchParams.get('rankBy')).toBe('geoBlocked');
      expect(await page.$$eval('[data-panel="geo-map"] path.country.drill', (c) => c.length)).toBeGreaterThan(5);
      expect(await page.$$eval('[data-table="countries"] tbody tr', (r) => r.length)).toBeGreaterThan(5);
      expect(await page.$$eval('[data-table="pops"] tbody tr', (r) => r.length)).toBeGreaterThan(5);
      await screenshot(page, 'geo');

      since = watch.requests.length;
      states = await openView(page, '#/performance');
      expect(Object.values(states)).not.toContain('error');
      expect(await kpiNumber(page, 'ttfbP95')).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="ttfb"] path.series', (p) => p.length)).toBe(3);
      expect(await page.$$eval('[data-panel="pop-country"] rect', (c) => c.length)).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="pop-country"] text', (t) => t.some((e) => /^\d+$/.test(e.textContent ?? '')))).toBe(true);
      expect(await page.$$eval('[data-panel="http-versions"] g.bar', (b) => b.length)).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="tls-versions"] g.bar', (b) => b.length)).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="tls-ciphers"] g.bar', (b) => b.length)).toBeGreaterThan(0);
      expect(await page.textContent('[data-panel="tls-ciphers"] svg')).toMatch(/\(TLSv1\.[23]\)/);
      // One call per latency chart for all three percentiles, one breakdown for the heatmap, no geo calls.
      const perfCalls = watch.apiRequests(since);
      const latencyCalls = perfCalls.filter((r) => r.url.pathname === '/api/v1/stats/timeseries' && /Ms$/.test(r.url.searchParams.get('metric') ?? ''));
      expect(new Set(latencyCalls.map((r) => r.url.searchParams.get('metric')))).toEqual(new Set(['ttfbMs', 'timeTakenMs', 'originLatencyMs']));
      expect(new Set(latencyCalls.map((r) => r.url.searchParams.get('percentile')))).toEqual(new Set(['p50,p95,p99']));
      expect(new Set(perfCalls.filter((r) => r.url.pathname === '/api/v1/stats/breakdown').map((r) => r.url.searchParams.get('by')))).toEqual(new Set(['pop,country', 'sslCipher,sslProtocol']));
      expect(perfCalls.filter((r) => r.url.pathname === '/api/v1/stats/geo')).toEqual([]);
      expect(states['error-causes']).toBe('ready');
      await screenshot(page, 'performance');

      states = await openView(page, '#/video');
      expect(Object.values(states)).not.toContain('error');
      expect(await kpiNumber(page, 'requests')).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="video-traffic"] path.series', (p) => p.length)).toBeGreaterThan(0);
      expect(await page.$$eval('[data-panel="formats"] g.bar', (b) => b.length)).toBeGreaterThan(0);
      // Playback quality from CMCD: sessions, bitrate distributions per format, formats table.
      expect(states.cmcd).toBe('ready');
      expect(await kpiNumber(page, 'sessions')).toBeGreaterThan(0);
      expect(await page.textContent('[data-kpi="meanBitrate"] .kpi-value')).toMatch(/(kbps|Mbps)$/);
      expect(await page.$$eval('[data-panel="cmcd"] figure.cmcd-bitrates g.bar', (b) => b.length)).toBeGreaterThan(0);
      expect(await page.$$eval('[data-table="cmcd-formats"] tbody tr', (r) => r.length)).toBeGreaterThan(0);
      expect(await page.textContent('[data-table="cmcd-formats"] tbody')).toMatch(/HLS|DASH/);
      await screenshot(page, 'video');

      states = await openView(page, '#/alerts');
      expect(Object.values(states)).not.toContain('error');
      expect(states['alerts-active']).toBe('ready');
      expect(await page.textContent('[data-alerts-status]')).toMatch(/^Rules (last evaluated|not evaluated)/);
      expect(await page.$$eval('[data-table="alert-rules"] tbody tr', (r) => r.length)).toBeGreaterThan(3);
      await screenshot(page, 'alerts');
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('changes the URL and the API requests with the time range, filters, drill-down, zoom and comparison', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    const statsCalls = (since: number) => watch.apiRequests(since).filter((r) => r.url.pathname.startsWith('/api/v1/stats/'));
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      // Keyboard: "2" opens the second view.
      await page.keyboard.press('2');
      await page.waitForFunction(() => location.hash.startsWith('#/cache'));
      await settle(page);

      let since = watch.requests.length;
      await page.click('[data-range="24h"]');
      await page.waitForFunction(() => location.hash.includes('range=24h'));
      await settle(page);
      // 24 hours on whole hours, so the rollups answer alone.
      const dayRanges = statsCalls(since).map((r) => [Date.parse(r.url.searchParams.get('from') ?? ''), Date.parse(r.url.searchParams.get('to') ?? '')] as const);
      expect(dayRanges.length).toBeGreaterThan(5);
      expect(dayRanges.every(([from, to]) => from % 3_600_000 === 0 && to - from === 86_400_000)).toBe(true);

      since = watch.requests.length;
      await page.selectOption('select[name="filter"]', 'country');
      await page.fill('input[name="value"]', 'us');
      await page.click('form.add-filter button[type=submit]');
      await page.waitForFunction(() => location.hash.includes('country=US'));
      await settle(page);
      expect(statsCalls(since).length).toBeGreaterThan(5);
      expect(statsCalls(since).every((r) => r.url.searchParams.get('country') === 'US')).toBe(true);
      expect(await page.textContent('[data-filter-chip="country"]')).toContain('US');

      // Drill-down from the keyboard: focus a POP bar, press Enter.
      since = watch.requests.length;
      const bar = page.locator('[data-panel="by-pop"] g.bar.drill').first();
      const pop = await bar.getAttribute('data-filter-value');
      await bar.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((p) => location.hash.includes(`pop=${p}`), pop);
      await settle(page);
      expect(statsCalls(since).every((r) => r.url.searchParams.get('pop') === pop && r.url.searchParams.get('country') === 'US')).toBe(true);
      await screenshot(page, 'cache-filtered');

      // Brush-to-zoom on the hit ratio chart.
      since = watch.requests.length;
      const chart = page.locator('[data-panel="hit-ratio"] svg.chart');
      await chart.scrollIntoViewIfNeeded();
      const box = await chart.boundingBox();
      const plot = await chart.evaluate((svg) => ({ left: Number(svg.getAttribute('data-plot-left')), width: Number(svg.getAttribute('data-plot-width')), top: Number(svg.getAttribute('data-plot-top')), height: Number(svg.getAttribute('data-plot-height')) }));
      if (box === null) throw new Error('the hit ratio chart has no box');
      const y = box.y + plot.top + plot.height / 2;
      // The last tenth of the day, where the traffic of this run is (the brush stops at the plot's edge).
      await page.mouse.move(box.x + plot.left + plot.width * 0.9, y);
      await page.mouse.down();
      await page.mouse.move(box.x + plot.left + plot.width * 0.95, y, { steps: 8 });
      await page.mouse.move(box.x + plot.left + plot.width * 1.05, y, { steps: 8 });
      await page.mouse.up();
      await page.waitForFunction(() => location.hash.includes('range=custom'));
      await settle(page);
      const spanOf = (r: { url: URL }): number => Date.parse(r.url.searchParams.get('to') ?? '') - Date.parse(r.url.searchParams.get('from') ?? '');
      const zoomed = statsCalls(since);
      expect(zoomed.length).toBeGreaterThan(0);
      expect(zoomed.filter((r) => !(spanOf(r) > 60_000 && spanOf(r) < 0.15 * 86_400_000)).map((r) => `${r.url.pathname}${r.url.search}`)).toEqual([]);
      expect(await kpiNumber(page, 'requests')).toBeGreaterThan(0);

      // Period comparison.
      since = watch.requests.length;
      await page.selectOption('[data-control="compare"]', '1d');
      await page.waitForFunction(() => location.hash.includes('compare=1d'));
      await settle(page);
      expect(statsCalls(since).some((r) => r.url.pathname === '/api/v1/stats/compare' && r.url.searchParams.get('previous') === '1d')).toBe(true);
      expect(await page.$$eval('.kpi-delta', (d) => d.length)).toBeGreaterThan(0);
      await screenshot(page, 'cache-zoomed-compared');

      // The URL reproduces the view: a new tab on the same link (which signs in again: the token
      // lives in the tab's sessionStorage only) shows the same.
      const link = page.url();
      const other = await context.newPage();
      await other.goto(link);
      await other.fill('#token', VIEWER_TOKEN);
      await other.click('form.login button[type=submit]');
      await other.waitForSelector('[data-view="cache"]');
      expect(other.url()).toBe(link);
      expect(await other.$eval('[data-control="compare"]', (s) => (s as HTMLSelectElement).value)).toBe('1d');
      expect(await other.textContent('[data-filter-chip="pop"]')).toContain(pop ?? '');
      await settle(other);
      await other.close();

      // Removing a filter takes it out of the URL; filters reach the live stream too.
      await page.click('[data-filter-chip="pop"]');
      await page.waitForFunction(() => !location.hash.includes('pop='));
      await settle(page);
      since = watch.requests.length;
      await page.keyboard.press('1');
      await page.waitForFunction(() => location.hash.startsWith('#/live'));
      await waitFor('the live stream request', () => watch.apiRequests(since).some((r) => r.url.pathname === '/api/v1/live'), 10_000);
      const live = watch.apiRequests(since).find((r) => r.url.pathname === '/api/v1/live');
      expect(live?.url.searchParams.get('country')).toBe('US');
      expect(live?.url.searchParams.get('from')).toBeNull();
      await page.waitForFunction(() => document.querySelector('[data-live-status]')?.textContent?.startsWith('Live: updated') === true, null, { timeout: 30_000 });
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('gives admins the configuration area, and works on a phone-sized screen', async () => {
    const admin = await newDashboardPage(browser);
    try {
      await signIn(admin.page, pipeline.url, ADMIN_TOKEN);
      expect(await admin.page.textContent('[data-role]')).toBe('admin');
      await admin.page.click('[data-view-link="config"]');
      await settle(admin.page);
      expect(await admin.page.$('.admin-zone')).not.toBeNull();
      expect(await admin.page.getAttribute('[data-panel="config-webhooks"]', 'data-state')).toMatch(/^(ready|empty)$/);
      const page = admin.page;
      expect(await page.getAttribute('[data-panel="config-log-configs"]', 'data-state')).toBe('ready');
      await page.waitForSelector('[data-table="config-distributions"] tbody tr');
      await screenshot(page, 'config-admin');

      // Edit a distribution: the dry run shows the diff, nothing changes until Apply.
      const row = page.locator('[data-table="config-distributions"] tbody tr').first();
      const id = await row.getAttribute('data-key');
      await row.locator('[data-action="edit"]').click();
      const form = page.locator('[data-panel="config-distribution-editor"] form[data-form="distribution"]');
      await form.waitFor();
      const comment = `edited ${crypto.randomBytes(3).toString('hex')}`;
      await form.locator('input[name="comment"]').fill(comment);
      await form.locator('[data-action="review-change"]').click();
      const diffRow = page.locator('[data-table="config-diff"] tbody tr', { hasText: 'comment' });
      await diffRow.waitFor({ timeout: 30_000 });
      expect(await diffRow.textContent()).toContain(comment);
      expect(admin.watch.apiRequests().some((r) => r.url.pathname === `/api/v1/distributions/${id}` && r.url.searchParams.get('dryRun') === 'true')).toBe(true);
      expect(await page.textContent('[data-table="config-distributions"]')).not.toContain(comment);
      await screenshot(page, 'config-distribution-diff');
      await page.click('[data-action="apply-change"]');
      await page.waitForSelector('[data-change-applied]', { timeout: 30_000 });
      expect(await page.textContent('[data-change-applied]')).toMatch(/^Applied \d+ change/);
      await page.waitForFunction((c) => document.querySelector('[data-table="config-distributions"]')?.textContent?.includes(c) === true, comment, { timeout: 30_000 });

      // A new distribution with an origin that is no domain: the API's 400 shows next to that field.
      await admin.watch.expecting([/status of 400/], async () => {
        await page.click('[data-action="new-distribution"]');
        const create = page.locator('[data-panel="config-distribution-editor"] form[data-form="distribution"]');
        await create.locator('input[name="originDomain"]').fill('not a domain');
        await create.locator('[data-action="review-change"]').click();
        await page.waitForFunction(() => (document.querySelector('[data-field-error="originDomain"]')?.textContent ?? '') !== '', null, { timeout: 30_000 });
      });
      expect(await page.textContent('[data-field-error="originDomain"]')).toContain('not a domain');
      expect(await page.$('[data-table="config-diff"]')).toBeNull();
      await screenshot(page, 'config-field-error');

      // The change is a marker on the time charts.
      await openView(page, '#/cache');
      expect(await page.$$eval('[data-panel="hit-ratio"] g.marker', (m) => m.length)).toBeGreaterThan(0);
      expectClean(admin.watch);
    } finally {
      await admin.context.close();
    }

    const phone = await newDashboardPage(browser, { width: 390, height: 844 });
    try {
      await signIn(phone.page, pipeline.url, VIEWER_TOKEN);
      await phone.page.waitForFunction(() => document.querySelectorAll('[data-table="live-tail"] tbody tr').length > 0, null, { timeout: 30_000 });
      // Nothing wider than the screen but the tables, which scroll inside their panel.
      await phone.page.waitForFunction(() => document.querySelectorAll('[data-panel="live-map"] path.country.drill').length > 0, null, { timeout: 30_000 });
      await phone.page.waitForTimeout(5_000);
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      await screenshot(phone.page, 'live-phone');
      await openView(phone.page, '#/cache');
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
      await screenshot(phone.page, 'cache-phone');
      expectClean(phone.watch);
    } finally {
      await phone.context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('shows the API refusing a filter, naming the parameter, in each panel', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      const states = await watch.expecting([/status of 400/], () => openView(page, '#/geo?status=abc'));
      expect(Object.values(states).every((state) => state === 'error')).toBe(true);
      expect(await page.textContent('[data-panel="countries"] .state-error')).toContain('parameter “status”');
      expect(await page.$$eval('[data-panel] .state-error button', (b) => b.length)).toBeGreaterThan(0);
      await screenshot(page, 'error-state');
      // Removing the filter brings the data back.
      await page.click('[data-filter-chip="status"]');
      await page.waitForFunction(() => !location.hash.includes('status='));
      expect(Object.values(await settle(page))).not.toContain('error');
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);

  it('runs under a Content-Security-Policy that blocks inline scripts', async () => {
    const response = await fetch(`${pipeline.url}/`);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      const ran = await watch.expecting([/Content Security Policy/], async () => {
        await page.evaluate(() => {
          const script = document.createElement('script');
          script.textContent = 'window.inlineScriptRan = true';
          document.body.appendChild(script);
        });
        await page.waitForTimeout(300);
        return page.evaluate(() => (window as unknown as { inlineScriptRan?: boolean }).inlineScriptRan === true);
      });
      expect(ran).toBe(false);
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);
});
