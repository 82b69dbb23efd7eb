/**
 * GET /api/v1/plan: the same plan as the planner module, viewer access, documented in OpenAPI, and
 * 400 with the parameter named for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRoutes } from '../../api/capacity/plan-routes.js';
import { planCapacity, type CapacityPlan } from '../../processor/capacity/capacity-plan.js';
import { asViewer, buildTestApp, describeRouteAccess, errorOf, type OpenApiDocument, type TestApp } from '../support/api-test-kit.js';

let built: TestApp;
beforeAll(async () => {
  built = await buildTestApp({ routes: [planRoutes()] });
});
afterAll(async () => {
  await built.app.close();
});

const get = (query: string) => built.app.inject({ method: 'GET', url: `/api/v1/plan?${query}`, headers: asViewer });

describe('GET /api/v1/plan', () => {
  it('returns the planner module’s plan for the query, to a viewer', async () => {
    const response = await get('requestsPerSecond=25000&sampling=20&fields=timestamp,c-ip,sc-status,x-edge-request-id&retentionDays=14');
    expect(response.statusCode).toBe(200);
    const body = response.json<CapacityPlan>();
    expect(body).toEqual(
      JSON.parse(JSON.stringify(planCapacity({ requestsPerSecond: 25_000, samplingRate: 20, fields: ['timestamp', 'c-ip', 'sc-status', 'x-edge-request-id'], retentionDays: 14 }))),
    );
    expect(body.figures.map((f) => f.key)).toEqual([
      'logLinesPerSecond',
      'averageRecordBytes',
      'kinesisShards',
      'ingestWorkers',
      'processWorkers',
      'kafkaPartitions',
      'clickhouseRowsPerDay',
      'clickhouseBytesPerRow',
      'clickhouseCompressedBytesPerDay',
      'clickhouseCompressedBytesRetained',
    ]);
    for (const fig of body.figures) expect(fig.formula).toContain('=');
    expect(body.costs.lines.map((l) => l.key)).toEqual(['realtimeLogs', 'kinesisShardHours', 'kinesisPutPayloadUnits']);
  });

  it('shows on-demand Kinesis costs as unknown (null), not zero', async () => {
    const body = (await get('requestsPerSecond=100&streamMode=on-demand')).json<CapacityPlan>();
    expect(body.costs.unknown).toEqual(['kinesisStreamHours', 'kinesisDataInGb', 'kinesisDataOutGb']);
    expect(body.costs.lines.filter((l) => l.usdPerMonth === null)).toHaveLength(3);
  });

  it.each([
    ['', 'requestsPerSecond'],
    ['requestsPerSecond=abc', 'requestsPerSecond'],
    ['requestsPerSecond=-5', 'requestsPerSecond'],
    ['requestsPerSecond=10&sampling=0', 'sampling'],
    ['requestsPerSecond=10&sampling=101', 'sampling'],
    ['requestsPerSecond=10&retentionDays=0', 'retentionDays'],
    ['requestsPerSecond=10&streamMode=fast', 'streamMode'],
    ['requestsPerSecond=10&fields=timestamp,nope', 'fields'],
    ['requestsPerSecond=10&fields=,', 'fields'],
  ])('answers 400 to ?%s, naming %s', async (query, parameter) => {
    const response = await get(query);
    expect(response.statusCode).toBe(400);
    const body = errorOf(response);
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message).toContain(parameter);
  });

  it('is in /openapi.json with its query parameters', async () => {
    const document = (await built.app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    const operation = document.paths['/api/v1/plan']?.get;
    expect(operation).toBeDefined();
    expect(operation!.parameters!.map((p) => p.name).sort()).toEqual(['fields', 'headroom', 'recordBytes', 'requestsPerSecond', 'retentionDays', 'sampling', 'streamMode']);
  });
});

describeRouteAccess('capacity plan', [planRoutes()], { expectRoutes: ['/api/v1/plan'] });
