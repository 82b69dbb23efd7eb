/**
 * The imports view in a real browser (Debian's chromium via playwright-core) against the real
 * product (startPipeline, embedded Kinesis and ClickHouse, the dashboard built by vite): imports
 * started through POST /api/v1/imports show on the landing view's banner and in the imports view,
 * running and then finished with their line count; the view asks again while one runs and stops
 * once none does; paths and errors holding markup stay text.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobStatus } from '../../api/imports/import-schemas.js';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';
import { buildDashboard } from '../../dashboard/build/build-dashboard.js';
import { realtimeLines, standardLog } from '../import/import-fixtures.js';
import { browserTestsRun, launchChromium, newDashboardPage, openView, screenshot, signIn, type PageWatch } from './browser-kit.js';

const HTTP_PORT = 47900;
const KINESIS_PORT = 47901;
const VIEWER_TOKEN = `imports-viewer-${crypto.randomBytes(12).toString('hex')}`;
const ADMIN_TOKEN = `imports-admin-${crypto.randomBytes(12).toString('hex')}`;
const STEP_TIMEOUT_MS = 300_000;
const HOSTILE = '<img src=x onerror=alert(1)>';
const HOUR_MS = 3_600_000;
// Large enough to run for seconds (the view sees it running), made of a few distinct lines repeated.
const DISTINCT_LINES = 2_000;
const REPEATS = 75;
const LINES = DISTINCT_LINES * REPEATS;

function expectClean(watch: PageWatch): void {
  expect(watch.errors, 'console errors').toEqual([]);
  expect(watch.dialogs, 'dialogs (a script ran)').toEqual([]);
  for (const request of watch.apiRequests()) {
    expect(request.authorization, `${request.url.pathname} without a bearer header`).toMatch(/^Bearer \S+$/);
    expect(request.url.href).not.toContain(VIEWER_TOKEN);
  }
}

async function startImport(baseUrl: string, inputs: readonly string[]): Promise<ImportJobStatus> {
  const response = await fetch(`${baseUrl}/api/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  return (await response.json()) as ImportJobStatus;
}

async function importStatus(baseUrl: string, id: string): Promise<ImportJobStatus> {
  const response = await fetch(`${baseUrl}/api/v1/imports/${id}`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  return (await response.json()) as ImportJobStatus;
}

/** The text of one cell of a job's row in the imports table. */
function cell(page: Page, id: string, column: string): Promise<string | null> {
  return page.textContent(`[data-table="imports"] tr[data-import-id="${id}"] td[data-col="${column}"]`);
}

function importsRequests(watch: PageWatch, since = 0): number {
  return watch.apiRequests(since).filter((r) => r.url.pathname === '/api/v1/imports').length;
}

