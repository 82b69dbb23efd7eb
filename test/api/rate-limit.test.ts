/**
 * Rate limiting per token: each token has its own bucket, keyed by its name (never its text);
 * unauthenticated requests count per address; 429 comes with Retry-After in the error shape.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../../api/auth/token-store.js';
import { rateLimitKey } from '../../api/http/rate-limit.js';
import { ADMIN_TOKEN, VIEWER_TOKEN, asAdmin, asViewer, buildTestApp, errorOf, type TestApp } from '../support/api-test-kit.js';
import { dummyRoutes } from './dummy-routes.js';

const apps: TestApp[] = [];
async function build(perMinute: number, auth?: TokenStore): Promise<TestApp['app']> {
  const built = await buildTestApp({ routes: [dummyRoutes], rateLimit: { perMinute }, ...(auth ? { auth } : {}) });
  apps.push(built);
  return built.app;
}
afterEach(async () => {
  for (const { app } of apps.splice(0)) await app.close();
});

describe('rate limit', () => {
  it('answers 429 rate_limited with Retry-After once a token has used its requests for the minute', async () => {
    const app = await build(3);
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({ method: 'GET', url: '/api/v1/things', headers: asAdmin });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await app.inject({ method: 'GET', url: '/api/v1/things', headers: asAdmin });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(errorOf(limited).error.code).toBe('rate_limited');
    expect(errorOf(limited).error.message).toContain('3 requests per minute');
  });

  it('keeps a separate bucket per token, also for tokens of the same role', async () => {
    const second = 'second-viewer-token-00000000';
    const auth = TokenStore.fromTokens([
      { name: 'admin', role: 'admin', token: ADMIN_TOKEN },
      { name: 'viewer-a', role: 'viewer', token: VIEWER_TOKEN },
      { name: 'viewer-b', role: 'viewer', token: second },
    ]);
    const app = await build(2, auth);
    const get = (authorization: string) => app.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization } });
    expect((await get(`Bearer ${VIEWER_TOKEN}`)).statusCode).toBe(200);
    expect((await get(`Bearer ${VIEWER_TOKEN}`)).statusCode).toBe(200);
    expect((await get(`Bearer ${VIEWER_TOKEN}`)).statusCode).toBe(429);
    expect((await get(`Bearer ${second}`)).statusCode).toBe(200);
    expect((await get(`Bearer ${ADMIN_TOKEN}`)).statusCode).toBe(200);
    expect((await get(`Bearer ${second}`)).statusCode).toBe(200);
    expect((await get(`Bearer ${second}`)).statusCode).toBe(429);
  });

  it('counts unauthenticated requests per address, so guessing tokens is throttled, apart from the tokens', async () => {
    const app = await build(3);
    for (let i = 0; i < 3; i++) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization: `Bearer guess-${i}-000000000000000` } })).statusCode).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization: `Bearer ${VIEWER_TOKEN}-wrong` } })).statusCode).toBe(429);
    expect((await app.inject({ method: 'GET', url: '/api/v1/things', remoteAddress: '10.1.2.3' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/things', headers: asViewer })).statusCode).toBe(200);
  });

  it('believes X-Forwarded-For only from trusted proxies', async () => {
    const guess = (remoteAddress: string, forwardedFor: string) =>
      app.inject({ method: 'GET', url: '/api/v1/things', remoteAddress, headers: { authorization: 'Bearer guess-000000000000000000', 'x-forwarded-for': forwardedFor } });
    const untrusting = await build(2);
    // Without trust every caller behind one proxy shares its address.
    expect((await untrusting.inject({ method: 'GET', url: '/api/v1/things', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.1' } })).statusCode).toBe(401);
    expect((await untrusting.inject({ method: 'GET', url: '/api/v1/things', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.2' } })).statusCode).toBe(401);
    expect((await untrusting.inject({ method: 'GET', url: '/api/v1/things', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.3' } })).statusCode).toBe(429);

    const built = await buildTestApp({ routes: [dummyRoutes], rateLimit: { perMinute: 2 }, trustProxy: ['loopback'] });
    apps.push(built);
    const app = built.app;
    expect((await guess('127.0.0.1', '203.0.113.1')).statusCode).toBe(401);
    expect((await guess('127.0.0.1', '203.0.113.1')).statusCode).toBe(401);
    expect((await guess('127.0.0.1', '203.0.113.1')).statusCode).toBe(429);
    // Another client behind the trusted proxy has its own bucket…
    expect((await guess('127.0.0.1', '203.0.113.2')).statusCode).toBe(401);
    // …and a caller that is not a trusted proxy cannot pick its address.
    expect((await guess('198.51.100.7', '203.0.113.9')).statusCode).toBe(401);
    expect((await guess('198.51.100.7', '203.0.113.10')).statusCode).toBe(401);
    expect((await guess('198.51.100.7', '203.0.113.11')).statusCode).toBe(429);
  });

  it('counts a refused request (403) against its token', async () => {
    const app = await build(2);
    expect((await app.inject({ method: 'GET', url: '/api/v1/undeclared', headers: asViewer })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/undeclared', headers: asViewer })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/things', headers: asViewer })).statusCode).toBe(429);
  });

  it('leaves public routes alone', async () => {
    const app = await build(1);
    for (let i = 0; i < 5; i++) {
      for (const url of ['/healthz', '/metrics', '/openapi.json']) expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });

  it('keys a request by the token name and the address, never by the token text', () => {
    const request = (principal: { name: string; role: 'viewer' | 'admin' } | null, ip: string) => ({ principal, ip }) as Parameters<typeof rateLimitKey>[0];
    expect(rateLimitKey(request({ name: 'grafana', role: 'viewer' }, '10.0.0.1'))).toBe('token:grafana');
    expect(rateLimitKey(request(null, '10.0.0.1'))).toBe('address:10.0.0.1');
    // IPv6 clients are counted per /64, as one host usually holds the whole prefix.
    expect(rateLimitKey(request(null, '2001:db8:1:2:3:4:5:6'))).toBe(rateLimitKey(request(null, '2001:db8:1:2:ffff:4:5:6')));
  });
});
