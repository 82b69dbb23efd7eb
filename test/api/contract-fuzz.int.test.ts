/**
 * The API fuzzed from its own contract: the whole pipeline runs (simulator → local Kinesis →
 * embedded ClickHouse → API) and schemathesis (scripts/schemathesis.mjs) sends generated and
 * malformed requests to every operation `/openapi.json` lists. Any finding fails the test with
 * schemathesis' report: a 5xx, an undocumented status or content type, a response that does not
 * match its schema, a malformed request that is accepted, a secured route answering without a token.
 *
 * Needs python3 with venv (schemathesis is installed once into .cache/schemathesis/). Under CI it
 * never skips; elsewhere it skips, saying so, when python3 is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';

const HARNESS = path.resolve(import.meta.dirname, '../../scripts/schemathesis.mjs');
const HTTP_PORT = 46500;
const KINESIS_PORT = 46501;
const BROKEN_APP_PORT = 46502;
const INSTALL_TIMEOUT_MS = 300_000;
const FUZZ_TIMEOUT_MS = 600_000;

const inCi = process.env.CI === 'true';
const hasPython = spawnSync('python3', ['--version']).status === 0;
const skip = !hasPython && !inCi;
if (skip) console.warn('SKIPPED test/api/contract-fuzz.int.test.ts: python3 is not installed, so the API contract is not fuzzed');

interface HarnessRun {
  readonly code: number | null;
  readonly output: string;
}

/** Runs the harness, collecting stdout and stderr in order. */
function runHarness(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<HarnessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARNESS, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * schemathesis' own crashes (a "Runtime Error" inside hypothesis, with no failure found) say nothing
 * about the API: such a run is repeated once. Findings are never retried.
 */
function isToolCrashOnly(run: HarnessRun): boolean {
  return run.code !== 0 && /Runtime Error/.test(run.output) && !/unique failures?\b/.test(run.output);
}

async function runHarnessRetryingToolCrash(args: readonly string[], env: NodeJS.ProcessEnv): Promise<HarnessRun> {
  const first = await runHarness(args, env);
  if (!isToolCrashOnly(first)) return first;
  console.warn(`schemathesis crashed without a finding; running it once more:\n${first.output.slice(-4000)}`);
  return runHarness(args, env);
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Operations in an OpenAPI document: one per path and HTTP method. */
function operationCount(spec: { paths?: Record<string, Record<string, unknown>> }): number {
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  return Object.values(spec.paths ?? {}).reduce((n, item) => n + Object.keys(item).filter((m) => methods.has(m)).length, 0);
}

/** Operations scripts/schemathesis.toml turns off: creating or changing alert webhooks, starting an import. */
function excludedOperations(spec: { paths?: Record<string, Record<string, unknown>> }): number {
  const webhooks = Object.entries(spec.paths ?? {})
    .filter(([p]) => p.startsWith('/api/v1/alerts/webhooks'))
    .reduce((n, [, item]) => n + Object.keys(item).filter((m) => ['post', 'put', 'patch'].includes(m)).length, 0);
  return webhooks + (spec.paths?.['/api/v1/imports']?.post === undefined ? 0 : 1);
}

/** "Tested: N" from the summary schemathesis prints. */
function testedOperations(output: string): number {
  const match = /^\s*Tested:\s*(\d+)/m.exec(output);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

describe.skipIf(skip)('API contract fuzzing (schemathesis)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-fuzz-'));
  const token = crypto.randomBytes(24).toString('base64url');
  let pipeline: RunningPipeline | undefined;
  let brokenApp: FastifyInstance | undefined;

  beforeAll(async () => {
    const install = await runHarness(['--install-only']);
    if (install.code !== 0) throw new Error(`schemathesis could not be installed (exit ${install.code}):\n${install.output}`);
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    await brokenApp?.close();
    await pipeline?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a server error and a response off its schema in an app that has them', async () => {
    // Proves the harness reports what it is meant to catch, so a pass below means something.
    brokenApp = Fastify();
    await brokenApp.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'broken', version: '1' } } });
    brokenApp.get('/openapi.json', { schema: { hide: true } }, () => brokenApp!.swagger());
    brokenApp.get(
      '/api/v1/broken',
      {
        schema: {
          querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 } } },
          response: {
            200: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
            400: { type: 'object', properties: { message: { type: 'string' } } },
          },
        },
      },
      async (request, reply) => {
        const { limit } = request.query as { limit?: number };
        if (limit !== undefined && limit > 50) throw new Error('limit over 50 breaks this app');
        // Sent raw, so the response schema does not coerce it: a string where an integer is documented.
        return reply.type('application/json').serializer((v) => JSON.stringify(v)).send({ n: 'many' });
      },
    );
    await brokenApp.listen({ host: '127.0.0.1', port: BROKEN_APP_PORT });
    const run = await runHarness(['--url', `http://127.0.0.1:${BROKEN_APP_PORT}`, '--max-examples', '10'], { EDGEWATCH_FUZZ_TOKEN: 'unused' });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/Server error/);
    expect(run.output).toMatch(/Response violates schema/);
  }, FUZZ_TIMEOUT_MS);

  it('answers every generated and malformed request within its contract', async () => {
    const config = loadConfig({
      EDGEWATCH_DATA_DIR: dataDir,
      PORT: String(HTTP_PORT),
      EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
      EDGEWATCH_ADMIN_TOKEN: token,
      // The fuzzer sends far more than a person would; throttling would hide the answers under test.
      EDGEWATCH_RATE_LIMIT_PER_MINUTE: '1000000',
      EDGEWATCH_BATCH_MAX_AGE_MS: '500',
      EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
      EDGEWATCH_LOG_LEVEL: 'warn',
    });
    pipeline = await startPipeline(config, createLogger('warn'));
    const running = pipeline;
    // Data in every table before the first request, so queries run over real rows.
    await waitFor('stored traffic', () => running.processor.counts().records >= 500);

    const specResponse = await fetch(`${running.url}/openapi.json`);
    expect(specResponse.status, 'the API serves its contract at /openapi.json').toBe(200);
    const spec = (await specResponse.json()) as { paths?: Record<string, Record<string, unknown>> };
    const operations = operationCount(spec);

    const run = await runHarnessRetryingToolCrash(['--url', running.url], { EDGEWATCH_FUZZ_TOKEN: token });
    // The fuzzer never makes webhooks (scripts/schemathesis.toml): the server would call URLs it invented.
    if (spec.paths?.['/api/v1/alerts/webhooks'] !== undefined) {
      const webhooks = await fetch(`${running.url}/api/v1/alerts/webhooks`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await webhooks.json()) as { webhooks: unknown[] }).webhooks).toEqual([]);
    }
    if (run.code !== 0) throw new Error(`schemathesis reported findings (exit ${run.code}):\n${run.output}`);
    expect(testedOperations(run.output), `every operation of /openapi.json but the excluded ones was fuzzed:\n${run.output}`).toBe(
      operations - excludedOperations(spec),
    );
    const summary = run.output.split('\n').filter((line) => /generated|No issues found/.test(line));
    console.info(`schemathesis: ${operations} operations\n${summary.join('\n')}`);
  }, FUZZ_TIMEOUT_MS);
});
