/**
 * Builds API apps for tests with known tokens, and checks the access rules on every route a set of
 * route plugins registers: `describeRouteAccess('stats', [statsRoutes(deps)])` adds the tests.
 */
import type { FastifyInstance, FastifySchema, HTTPMethods, RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { isApiPath } from '../../api/auth/authentication.js';
import { TokenStore, type Role } from '../../api/auth/token-store.js';
import type { ApiErrorCode } from '../../api/errors.js';
import type { HealthReport } from '../../api/health.js';
import { buildApp, type AppDependencies, type RoutePlugin } from '../../api/server.js';

export const ADMIN_TOKEN = 'test-admin-token-5Qk2x9Lm3Rv7';
export const VIEWER_TOKEN = 'test-viewer-token-8Hj4n6Tp1Wc0';
/** Names the tokens have in the store (what logs and rate-limit keys show). */
export const ADMIN_NAME = 'test-admin';
export const VIEWER_NAME = 'test-viewer';

export const asAdmin = Object.freeze({ authorization: `Bearer ${ADMIN_TOKEN}` });
export const asViewer = Object.freeze({ authorization: `Bearer ${VIEWER_TOKEN}` });

/** The body of an error response: `{ error: { code, message, parameter? } }`. */
export interface ErrorResponseBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly parameter?: string };
}

export function errorOf(response: { json<T>(): T }): ErrorResponseBody {
  return response.json<ErrorResponseBody>();
}

export function testTokenStore(): TokenStore {
  return TokenStore.fromTokens([
    { name: ADMIN_NAME, role: 'admin', token: ADMIN_TOKEN },
    { name: VIEWER_NAME, role: 'viewer', token: VIEWER_TOKEN },
  ]);
}

export function healthyReport(overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    status: 'ok',
    uptimeS: 60,
    recordsIngested: 1234,
    deadLetters: 5,
    lastInsertAt: '2026-11-30T00:00:00.000Z',
    insertErrors: 2,
    unknownValues: { 'cs-method': { QUERY: 3 } },
    shards: [{ shardId: 'shardId-000000000000', millisBehindLatest: 1500, lastSequence: '49', recordsRead: 1234, finished: false }],
    ...overrides,
  };
}

export interface RegisteredRoute {
  readonly method: HTTPMethods;
  readonly url: string;
  /** The declared role; undefined means the route did not declare one (it then needs admin). */
  readonly declaredRole: Role | undefined;
  readonly schema: FastifySchema | undefined;
}

export interface TestApp {
  readonly app: FastifyInstance;
  /** Every route the app registered (one entry per method, HEAD included), known once built. */
  readonly routes: readonly RegisteredRoute[];
  /** The routes under /api/. */
  readonly apiRoutes: readonly RegisteredRoute[];
}

/** Collects routes as they are registered; add before the app is ready. */
export function collectRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      routes.push({ method, url: route.url, declaredRole: route.config?.role, schema: route.schema });
    }
  });
  return routes;
}

/** An app with the test tokens (admin, viewer), a healthy pipeline and the given route plugins; ready to inject. */
export async function buildTestApp(deps: Partial<AppDependencies> = {}): Promise<TestApp> {
  const app = buildApp({ health: () => healthyReport(), auth: testTokenStore(), logger: false, ...deps });
  const routes = collectRoutes(app);
  await app.ready();
  return { app, routes, apiRoutes: routes.filter((r) => isApiPath(r.url)) };
}

/** A URL for a route template: each `:param` and `*` replaced by a harmless value. */
export function concreteUrl(template: string): string {
  return template.replace(/:[A-Za-z0-9_]+/g, 'test').replace(/\*$/, 'test');
}

export interface RouteAccessOptions {
  /** Other dependencies for the app (a token store is always the test one). */
  readonly deps?: Omit<Partial<AppDependencies>, 'routes' | 'auth'>;
  /** Route templates that must be among those registered (guards against checking nothing). */
  readonly expectRoutes?: readonly string[];
}

/**
 * Tests the access rules on every /api/ route the plugins register: 401 without a token, with an
 * unknown or malformed one, or with a token in the query string; 403 for a viewer on a route that
 * needs admin (declared, or by default); every route documented in /openapi.json with the bearer
 * scheme and with query and response schemas. Handlers are never reached.
 */
