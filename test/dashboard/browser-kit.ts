/**
 * Browser-test helpers: Debian's chromium driven by playwright-core (never a downloaded browser),
 * a watch on what a page logs, asks and requests, and a CloudFront line replayed into the running
 * product's stream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningPipeline } from '../../cli/pipeline.js';
import { streamLogConfig } from '../../cli/stream-log-config.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { createLineConverter, replayLines } from '../../ingest/replay/replay.js';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';

export const CHROMIUM_PATH = process.env.EDGEWATCH_CHROMIUM ?? '/usr/bin/chromium';
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'dashboard');

/** Outside CI a missing chromium skips the browser tests (loudly); in CI they run and fail. */
export function browserTestsRun(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') return true;
  console.warn(`\n*** SKIPPING the dashboard browser tests: no chromium at ${CHROMIUM_PATH} (apt-get install chromium; CI installs it and never skips) ***\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface SeenRequest {
  readonly url: URL;
  readonly authorization: string | undefined;
}

/** Console errors, uncaught errors, dialogs and requests of a page, with a way to expect some errors. */
export class PageWatch {
  readonly errors: string[] = [];
  readonly dialogs: string[] = [];
  readonly requests: SeenRequest[] = [];
  #expected: RegExp[] = [];

  constructor(readonly page: Page) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (!this.#expected.some((pattern) => pattern.test(text))) this.errors.push(text);
    });
    page.on('pageerror', (error) => this.errors.push(`uncaught: ${error.message}`));
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => this.requests.push({ url: new URL(request.url()), authorization: request.headers().authorization }));
  }

  /** Runs `step` with console errors matching `patterns` expected (e.g. the 401 of a refused token). */
  async expecting<T>(patterns: readonly RegExp[], step: () => Promise<T>): Promise<T> {
    this.#expected = [...patterns];
    try {
      return await step();
    } finally {
      this.#expected = [];
    }
  }

  apiRequests(since = 0): SeenRequest[] {
    return this.requests.slice(since).filter((r) => r.url.pathname.startsWith('/api/'));
  }
}

export async function newDashboardPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  return { context, page, watch: new PageWatch(page) };
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.fill('#token', token);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('[data-view]');
}

/** Goes to a view (with optional query), waits until no panel is loading, and returns panel states. */
export async function openView(page: Page, hash: string, timeoutMs = 120_000): Promise<Record<string, string>> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForFunction((h) => location.hash.startsWith(h.split('?')[0] ?? h), hash);
  return settle(page, timeoutMs);
}

/** Waits until every panel of the current view has loaded (or failed); returns their states. */
export async function settle(page: Page, timeoutMs = 120_000): Promise<Record<string, string>> {
  await page.waitForSelector('[data-panel]');
  await page.waitForFunction(() => document.querySelectorAll('[data-panel][data-state="loading"], [data-panel][aria-busy="true"]').length === 0, null, { timeout: timeoutMs });
  return page.$$eval('[data-panel]', (panels) => Object.fromEntries(panels.map((p) => [p.getAttribute('data-panel') ?? '', p.getAttribute('data-state') ?? ''])));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The number in a KPI's text ("1,234 req/s" → 1234). */
export async function kpiNumber(page: Page, key: string): Promise<number> {
  const text = await page.textContent(`[data-kpi="${key}"] .kpi-value`);
  return Number((text ?? '').replace(/[^0-9.]/g, ''));
}

// The reference lines were logged with fields 1–41 except s-ip.
const REFERENCE_LAYOUT = layoutOf(FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name));
const REFERENCE_LINE = fs.readFileSync(path.join(ROOT, 'test/fixtures/reference-records.tsv'), 'utf8').split('\n')[0] ?? '';

/** Writes one real CloudFront line, logged now, into the product's stream, with the given fields (log-encoded). */
export async function replayRecord(pipeline: RunningPipeline, fields: Readonly<Record<string, string>>): Promise<void> {
  const values = REFERENCE_LINE.split('\t');
  const set = (name: string, value: string): void => {
    const at = REFERENCE_LAYOUT.names.indexOf(name);
    if (at < 0) throw new Error(`the reference layout has no field ${name}`);
    values[at] = value;
  };
  set('timestamp', (Date.now() / 1000).toFixed(3));
  for (const [name, value] of Object.entries(fields)) set(name, value);
  const endpoint = pipeline.localKinesisEndpoint;
  if (endpoint === null) throw new Error('the pipeline runs no local Kinesis');
  const client = createKinesisClient({ region: pipeline.config.kinesis.region, endpoint });
  try {
    const summary = await replayLines({
      input: [values.join('\t')],
      convert: createLineConverter(REFERENCE_LAYOUT, layoutOf(streamLogConfig(pipeline.config).fields)),
      sink: new KinesisRecordWriter({ client, streamName: pipeline.config.kinesis.streamName }),
    });
    if (summary.lines !== 1) throw new Error(`the replayed line was not written: ${JSON.stringify(summary)}`);
  } finally {
    client.destroy();
  }
}
