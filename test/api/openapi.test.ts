/**
 * The OpenAPI 3 document at /openapi.json and the docs at /docs: every route documented, /api/
 * routes with the bearer scheme and the shared error schema, docs served from the package.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../../api/errors.js';
import { buildTestApp, type OpenApiDocument, type TestApp } from '../support/api-test-kit.js';
import { dummyRoutes, failingRoutes } from './dummy-routes.js';

let built: TestApp;
let document: OpenApiDocument;

beforeAll(async () => {
  built = await buildTestApp({ routes: [dummyRoutes, failingRoutes] });
  const response = await built.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  document = response.json<OpenApiDocument>();
});
afterAll(async () => {
  await built.app.close();
});

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` in a JSON value. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.0 document: info, paths of operations with responses, components', () => {
    expect(document.openapi).toMatch(/^3\.0\.\d+$/);
    expect(document.info.title).toBe('edgewatch API');
    expect(typeof document.info.version).toBe('string');
    expect(Object.keys(document.paths).length).toBeGreaterThan(0);
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\//);
      expect(path).not.toMatch(/:[a-z]/i); // path parameters are written {id}
      for (const [method, operation] of Object.entries(item)) {
        if (method === 'parameters') continue;
        expect(METHODS, `${path}: ${method}`).toContain(method);
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(status).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
          expect(typeof (response as { description?: unknown }).description, `${method} ${path} ${status}`).toBe('string');
        }
      }
    }
  });

  it('has every $ref pointing into components, where the target exists', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      expect(match, ref).not.toBeNull();
      expect(document.components.schemas, ref).toHaveProperty(match![1]!);
    }
  });

  it('defines the bearer scheme and the shared error schema under its $id', () => {
    expect(document.components.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const { $id: _id, ...schema } = errorResponseSchema;
    expect(document.components.schemas?.ApiErrorResponse).toMatchObject(schema);
  });

  it('lists every route except the hidden ones (/, /openapi.json, /docs)', () => {
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    const expected = built.routes
      .filter((r) => r.method !== 'HEAD' && r.schema?.hide !== true && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    expect(expected).toContain('GET /healthz');
    expect(expected).toContain('GET /metrics');
    expect(expected).toContain('POST /api/v1/settings');
    expect([...documented].sort()).toEqual([...new Set(expected)].sort());
  });

  it('puts the bearer scheme, the role and the error responses on every /api/ operation, and no security on public ones', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method} ${path}`;
        if (!path.startsWith('/api/')) {
          expect(operation.security, where).toBeUndefined();
          continue;
        }
        expect(operation.security, where).toEqual([{ bearerAuth: [] }]);
        expect(operation.description, where).toMatch(/Needs a token with the `(viewer|admin)` role/);
        for (const status of ['401', '403', '429', '500', '503']) {
          expect(refsIn(operation.responses[status]), `${where} ${status}`).toEqual(['#/components/schemas/ApiErrorResponse']);
        }
      }
    }
    expect(document.paths['/api/v1/undeclared']?.get?.description).toContain('`admin` role');
    expect(document.paths['/api/v1/things']?.get?.description).toContain('`viewer` role');
  });

  it('documents query and path parameters from the route schemas', () => {
    const parameters = document.paths['/api/v1/things/{id}']?.get?.parameters ?? [];
    expect(parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['path:id', 'query:from']);
    expect(document.paths['/api/v1/things']?.get?.responses['400']).toBeDefined();
  });
});

describe('GET /docs', () => {
  it('serves swagger-ui from the package, with a content security policy and no CDN', async () => {
    const page = await built.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('swagger-ui');
    expect(page.body).not.toMatch(/(src|href)="https?:/);
    for (const asset of ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css', '/docs/static/swagger-initializer.js']) {
      const response = await built.app.inject({ method: 'GET', url: asset });
      expect(response.statusCode, asset).toBe(200);
      expect(response.body.length, asset).toBeGreaterThan(100);
    }
    const initializer = await built.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.body).toContain("resolveUrl('./json')");
    expect((await built.app.inject({ method: 'GET', url: '/docs/json' })).json()).toEqual(document);
  });
});
