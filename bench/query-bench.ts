/**
 * Query latency of the stats API over the generated store (generate-requests.ts: BENCH_QUERY_ROWS
 * rows, default 100 million, over 30 days), through the whole pipeline as `npm start` runs it: the
 * simulator feeds local Kinesis at its default rate while the API answers. Printed one figure per
 * line, per route and filter, over the last 30 days as the dashboard asks for them: 30 calendar days
 * (UTC) ending with today (dashboard/src/state/time-range.ts), which the day rollups answer alone. The
 * `_whole_hours` cases ask for the 30 days ending at the end of the current hour, as a script on whole
 * hours might (hour and day rollups answer); the `_exact_range` cases for the last 30 days to the
 * second (raw rows and minute rollups answer the partial minutes and hours at both ends). Compare: the
 * last 7 days against the 7 before.
 *
 *   query_p50_ms_<case>, query_p95_ms_<case>      BENCH_QUERY_REQUESTS sequential requests (default 50)
 *                                                 after 3 warm-up ones; wall time of the HTTP request
 *   query_p95_ms_<case>_at_<rate>_per_s           the same while the simulator writes BENCH_QUERY_HIGH_RATE
 *                                                 records/s (default 5000)
 *   query_p95_delta_ms_<case>                     the difference: what heavy ingest costs a query in
 *                                                 embedded mode, where inserts and queries share one engine
 *   ingest_records_per_s_default, ingest_records_per_s_at_<rate>_per_s
 *                                                 records stored per second while the queries ran
 *   load_average_1m_default, load_average_1m_at_<rate>_per_s
 *                                                 the machine's load after each pass
 *   bench_store_generation_rows_per_s             when rows were generated this run (generate-requests.ts)
 *
 * A route that /openapi.json does not list prints `skipped (route missing)`. Which plan answered
 * (rollup or raw, and its tables) goes to stderr.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../cli/config.js';
import { pino } from 'pino';
import { startPipeline, type RunningPipeline } from '../cli/pipeline.js';
import { RANGE_PRESETS, resolveRange } from '../dashboard/src/state/time-range.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { BENCH_DATABASE, BENCH_RETENTION, benchStoreSettings, ensureRequestStore } from './generate-requests.js';

const HTTP_PORT = 47811;
const KINESIS_PORT = 47810;
const REQUESTS = Number(process.env.BENCH_QUERY_REQUESTS ?? 50);
const WARM_UP = 3;
const HIGH_RATE = Number(process.env.BENCH_QUERY_HIGH_RATE ?? 5000);
/** A case stops early when its requests take longer than this in total (a slow raw plan). */
const CASE_BUDGET_MS = Number(process.env.BENCH_QUERY_CASE_BUDGET_S ?? 60) * 1000;
/** Time the pipeline gets to reach a steady state after the rate changes. */
const SETTLE_MS = 20_000;

interface QueryCase {
  readonly name: string;
  readonly route: string;
  readonly query: Record<string, string>;
  /** The dashboard's preset the range is (default 30d). */
  readonly preset?: '7d' | '30d';
  /**
   * The range: the dashboard's for the preset (default), the preset's length ending at the end of the
   * current hour, or ending now to the second.
   */
  readonly range?: 'dashboard' | 'wholeHours' | 'exact';
}

interface CaseResult {
  readonly p50: number;
  readonly p95: number;
  readonly samples: number;
  readonly plan: string;
}

type Outcome = CaseResult | { readonly skipped: string };

function print(name: string, value: number | string, digits = 1): void {
  process.stdout.write(`${name} ${typeof value === 'number' ? value.toFixed(digits) : value}\n`);
}

