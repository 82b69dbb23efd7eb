/**
 * GET /api/v1/live over real HTTP, read with fetch and a bearer token as the dashboard reads it,
 * and the SSE writer's backpressure against a client that stops reading.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { distributionResolver } from '../../api/stats/distribution-resolver.js';
import { liveRecordSchema } from '../../api/live/live-record.js';
import { liveCountersSchema, liveRoutes, type LiveRouteDependencies } from '../../api/live/live-routes.js';
import { SseStream } from '../../api/live/sse-stream.js';
import { asViewer, buildTestApp, describeRouteAccess, type OpenApiDocument } from '../support/api-test-kit.js';
import { logLine, realTimeLive, resolveDomain, SseReader } from './live-kit.js';

type Live = ReturnType<typeof realTimeLive>;

const resolveDistribution = distributionResolver((domain) => resolveDomain(domain));

interface Server {
  readonly url: string;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(live: Live, port: number, deps: Partial<LiveRouteDependencies> = {}): Promise<Server> {
  const { app } = await buildTestApp({ routes: [liveRoutes({ hub: live.hub, resolveDistribution, ...deps })] });
  await app.listen({ host: '127.0.0.1', port });
  const server = { url: `http://127.0.0.1:${port}/api/v1/live`, close: () => app.close() };
  cleanups.push(() => {
    // fetch may open a spare connection after an abort; it would hold close() until the headers timeout.
    app.server.closeAllConnections();
    return server.close();
  });
  return server;
}

function start(): Live {
  const live = realTimeLive();
  cleanups.push(() => live.stop());
  return live;
}

async function open(url: string, headers: Record<string, string> = asViewer): Promise<{ reader: SseReader; abort: () => void }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = new SseReader(response);
  cleanups.push(() => controller.abort());
  return { reader, abort: () => controller.abort() };
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /api/v1/live', () => {
  it('streams the filtered records as they arrive and counters every second', async () => {
    const live = start();
    const server = await serve(live, 46101);
    const { reader } = await open(`${server.url}?distribution=d222.cloudfront.net&rate=5`);
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('cache-control')).toContain('no-cache');
    const ready = await reader.waitFor((e) => e.event === 'ready');
    expect(ready.data).toMatchObject({ rate: 5, filters: { distributions: ['E222'] } });

    const sentAt = Date.now();
    live.feed([logLine(), logLine({ 'x-host-header': 'd222.cloudfront.net', 'cs-uri-stem': '/live%20now' }), logLine()]);
    const record = await reader.waitFor((e) => e.event === 'record', 2_000, 'the record');
    expect(record.data).toMatchObject({ distribution: 'E222', path: '/live now', status: 200 });
    expect(record.receivedAtMs - sentAt).toBeLessThan(1_000);

    const counters = await reader.waitFor((e) => e.event === 'counters' && (e.data as { sampledRequests: number }).sampledRequests > 0, 3_000, 'counters');
    expect(counters.data).toMatchObject({ sampledRequests: 1, requests: 1, hits: 1, recordsSent: 1, recordsOverRate: 0, missedEvents: 0, dropped: 0 });
    expect(reader.events.filter((e) => e.event === 'record')).toHaveLength(1);
    // The documented event shapes are the ones sent.
    expect(Object.keys(record.data as object).sort()).toEqual(Object.keys(liveRecordSchema.properties).sort());
    expect(Object.keys(counters.data as object).sort()).toEqual(Object.keys(liveCountersSchema.properties).sort());
  });

  it('refuses invalid filters, from/to and a rate above the cap with a 400 naming the parameter', async () => {
    const live = start();
    const server = await serve(live, 46102);
    const cases: Array<[string, string]> = [
      ['country=USA', 'country'],
      ['distribution=unknown.example.com', 'distribution'],
      ['from=2026-01-01T00:00:00Z', 'from'],
      ['to=1700000000000', 'to'],
      ['rate=1000', 'rate'],
      ['statusClass=6xx', 'statusClass'],
    ];
    for (const [query, parameter] of cases) {
      const response = await fetch(`${server.url}?${query}`, { headers: asViewer });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { code: string; parameter: string } };
      expect(body.error, query).toMatchObject({ code: 'invalid_parameter', parameter });
    }
    expect(live.hub.subscriberCount).toBe(0);
  });

  it('needs a bearer token', async () => {
    const live = start();
    const server = await serve(live, 46103);
    const response = await fetch(server.url);
    expect(response.status).toBe(401);
    expect(live.hub.subscriberCount).toBe(0);
  });

  it('answers 503 with Retry-After beyond the cap on open streams, and takes a new one once one closes', async () => {
    const live = start();
    const server = await serve(live, 46104, { maxStreams: 2 });
    const first = await open(server.url);
    await open(server.url);
    const refused = await fetch(server.url, { headers: asViewer });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');

    first.abort();
    await waitUntil('the closed stream to be released', () => live.hub.subscriberCount === 1);
    await open(server.url);
    expect(live.hub.subscriberCount).toBe(2);
  });

  it('forgets a client that disconnects', async () => {
    const live = start();
    const server = await serve(live, 46105);
    const client = await open(server.url);
    await client.reader.waitFor((e) => e.event === 'ready');
    expect(live.hub.subscriberCount).toBe(1);
    client.abort();
    await waitUntil('the subscription to end', () => live.hub.subscriberCount === 0);
  });

  it('ends open streams with a closing event when the server closes', async () => {
    const live = start();
    const server = await serve(live, 46106);
    const { reader } = await open(server.url);
    await reader.waitFor((e) => e.event === 'ready');
    const closedAt = Date.now();
    await server.close();
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    await reader.waitForEnd();
    expect(reader.events.at(-1)).toMatchObject({ event: 'closing' });
    expect(live.hub.subscriberCount).toBe(0);
  });

  it('answers 503 once the live view has stopped', async () => {
    const live = start();
    const server = await serve(live, 46115);
    live.stop();
    const response = await fetch(server.url, { headers: asViewer });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('is documented as a stream of events in /openapi.json', async () => {
    const { app } = await buildTestApp({ routes: [liveRoutes({ hub: start().hub, resolveDistribution })] });
    cleanups.push(() => app.close());
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    const operation = document.paths['/api/v1/live']?.get;
    expect(operation?.description).toMatch(/`counters`/);
    expect(Object.keys((operation?.responses['200'] as { content: object }).content)).toEqual(['text/event-stream']);
    const parameters = (operation?.parameters ?? []).map((p) => p.name);
    expect(parameters).toEqual(expect.arrayContaining(['distribution', 'country', 'pop', 'pathPrefix', 'rate']));
  });

  it('sends heartbeat comments', async () => {
    const live = start();
    const server = await serve(live, 46107, { heartbeatMs: 100 });
    const { reader } = await open(server.url);
    await waitUntil('a heartbeat', () => reader.comments.includes('heartbeat'), 2_000);
  });
});

describeRouteAccess('live', [liveRoutes({ hub: realTimeLive().hub, resolveDistribution })], { expectRoutes: ['/api/v1/live'] });

describe('SseStream', () => {
  it('skips messages instead of buffering them while the client does not read', async () => {
    let stream: SseStream | undefined;
    let serverResponse: http.ServerResponse | undefined;
    const server = http.createServer((_req, res) => {
      serverResponse = res;
      stream = new SseStream(res, { maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 });
      stream.open({});
    });
    await new Promise<void>((resolve) => server.listen(46108, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

    // A client that reads the head, then nothing more.
    const request = http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    response.pause();
    cleanups.push(() => void request.destroy());
    await waitUntil('the stream', () => stream !== undefined);

    const payload = 'x'.repeat(32 * 1024);
    let sent = 0;
    let skipped = 0;
    // Kernel socket buffers take some megabytes first; then messages must be skipped, not queued.
    for (let i = 0; i < 4_000 && skipped < 100; i++) {
      if (stream!.send('record', () => ({ payload }))) sent++;
      else skipped++;
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(skipped).toBeGreaterThanOrEqual(100);
    expect(sent).toBeGreaterThan(0);
    expect(stream!.skipped).toBe(skipped);
    // Bounded: at most the limit plus the one message that crossed it.
    expect(serverResponse!.writableLength).toBeLessThanOrEqual(64 * 1024 + payload.length + 100);
  });
});
