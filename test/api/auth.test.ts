/**
 * Authentication and roles: bearer tokens from configuration, a hashed tokens file or a generated
 * admin token; 401/403 in the API's error shape; tokens never in URLs and never in the log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE_NAME, ensureAdminTokenFile } from '../../api/auth/admin-token-file.js';
import { ApiTokensError, loadApiTokens } from '../../api/auth/token-sources.js';
import { TokenStore, TokenStoreError, generateToken, hashToken } from '../../api/auth/token-store.js';
import { parseTokensFile } from '../../api/auth/tokens-file.js';
import { buildApp } from '../../api/server.js';
import { adminTokenNotice } from '../../cli/admin-token-notice.js';
import { ConfigError, loadConfig } from '../../cli/config.js';
import { ADMIN_TOKEN, VIEWER_TOKEN, asAdmin, asViewer, buildTestApp, errorOf, healthyReport, testTokenStore, type TestApp } from '../support/api-test-kit.js';
import { SECRET_DETAIL, dummyRoutes, failingRoutes } from './dummy-routes.js';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-auth-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

let current: TestApp | null = null;
async function app(): Promise<TestApp> {
  current ??= await buildTestApp({ routes: [dummyRoutes] });
  return current;
}
afterEach(async () => {
  await current?.app.close();
  current = null;
});

describe('authentication on /api/ routes', () => {
  it('answers 401 with WWW-Authenticate: Bearer when the header is missing', async () => {
    const response = await (await app()).app.inject({ method: 'GET', url: '/api/v1/things' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="edgewatch"/);
    expect(errorOf(response).error.code).toBe('unauthorized');
    expect(errorOf(response).error.message).toContain('Authorization: Bearer');
  });

  it('answers 401 invalid_token for an unknown token', async () => {
    const response = await (await app()).app.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization: 'Bearer unknown-token-0123456789abcdef' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="edgewatch", error="invalid_token"');
    expect(errorOf(response).error.code).toBe('unauthorized');
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const { app: server } = await app();
    for (const authorization of ['Bearer', 'Bearer ', `Basic ${ADMIN_TOKEN}`, `Token ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN} extra`, `Bearer ${ADMIN_TOKEN}"`, `Bearer ${'x'.repeat(600)}`, ADMIN_TOKEN]) {
      const response = await server.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(errorOf(response).error.code).toBe('unauthorized');
    }
  });

  it('accepts the scheme name in any case', async () => {
    const response = await (await app()).app.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization: `bearer ${VIEWER_TOKEN}` } });
    expect(response.statusCode).toBe(200);
  });

  it('refuses tokens in the query string, whatever the parameter is called, even with a valid header', async () => {
    const { app: server } = await app();
    for (const query of [`access_token=${ADMIN_TOKEN}`, `token=${VIEWER_TOKEN}`, 'api_key=whatever', `q=${ADMIN_TOKEN}`]) {
      const response = await server.inject({ method: 'GET', url: `/api/v1/things?${query}`, headers: asAdmin });
      expect(response.statusCode, query).toBe(401);
      const body = errorOf(response);
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('never accepted in URLs');
      expect(body.error.parameter).toBe(query.split('=')[0]);
    }
  });

  it('lets a viewer read but not use an admin route (403 insufficient_scope); admin may do both', async () => {
    const { app: server } = await app();
    expect((await server.inject({ method: 'GET', url: '/api/v1/things', headers: asViewer })).statusCode).toBe(200);
    expect((await server.inject({ method: 'GET', url: '/api/v1/things', headers: asAdmin })).statusCode).toBe(200);
    const refused = await server.inject({ method: 'POST', url: '/api/v1/settings', headers: asViewer, payload: { name: 'x' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('insufficient_scope');
    expect(errorOf(refused).error.code).toBe('forbidden');
    expect(errorOf(refused).error.message).toContain('admin role');
    expect((await server.inject({ method: 'POST', url: '/api/v1/settings', headers: asAdmin, payload: { name: 'x' } })).statusCode).toBe(200);
  });

  it('fails closed: a route that declares no role needs admin', async () => {
    const { app: server } = await app();
    expect((await server.inject({ method: 'GET', url: '/api/v1/undeclared', headers: asViewer })).statusCode).toBe(403);
    expect((await server.inject({ method: 'GET', url: '/api/v1/undeclared', headers: asAdmin })).statusCode).toBe(200);
  });

  it('checks the route the router matched, however the path is spelled', async () => {
    const { app: server } = await app();
    expect((await server.inject({ method: 'GET', url: '/%61pi/v1/undeclared' })).statusCode).toBe(401);
    expect((await server.inject({ method: 'GET', url: '/%61pi/v1/undeclared', headers: asViewer })).statusCode).toBe(403);
  });

  it('refuses before reading the body: a viewer gets 403, not a validation error', async () => {
    const response = await (await app()).app.inject({ method: 'POST', url: '/api/v1/settings', headers: asViewer, payload: { unknown: true } });
    expect(response.statusCode).toBe(403);
  });

  it('keeps /healthz, /metrics, /openapi.json and /docs public', async () => {
    const { app: server } = await app();
    for (const url of ['/healthz', '/metrics', '/openapi.json', '/docs', '/']) {
      expect((await server.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });

  it('answers 404 in the error shape for an unknown /api/ path, token or not', async () => {
    const { app: server } = await app();
    for (const headers of [{}, asViewer]) {
      const response = await server.inject({ method: 'GET', url: '/api/v1/nothing-here', headers });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).error.code).toBe('not_found');
    }
  });

  it('refuses every /api/ request when no token is configured', async () => {
    const server = buildApp({ health: () => healthyReport(), auth: TokenStore.empty(), routes: [dummyRoutes] });
    expect((await server.inject({ method: 'GET', url: '/api/v1/things', headers: asAdmin })).statusCode).toBe(401);
    await server.close();
  });
});

describe('TokenStore', () => {
  it('hashes with SHA-256 and finds the principal of a token', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const store = testTokenStore();
    expect(store.authenticate(ADMIN_TOKEN)).toEqual({ name: 'test-admin', role: 'admin' });
    expect(store.authenticate(VIEWER_TOKEN)).toEqual({ name: 'test-viewer', role: 'viewer' });
    expect(store.authenticate(`${ADMIN_TOKEN}x`)).toBeNull();
    expect(store.authenticate('')).toBeNull();
  });

  it('refuses duplicate names, duplicate tokens, bad digests and bad names', () => {
    const sha256 = hashToken('a-token-of-enough-length');
    expect(() => new TokenStore([{ name: 'a', role: 'viewer', sha256 }, { name: 'a', role: 'viewer', sha256: hashToken('another-token-0000000') }])).toThrow(/used twice/);
    expect(() => new TokenStore([{ name: 'a', role: 'viewer', sha256 }, { name: 'b', role: 'admin', sha256 }])).toThrow(/configured twice/);
    expect(() => new TokenStore([{ name: 'a', role: 'viewer', sha256: 'abc' }])).toThrow(TokenStoreError);
    expect(() => new TokenStore([{ name: 'has space', role: 'viewer', sha256 }])).toThrow(/token name/);
  });

  it('generates 256-bit base64url tokens', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
  });
});

describe('tokens file (hashed tokens)', () => {
  it('authenticates the tokens whose SHA-256 it lists, with their names and roles', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'tokens.json');
    const grafana = 'grafana-token-7f3a9c1e5b2d';
    const ops = 'ops-admin-token-2c8e4a6f0b1d';
    fs.writeFileSync(
      file,
      JSON.stringify([
        { name: 'grafana', role: 'viewer', sha256: hashToken(grafana), comment: 'dashboards' },
        { name: 'ops', role: 'admin', sha256: hashToken(ops).toUpperCase() },
      ]),
    );
    const tokens = loadApiTokens({ tokensFile: file, dataDir: dir });
    expect(tokens.generatedAdmin).toBeNull();
    expect(fs.existsSync(path.join(dir, ADMIN_TOKEN_FILE_NAME))).toBe(false);
    expect(tokens.store.authenticate(grafana)).toEqual({ name: 'grafana', role: 'viewer' });
    expect(tokens.store.authenticate(ops)).toEqual({ name: 'ops', role: 'admin' });

    const server = buildApp({ health: () => healthyReport(), auth: tokens.store, routes: [dummyRoutes] });
    expect((await server.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization: `Bearer ${grafana}` } })).statusCode).toBe(200);
    expect((await server.inject({ method: 'GET', url: '/api/v1/undeclared', headers: { authorization: `Bearer ${grafana}` } })).statusCode).toBe(403);
    expect((await server.inject({ method: 'GET', url: '/api/v1/undeclared', headers: { authorization: `Bearer ${ops}` } })).statusCode).toBe(200);
    await server.close();
  });

  it('refuses plain tokens, unknown keys, bad roles and invalid JSON, naming the entry', () => {
    const sha256 = hashToken('x'.repeat(20));
    expect(() => parseTokensFile('[{"name":"a","role":"viewer","token":"plain-text-token"}]', 'f.json')).toThrow(/entry 0 holds a plain token/);
    expect(() => parseTokensFile(`[{"name":"a","role":"viewer","sha256":"${sha256}","extra":1}]`, 'f.json')).toThrow(/unknown key "extra"/);
    expect(() => parseTokensFile(`[{"name":"a","role":"root","sha256":"${sha256}"}]`, 'f.json')).toThrow(/role/);
    expect(() => parseTokensFile('{"name":"a"}', 'f.json')).toThrow(/JSON array/);
    expect(() => parseTokensFile('[', 'f.json')).toThrow(/not valid JSON/);
  });

  it('reports a missing file or a bad digest as ApiTokensError', () => {
    const dir = tempDir();
    expect(() => loadApiTokens({ tokensFile: path.join(dir, 'missing.json'), dataDir: dir })).toThrow(ApiTokensError);
    const file = path.join(dir, 'tokens.json');
    fs.writeFileSync(file, '[{"name":"a","role":"viewer","sha256":"not-hex"}]');
    expect(() => loadApiTokens({ tokensFile: file, dataDir: dir })).toThrow(/sha256 must be 64 hexadecimal digits/);
  });
});

describe('generated admin token', () => {
  it('is created once with mode 0600 and reused on the next start', () => {
    const dir = tempDir();
    const first = loadApiTokens({ dataDir: dir });
    const generated = first.generatedAdmin!;
    expect(generated.created).toBe(true);
    expect(generated.file).toBe(path.join(dir, ADMIN_TOKEN_FILE_NAME));
    expect(fs.statSync(generated.file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(generated.file, 'utf8').trim()).toBe(generated.token);
    expect(first.store.authenticate(generated.token)).toEqual({ name: 'admin', role: 'admin' });

    const second = loadApiTokens({ dataDir: dir });
    expect(second.generatedAdmin).toMatchObject({ created: false, token: generated.token, modeFixed: false });
    expect(second.store.authenticate(generated.token)?.role).toBe('admin');
  });

  it('is not generated when an admin token is configured; viewer tokens get stable names', () => {
    const dir = tempDir();
    const tokens = loadApiTokens({ adminToken: ADMIN_TOKEN, viewerTokens: [VIEWER_TOKEN, 'second-viewer-token-00000'], dataDir: dir });
    expect(tokens.generatedAdmin).toBeNull();
    expect(fs.existsSync(path.join(dir, ADMIN_TOKEN_FILE_NAME))).toBe(false);
    expect(tokens.store.authenticate(ADMIN_TOKEN)).toEqual({ name: 'admin', role: 'admin' });
    expect(tokens.store.authenticate(VIEWER_TOKEN)).toEqual({ name: `viewer-${hashToken(VIEWER_TOKEN).slice(0, 8)}`, role: 'viewer' });
  });

  it('resets a file readable by others to 0600 and refuses a file without a usable token', () => {
    const dir = tempDir();
    const file = path.join(dir, ADMIN_TOKEN_FILE_NAME);
    fs.writeFileSync(file, `${ADMIN_TOKEN}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(ensureAdminTokenFile(dir)).toMatchObject({ created: false, token: ADMIN_TOKEN, modeFixed: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.writeFileSync(file, 'short\n');
    expect(() => loadApiTokens({ dataDir: dir })).toThrow(/does not hold a usable token/);
  });

  it('is shown on the terminal only on the start that created it, never when output is not a terminal', () => {
    const created = { file: '/srv/data/admin-token', token: 'generated-token-abcdefghijklmnop', created: true, modeFixed: false };
    expect(adminTokenNotice(created, true)).toContain(created.token);
    expect(adminTokenNotice(created, true)).toContain(created.file);
    expect(adminTokenNotice(created, false)).not.toContain(created.token);
    expect(adminTokenNotice(created, false)).toContain(created.file);
    expect(adminTokenNotice({ ...created, created: false }, true)).not.toContain(created.token);
    expect(adminTokenNotice({ ...created, created: false }, true)).toContain(created.file);
    expect(adminTokenNotice(null, true)).toBe('');
  });
});

describe('token configuration', () => {
  it('reads EDGEWATCH_ADMIN_TOKEN, EDGEWATCH_VIEWER_TOKENS, EDGEWATCH_TOKENS_FILE and the rate limit', () => {
    const config = loadConfig(
      { EDGEWATCH_ADMIN_TOKEN: ADMIN_TOKEN, EDGEWATCH_VIEWER_TOKENS: ` ${VIEWER_TOKEN}, second-viewer-token-00000 ,`, EDGEWATCH_TOKENS_FILE: 'tokens.json', EDGEWATCH_RATE_LIMIT_PER_MINUTE: '60' },
      '/srv/edgewatch',
    );
    expect(config.api).toEqual({ adminToken: ADMIN_TOKEN, viewerTokens: [VIEWER_TOKEN, 'second-viewer-token-00000'], tokensFile: '/srv/edgewatch/tokens.json', rateLimitPerMinute: 60 });
    expect(loadConfig({}, '/srv/edgewatch').api).toEqual({ adminToken: undefined, viewerTokens: [], tokensFile: undefined, rateLimitPerMinute: 1200 });
  });

  it('refuses short or malformed tokens, naming the variable and never echoing the token', () => {
    let error: unknown;
    try {
      loadConfig({ EDGEWATCH_ADMIN_TOKEN: 'short-secret', EDGEWATCH_VIEWER_TOKENS: `${VIEWER_TOKEN},bad token with spaces!!` });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    expect(text).toContain('EDGEWATCH_ADMIN_TOKEN');
    expect(text).toContain('EDGEWATCH_VIEWER_TOKENS');
    expect(text).not.toContain('short-secret');
    expect(text).not.toContain('bad token with spaces');
  });
});

describe('tokens never reach the log', () => {
  it('logs requests, refusals and failures without any token, even with a serializer that would print headers', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // A logger whose own req serializer prints headers, as pino's standard one does.
    const logger = pino({ level: 'trace', serializers: { req: pino.stdSerializers.req } }, sink);
    const server = buildApp({ health: () => healthyReport(), auth: testTokenStore(), routes: [dummyRoutes, failingRoutes], logger });
    const requests = [
      { url: '/api/v1/things', headers: asAdmin },
      { url: '/api/v1/things', headers: asViewer },
      { url: '/api/v1/undeclared', headers: asViewer },
      { url: '/api/v1/things?limit=99', headers: asViewer },
      { url: `/api/v1/things?access_token=${ADMIN_TOKEN}` },
      { url: `/api/v1/things?q=${VIEWER_TOKEN}`, headers: asViewer },
      { url: '/api/v1/things', headers: { authorization: 'Bearer a-wrong-token-but-secret-0000' } },
      { url: '/api/v1/fail/internal', headers: { authorization: `Bearer ${VIEWER_TOKEN}`, cookie: `session=${ADMIN_TOKEN}` } },
      { url: '/api/v1/nothing', headers: asAdmin },
      { url: '/healthz', headers: asAdmin },
    ];
    for (const request of requests) await server.inject({ method: 'GET', ...request });
    await server.close();

    const output = lines.join('');
    expect(lines.length).toBeGreaterThan(requests.length);
    expect(output).toContain('"component":"api"');
    expect(output).toContain('"principal":"test-viewer"');
    expect(output).toContain(SECRET_DETAIL); // the 500's detail goes to the log
    for (const secret of [ADMIN_TOKEN, VIEWER_TOKEN, 'a-wrong-token-but-secret-0000']) expect(output).not.toContain(secret);
    expect(output.toLowerCase()).not.toContain('authorization');
  });
});