function note(line: string): void {
  process.stderr.write(`# ${line}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  // Nearest rank: the value at or below which p % of the samples lie.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** The filter of every rollup dimension, with a value the store holds. */
function rollupFilters(pop: string): Array<[string, string]> {
  const web = DEMO_DISTRIBUTIONS.find((d) => d.profile === 'web') ?? DEMO_DISTRIBUTIONS[0]!;
  return [
    ['country', 'US'],
    ['pop', pop],
    ['cacheStatus', 'hit'],
    ['statusClass', '2xx'],
    ['contentClass', 'image'],
    ['cacheBehavior', '/images/*'],
    ['distribution', web.id],
  ];
}

function queryCases(pop: string): QueryCase[] {
  const cases: QueryCase[] = [];
  for (const route of ['summary', 'timeseries']) {
    cases.push({ name: route, route: `/api/v1/stats/${route}`, query: {} });
    for (const [name, value] of rollupFilters(pop)) cases.push({ name: `${route}_${name}`, route: `/api/v1/stats/${route}`, query: { [name]: value } });
  }
  cases.push({ name: 'summary_whole_hours', route: '/api/v1/stats/summary', query: {}, range: 'wholeHours' });
  cases.push({ name: 'timeseries_whole_hours', route: '/api/v1/stats/timeseries', query: {}, range: 'wholeHours' });
  cases.push({ name: 'summary_exact_range', route: '/api/v1/stats/summary', query: {}, range: 'exact' });
  cases.push({ name: 'timeseries_exact_range', route: '/api/v1/stats/timeseries', query: {}, range: 'exact' });
  cases.push({ name: 'top_country', route: '/api/v1/stats/top', query: { dimension: 'country' } });
  cases.push({ name: 'top_uri', route: '/api/v1/stats/top', query: { dimension: 'uri' } });
  cases.push({ name: 'geo', route: '/api/v1/stats/geo', query: {} });
  // The compared periods may not overlap: the last 7 days against the 7 before.
  cases.push({ name: 'compare', route: '/api/v1/stats/compare', query: { previous: '7d' }, preset: '7d' });
  return cases;
}

function planOf(body: unknown): string {
  const b = body as { plan?: unknown; tables?: unknown; current?: { plan?: unknown; tables?: unknown } };
  const source = typeof b.plan === 'string' ? b : (b.current ?? {});
  const tables = Array.isArray(source.tables) ? source.tables.join('+') : '?';
  return typeof source.plan === 'string' ? `${source.plan} (${tables})` : 'not reported';
}

/** The range of a case at `nowMs`: the dashboard's for its preset, or the preset's length to the hour or second. */
function rangeOf(c: QueryCase, nowMs: number): { from: string; to: string } {
  const preset = c.preset ?? '30d';
  if (c.range === undefined || c.range === 'dashboard') {
    const resolved = resolveRange({ kind: 'preset', preset }, nowMs);
    return { from: String(resolved.fromMs), to: String(resolved.toMs) };
  }
  const toMs = c.range === 'wholeHours' ? Math.ceil(nowMs / 3_600_000) * 3_600_000 : Math.floor(nowMs / 1000) * 1000;
  return { from: String(toMs - RANGE_PRESETS[preset]), to: String(toMs) };
}

async function measure(baseUrl: string, token: string, routes: ReadonlySet<string>, c: QueryCase, nowMs: number): Promise<Outcome> {
  if (!routes.has(c.route)) return { skipped: 'skipped (route missing)' };
  const range = rangeOf(c, nowMs);
  const url = `${baseUrl}${c.route}?${new URLSearchParams({ ...range, ...c.query }).toString()}`;
  const headers = { authorization: `Bearer ${token}` };
  const times: number[] = [];
  let plan = 'not reported';
  const started = performance.now();
  for (let i = 0; i < WARM_UP + REQUESTS; i++) {
    const t0 = performance.now();
    const response = await fetch(url, { headers });
    const body: unknown = await response.json();
    const ms = performance.now() - t0;
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } }).error;
      return { skipped: `failed (HTTP ${response.status} ${error?.code ?? ''}: ${error?.message ?? JSON.stringify(body).slice(0, 200)})` };
    }
    plan = planOf(body);
    if (i >= WARM_UP) times.push(ms);
    if (performance.now() - started > CASE_BUDGET_MS && times.length >= 5) break;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), samples: sorted.length, plan };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs every case once; returns the results by case name and the ingest rate meanwhile. */
async function runCases(pipeline: RunningPipeline, token: string, routes: ReadonlySet<string>, cases: readonly QueryCase[], label: string) {
  const now = Date.now();
  const results = new Map<string, Outcome>();
  const records0 = pipeline.processor.counts().records;
  const t0 = performance.now();
  for (const c of cases) {
    const outcome = await measure(pipeline.url, token, routes, c, now);
    results.set(c.name, outcome);
    if ('skipped' in outcome) note(`${label} ${c.name}: ${outcome.skipped}`);
    else note(`${label} ${c.name}: plan ${outcome.plan}, ${outcome.samples} requests`);
  }
  const ingestPerS = (pipeline.processor.counts().records - records0) / ((performance.now() - t0) / 1000);
  return { results, ingestPerS };
}

async function main(): Promise<void> {
  const { rows, dataDir } = benchStoreSettings();
  const store = await ensureRequestStore({ rows, dataDir });
  print('bench_store_rows', store.rowsInWindow, 0);
  print('bench_store_generation_s', store.generationS, 0);
  if (store.rowsAdded > 0) print('bench_store_generation_rows_per_s', store.rowsPerS, 0);
  print('bench_store_disk_mb', store.diskBytes / 1_048_576, 0);

  // A fresh local stream each run: the store keeps the rows, not the previous run's Kinesis state.
  fs.rmSync(path.join(dataDir, 'kinesis'), { recursive: true, force: true });
  fs.rmSync(path.join(dataDir, 'checkpoints'), { recursive: true, force: true });
  const token = crypto.randomBytes(24).toString('base64url');
  const config = loadConfig({
    EDGEWATCH_DATA_DIR: dataDir,
    EDGEWATCH_CLICKHOUSE_DATABASE: BENCH_DATABASE,
    PORT: String(HTTP_PORT),
    EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
    EDGEWATCH_ADMIN_TOKEN: token,
    // The bench measures queries, not the rate limiter.
    EDGEWATCH_RATE_LIMIT_PER_MINUTE: '1000000',
    EDGEWATCH_RAW_TTL_DAYS: String(BENCH_RETENTION.rawTtlDays),
    EDGEWATCH_MINUTE_ROLLUP_TTL_DAYS: String(BENCH_RETENTION.minuteTtlDays),
    EDGEWATCH_HOUR_ROLLUP_TTL_DAYS: String(BENCH_RETENTION.hourTtlDays),
    EDGEWATCH_LOG_LEVEL: 'warn',
  });
  // Warnings go to stderr, so stdout holds only the figures.
  const pipeline = await startPipeline(config, pino({ level: 'warn', base: undefined }, pino.destination(2)));
  try {
    const simulator = pipeline.simulator!;
    await waitFor('ingest', () => pipeline.processor.counts().records > 0, 60_000);
    const spec = (await (await fetch(`${pipeline.url}/openapi.json`)).json()) as { paths?: Record<string, unknown> };
    const routes = new Set(Object.keys(spec.paths ?? {}));
    const [top] = await pipeline.clickhouse.query<{ pop: string }>(
      `SELECT pop_code AS pop FROM ${BENCH_DATABASE}.requests WHERE timestamp >= now() - INTERVAL 1 DAY GROUP BY pop ORDER BY count() DESC LIMIT 1`,
    );
    const cases = queryCases(top?.pop ?? 'IAD');

    const normal = await runCases(pipeline, token, routes, cases, `default rate (${simulator.stats().ratePerSecond}/s)`);
    for (const c of cases) {
      const r = normal.results.get(c.name)!;
      if ('skipped' in r) {
        print(`query_p95_ms_${c.name}`, r.skipped);
        continue;
      }
      print(`query_p50_ms_${c.name}`, r.p50);
      print(`query_p95_ms_${c.name}`, r.p95);
    }
    print('ingest_records_per_s_default', normal.ingestPerS, 0);
    // Other work on the machine moves every figure; the load while the queries ran says how much.
    print('load_average_1m_default', os.loadavg()[0]!, 2);

    simulator.setRate(HIGH_RATE);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const high = await runCases(pipeline, token, routes, cases, `high rate (${HIGH_RATE}/s)`);
    for (const c of cases) {
      const before = normal.results.get(c.name)!;
      const after = high.results.get(c.name)!;
      if ('skipped' in after) {
        print(`query_p95_ms_${c.name}_at_${HIGH_RATE}_per_s`, after.skipped);
        continue;
      }
      print(`query_p95_ms_${c.name}_at_${HIGH_RATE}_per_s`, after.p95);
      if (!('skipped' in before)) print(`query_p95_delta_ms_${c.name}`, after.p95 - before.p95);
    }
    print(`ingest_records_per_s_at_${HIGH_RATE}_per_s`, high.ingestPerS, 0);
    print(`load_average_1m_at_${HIGH_RATE}_per_s`, os.loadavg()[0]!, 2);
  } finally {
    await pipeline.stop();
  }
}

await main();