export function describeRouteAccess(title: string, plugins: readonly RoutePlugin[], options: RouteAccessOptions = {}): void {
  describe(`route access: ${title}`, () => {
    const build = () => buildTestApp({ ...options.deps, routes: plugins });

    const eachRoute = async (check: (route: RegisteredRoute, app: FastifyInstance) => Promise<string | null> | string | null): Promise<void> => {
      const { app, apiRoutes } = await build();
      try {
        expect(apiRoutes.length, 'the plugins register no /api/ route').toBeGreaterThan(0);
        const problems: string[] = [];
        for (const route of apiRoutes) {
          const problem = await check(route, app);
          if (problem !== null) problems.push(`${route.method} ${route.url}: ${problem}`);
        }
        expect(problems).toEqual([]);
      } finally {
        await app.close();
      }
    };

    const expectStatus = async (app: FastifyInstance, route: RegisteredRoute, headers: Record<string, string>, status: number, query = ''): Promise<string | null> => {
      const response = await app.inject({ method: route.method, url: `${concreteUrl(route.url)}${query}`, headers });
      if (response.statusCode !== status) return `expected ${status}, got ${response.statusCode}`;
      if (route.method === 'HEAD') return null;
      const body = errorOf(response);
      const code = status === 401 ? 'unauthorized' : 'forbidden';
      return body.error?.code === code ? null : `expected error code ${code}, got ${JSON.stringify(body)}`;
    };

    it('registers the expected routes under /api/v1', async () => {
      const { app, apiRoutes } = await build();
      await app.close();
      const urls = new Set(apiRoutes.map((r) => r.url));
      for (const url of options.expectRoutes ?? []) expect(urls, `missing ${url}`).toContain(url);
      for (const url of urls) expect(url.startsWith('/api/v1/') || url === '/api/v1').toBe(true);
    });

    it('answers 401 to every /api/ route without a token', async () => {
      await eachRoute((route, app) => expectStatus(app, route, {}, 401));
    });

    it('answers 401 to an unknown or malformed token', async () => {
      await eachRoute(async (route, app) => {
        const unknown = await expectStatus(app, route, { authorization: 'Bearer not-a-known-token-at-all-0000' }, 401);
        const malformed = await expectStatus(app, route, { authorization: `Basic ${ADMIN_TOKEN}` }, 401);
        return unknown ?? malformed;
      });
    });

    it('refuses a token in the query string, even a valid one', async () => {
      await eachRoute(async (route, app) => {
        const named = await expectStatus(app, route, {}, 401, `?access_token=${ADMIN_TOKEN}`);
        const disguised = await expectStatus(app, route, asAdmin, 401, `?q=${ADMIN_TOKEN}`);
        return named ?? disguised;
      });
    });

    it('answers 403 to a viewer on every route that needs admin', async () => {
      await eachRoute((route, app) => ((route.declaredRole ?? 'admin') === 'admin' ? expectStatus(app, route, asViewer, 403) : null));
    });

    it('declares query and response schemas on every /api/ route', async () => {
      await eachRoute((route) => {
        if (route.method === 'HEAD') return null;
        const schema = route.schema;
        if (schema?.response === undefined) return 'no response schema';
        const statuses = Object.keys(schema.response as Record<string, unknown>);
        if (!statuses.some((s) => /^2(\d\d|xx)$/.test(s))) return `no 2xx response schema (has ${statuses.join(', ')})`;
        if (route.method === 'GET' && schema.querystring === undefined) return 'no querystring schema';
        return null;
      });
    });

    it('documents every /api/ route in /openapi.json with the bearer scheme', async () => {
      const { app, apiRoutes } = await build();
      try {
        const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
        const problems: string[] = [];
        for (const route of apiRoutes) {
          if (route.method === 'HEAD') continue;
          const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
          const operation = document.paths[path]?.[route.method.toLowerCase()];
          if (operation === undefined) problems.push(`${route.method} ${route.url}: not in /openapi.json`);
          else if (!operation.security?.some((s) => 'bearerAuth' in s)) problems.push(`${route.method} ${route.url}: no bearer security`);
        }
        expect(problems).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });
}

export interface OpenApiOperation {
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly parameters?: readonly { readonly name: string; readonly in: string }[];
  readonly responses: Readonly<Record<string, unknown>>;
  readonly description?: string;
}

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: {
    readonly schemas?: Readonly<Record<string, unknown>>;
    readonly securitySchemes?: Readonly<Record<string, { readonly type: string; readonly scheme?: string }>>;
  };
}
