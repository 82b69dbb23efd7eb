/**
 * Error responses: one shape `{ error: { code, message, parameter? } }` for every failure, the
 * parameter named on 400s, Retry-After on 503s, and no SQL or stack trace ever in a response.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { toApiError } from '../../api/http/error-handler.js';
import { asAdmin, asViewer, buildTestApp, errorOf, type TestApp } from '../support/api-test-kit.js';
import { SECRET_DETAIL, dummyRoutes, failingRoutes } from './dummy-routes.js';

let current: TestApp | null = null;
async function server(): Promise<TestApp['app']> {
  current ??= await buildTestApp({ routes: [dummyRoutes, failingRoutes] });
  return current.app;
}
afterEach(async () => {
  await current?.app.close();
  current = null;
});

async function get(url: string, headers: Record<string, string> = asViewer) {
  return (await server()).inject({ method: 'GET', url, headers });
}

describe('schema validation errors', () => {
  it('answer 400 invalid_parameter naming the query parameter', async () => {
    const cases: [string, string][] = [
      ['/api/v1/things?limit=99', 'limit'],
      ['/api/v1/things?limit=abc', 'limit'],
      ['/api/v1/things?order=sideways', 'order'],
      ['/api/v1/things/abc', 'from'], // required
      ['/api/v1/things/ABC?from=x', 'id'], // path parameter
    ];
    for (const [url, parameter] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      const body = errorOf(response);
      expect(body.error.code, url).toBe('invalid_parameter');
      expect(body.error.parameter, url).toBe(parameter);
      expect(body.error.message, url).toContain(parameter);
    }
  });

  it('name the body field at fault', async () => {
    const response = await (await server()).inject({ method: 'POST', url: '/api/v1/settings', headers: asAdmin, payload: { name: '' } });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).error).toMatchObject({ code: 'invalid_parameter', parameter: 'name' });
  });

  it('answer 400 invalid_request for a body that is not JSON', async () => {
    const response = await (await server()).inject({
      method: 'POST',
      url: '/api/v1/settings',
      headers: { ...asAdmin, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).error.code).toBe('invalid_request');
  });

  it('answer 415 invalid_request for a media type the route does not read', async () => {
    const response = await (await server()).inject({
      method: 'POST',
      url: '/api/v1/settings',
      headers: { ...asAdmin, 'content-type': 'application/x-unknown' },
      payload: 'name=x',
    });
    expect(response.statusCode).toBe(415);
    expect(errorOf(response).error.code).toBe('invalid_request');
  });
});

describe('ApiError mapping', () => {
  it('keeps the status, code, message and parameter of an ApiError', async () => {
    const response = await get('/api/v1/fail/parameter');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toEqual({ error: { code: 'invalid_parameter', message: 'distribution: unknown distribution E2EXAMPLE', parameter: 'distribution' } });
    const timeout = await get('/api/v1/fail/timeout');
    expect(timeout.statusCode).toBe(504);
    expect(errorOf(timeout)).toEqual({ error: { code: 'query_timeout', message: 'the query ran longer than 10 s' } });
  });

  it('answers 503 overloaded with Retry-After', async () => {
    const response = await get('/api/v1/fail/overloaded');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(errorOf(response)).toEqual({ error: { code: 'overloaded', message: 'the query queue is full' } });
  });
});

describe('unexpected errors', () => {
  it('answer 500 internal with a generic message: no SQL, no stack, no detail', async () => {
    const response = await get('/api/v1/fail/internal');
    expect(response.statusCode).toBe(500);
    const body = errorOf(response);
    expect(body.error.code).toBe('internal');
    expect(body.error.message).toMatch(/^internal error; the server log has the details \(request req-\w+\)$/);
    expect(response.body).not.toContain('SELECT');
    expect(response.body).not.toContain(SECRET_DETAIL);
    expect(response.body).not.toMatch(/\bat .*\.ts:\d+/);
    expect(Object.keys(body)).toEqual(['error']);
  });

  it('maps errors that are not ApiErrors to 500, whatever they claim', () => {
    const claimsStatus = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:8123 user=default'), { statusCode: 400 });
    expect(toApiError(claimsStatus, 'req-1')).toMatchObject({ statusCode: 500, code: 'internal' });
    expect(toApiError('a string', 'req-2')).toMatchObject({ statusCode: 500, code: 'internal' });
  });
});

describe('unknown routes', () => {
  it('answer 404 not_found in the same shape, without echoing the path', async () => {
    for (const url of ['/nothing', '/api/v1/nothing?x=<script>', '/api/v2/things']) {
      const response = await get(url, {});
      expect(response.statusCode, url).toBe(404);
      expect(errorOf(response)).toEqual({ error: { code: 'not_found', message: 'no route serves GET on this path' } });
    }
  });
});

describe('shutting down', () => {
  it('answers new /api/ requests with 503 overloaded and Retry-After while closing', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const schema = { querystring: { type: 'object' }, response: { 200: { type: 'object' } } };
    const { app } = await buildTestApp({
      routes: [
        (api: FastifyInstance, _options: unknown, done: () => void) => {
          api.get('/slow', { config: { role: 'viewer' }, schema }, async () => {
            await held;
            return {};
          });
          api.get('/fast', { config: { role: 'viewer' }, schema }, (_request, reply) => reply.send({}));
          done();
        },
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 46200 });
    // A request in flight keeps close() waiting; a second connection sends half a request before
    // the close and the rest after it, so its request arrives while the server closes.
    const inFlight = fetch('http://127.0.0.1:46200/api/v1/slow', { headers: asViewer });
    const late = net.connect(46200, '127.0.0.1');
    let answer = '';
    late.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise((resolve) => late.once('connect', resolve));
    late.write(`GET /api/v1/fast HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${asViewer.authorization}\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 50));
    late.write('\r\n');
    for (let i = 0; i < 50 && !answer.includes('}'); i++) await new Promise((r) => setTimeout(r, 20));
    late.destroy();
    release();
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    // The in-flight response ends its keep-alive connection, so close() does not wait for the client.
    expect(finished.headers.get('connection')).toBe('close');
    await closing;
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer.toLowerCase()).toContain('retry-after: 5');
    expect(answer).toContain('"code":"overloaded"');
  });
});
