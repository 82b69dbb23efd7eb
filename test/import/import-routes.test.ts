/**
 * The imports API: admin-only start, viewer-readable progress, every route in OpenAPI, and invalid
 * requests refused with a 4xx naming the field. Requests here never reach a store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRoutes } from '../../api/imports/import-routes.js';
import { ServerImportJobs } from '../../cli/import-jobs.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { FULL_LAYOUT } from '../../processor/fields/layout.js';
import { asAdmin, asViewer, buildTestApp, describeRouteAccess, errorOf, type TestApp } from '../support/api-test-kit.js';

// Never reached: every request below is refused before an import would start.
const jobs = new ServerImportJobs({
  environment: { clickhouse: {} as ClickHouse, sink: { write: () => Promise.resolve() }, resolveDistribution: () => '', defaultLayout: FULL_LAYOUT, defaultSamplingRate: 100 },
});

describeRouteAccess('import routes', [importRoutes(jobs)], { expectRoutes: ['/api/v1/imports', '/api/v1/imports/:id'] });

describe('imports API', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await buildTestApp({ routes: [importRoutes(jobs)] });
  });
  afterAll(async () => {
    await test.app.close();
  });

  const post = (body: unknown, headers: Record<string, string> = asAdmin) =>
    test.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('refuses invalid requests with the field to blame', async () => {
    const cases: [unknown, string][] = [
      [{}, 'inputs'],
      [{ inputs: [] }, 'inputs'],
      [{ inputs: ['relative/file.gz'] }, 'inputs'],
      [{ inputs: ['s3://'] }, 'inputs'],
      [{ inputs: ['/tmp/x'], fields: ['timestamp', 'not-a-field'] }, 'fields'],
      [{ inputs: ['/tmp/x'], samplingRate: 0 }, 'samplingRate'],
      [{ inputs: ['/tmp/x'], format: 'w3c' }, 'format'],
      [{ inputs: ['/tmp/x'], from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'from'],
      [{ inputs: ['/tmp/x'], surprise: 1 }, 'surprise'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(response).error?.message, JSON.stringify(body)).toContain(field);
    }
  });

  it('lets only admins start an import, and says when an import is unknown', async () => {
    expect((await post({ inputs: ['/tmp/x'] }, asViewer)).statusCode).toBe(403);
    const unknown = await test.app.inject({ method: 'GET', url: '/api/v1/imports/0000-unknown', headers: asViewer });
    expect(unknown.statusCode).toBe(404);
    const list = await test.app.inject({ method: 'GET', url: '/api/v1/imports', headers: asViewer });
    expect(list.json()).toEqual({ imports: [] });
  });
});