describe.runIf(browserTestsRun())('imports in the dashboard (chromium)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-imports-ui-'));
  const dataDir = path.join(dir, 'data');
  // Paths are whatever the importer was given: this folder's name is markup.
  const hostileDir = path.join(dir, HOSTILE);
  let logFile: string;
  let pipeline: RunningPipeline;
  let browser: Browser;

  beforeAll(async () => {
    await buildDashboard();
    fs.mkdirSync(hostileDir, { recursive: true });
    const hourMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
    const distinct = realtimeLines(DISTINCT_LINES, hourMs + HOUR_MS - 1000, HOUR_MS - 2000, 5);
    const lines = Array.from({ length: REPEATS }, () => distinct).flat();
    logFile = path.join(hostileDir, `EIMPORTUI0001.${new Date(hourMs).toISOString().slice(0, 13).replace('T', '-')}.u1.gz`);
    fs.writeFileSync(logFile, zlib.gzipSync(standardLog(lines), { level: 1 }));
    const config = loadConfig({
      EDGEWATCH_DATA_DIR: dataDir,
      PORT: String(HTTP_PORT),
      EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
      EDGEWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
      EDGEWATCH_VIEWER_TOKENS: VIEWER_TOKEN,
      EDGEWATCH_SIMULATOR: 'false',
      EDGEWATCH_LOG_LEVEL: 'warn',
    });
    pipeline = await startPipeline(config, createLogger('warn'));
    browser = await launchChromium();
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows imports running, then finished with their line count, to viewers; markup in paths and errors stays text', async () => {
    const { context, page, watch } = await newDashboardPage(browser);
    try {
      await signIn(page, pipeline.url, VIEWER_TOKEN);
      expect(await page.$$eval('[data-view-link]', (links) => links.map((l) => l.getAttribute('data-view-link')))).toContain('imports');
      const before = await openView(page, '#/imports');
      expect(before).toEqual({ imports: 'empty' });
      expect(await page.textContent('[data-panel="imports"]')).toContain('No import has run');
      // The controls of traffic views (time range, filters) do not apply here.
      expect(await page.isHidden('.controls')).toBe(true);

      // An import starts; the landing view says so and links to the imports view.
      const job = await startImport(pipeline.url, [logFile]);
      expect(job.state).toBe('running');
      await page.evaluate(() => {
        location.hash = '#/live';
      });
      await page.waitForSelector('[data-imports-banner]:not([hidden])', { timeout: 30_000 });
      expect(await page.textContent('[data-imports-banner]')).toBe('1 import running');
      await screenshot(page, 'imports-banner');
      await page.click('[data-imports-banner] a');
      await page.waitForSelector(`[data-table="imports"] tr[data-import-id="${job.id}"]`, { timeout: 30_000 });
      expect(page.url()).toContain('#/imports');
      const seenState = await page.getAttribute(`tr[data-import-id="${job.id}"]`, 'data-import-state');
      expect(seenState).toBe('running');
      expect(await cell(page, job.id, 'state')).toBe('running');
      expect(await page.getAttribute('[data-imports-status]', 'data-imports-status')).toBe('polling');
      await screenshot(page, 'imports-running');

      // A second import of a path that does not exist fails, with the reason; both show.
      const missing = await startImport(pipeline.url, [path.join(hostileDir, `${HOSTILE}.gz`)]);
      await page.click('[data-action="refresh-imports"]');
      await page.waitForSelector(`tr[data-import-id="${missing.id}"][data-import-state="failed"]`, { timeout: 60_000 });
      expect(await page.textContent(`[data-import-errors="${missing.id}"]`)).toContain(`${HOSTILE}.gz`);

      // No click: the view asks again while the import runs, until it is done.
      await page.waitForSelector(`tr[data-import-id="${job.id}"][data-import-state="succeeded"]`, { timeout: 240_000 });
      expect(await cell(page, job.id, 'lines')).toBe(LINES.toLocaleString('en-US'));
      expect(await cell(page, job.id, 'dead-letters')).toBe('0');
      expect(await cell(page, job.id, 'objects')).toBe('1 / 1');
      expect(await cell(page, job.id, 'state')).toBe('done');
      expect(await cell(page, job.id, 'time-left')).toBe('—');
      expect(await page.textContent(`tr[data-import-id="${job.id}"] [data-rate="lines"]`)).toMatch(/^[\d,]+\u00a0lines\/s$/);
      expect(await page.textContent(`tr[data-import-id="${job.id}"] [data-rate="bytes"]`)).toMatch(/^[\d.]+\u00a0[kMG]?B\/s$/);
      expect(await cell(page, job.id, 'finished')).not.toBe('—');
      expect((await importStatus(pipeline.url, job.id)).progress.lines).toBe(LINES);

      // Finished ones by when they finished: the long import after the one that failed at once.
      const order = await page.$$eval('[data-table="imports"] tr[data-import-id]', (rows) => rows.map((r) => r.getAttribute('data-import-id')));
      expect(order).toEqual([job.id, missing.id]);

      // The paths are text: as written (shortened from the start in the cell, whole in its title), and no image was made of them.
      const inputsOf = (id: string): Promise<{ text: string; title: string | null }[]> =>
        page.$$eval(`tr[data-import-id="${id}"] [data-col="inputs"] li`, (items) => items.map((li) => ({ text: li.textContent ?? '', title: li.getAttribute('title') })));
      const [done] = await inputsOf(job.id);
      expect(done?.title).toBe(logFile);
      expect(logFile.endsWith((done?.text ?? '').replace(/^…/, ''))).toBe(true);
      const [failed] = await inputsOf(missing.id);
      expect(failed?.text.endsWith(`/${HOSTILE}.gz`), failed?.text).toBe(true);
      expect(await page.$$('[data-table="imports"] img')).toHaveLength(0);
      expect(await page.textContent('[data-imports-status]')).toContain('no import is running');
      await screenshot(page, 'imports-finished');

      // With none running, the view stops asking.
      const asked = watch.requests.length;
      await page.waitForTimeout(5_000);
      expect(importsRequests(watch, asked)).toBe(0);
      expect(await page.getAttribute('[data-imports-status]', 'data-imports-status')).toBe('idle');
      expectClean(watch);
    } finally {
      await context.close();
    }
  }, STEP_TIMEOUT_MS);
});
