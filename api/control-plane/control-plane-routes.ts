/**
 * The control-plane routes (registered under /api/v1). Every route needs the admin role except
 * GET /changes (the dashboard's chart markers), which viewers may read.
 *
 *   GET    /distributions                                  the distributions (summaries) and the provider in use
 *   POST   /distributions?dryRun=                          create: { config, tags?, callerReference? } → 201
 *   GET    /distributions/:id                              { distribution (config + etag), warnings }; ETag header
 *   PUT    /distributions/:id?dryRun=        If-Match      replace the config: { config }; 409 when the ETag is stale
 *   POST   /distributions/:id/disable?dryRun= If-Match     enabled = false
 *   DELETE /distributions/:id?dryRun=        If-Match      a disabled distribution → 204 (409 while enabled)
 *   GET    /distributions/:id/deployment                   InProgress → Deployed after every change
 *   GET    /distributions/:id/invalidations
 *   POST   /distributions/:id/invalidations                { paths } → 201
 *   GET    /realtime-log-configs                           configs with their attachments and parser layouts
 *   GET    /realtime-log-configs/fields                    the field catalogue by group, with each field's size
 *   POST   /realtime-log-configs/estimate                  { requestsPerSecond, samplingRate, fields } → monthly cost, shards
 *   POST   /realtime-log-configs?dryRun=                   create: { name, samplingRate, fields, stream, role } → 201
 *   GET    /realtime-log-configs/:name
 *   PUT    /realtime-log-configs/:name?dryRun=             { samplingRate?, fields?, streamArn?, roleArn? }
 *   DELETE /realtime-log-configs/:name?dryRun=             → 204 (409 while attached)
 *   POST   /realtime-log-configs/:name/attachments?dryRun= { distributionId, pathPattern } (`*`: default behavior)
 *   DELETE /realtime-log-configs/:name/attachments?dryRun= same body: detach
 *   GET    /changes?from&to&distribution&limit   viewer    change markers for time-series charts
 *   GET    /control-plane/audit?from&to&limit              the audit log with before/after and diff
 *
 * A change answers `{ dryRun, diff, warnings, distribution | config }`; with `?dryRun=true` nothing is
 * applied and the resource is null.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, invalidParameter } from '../errors.js';
import { parseTime } from '../query/filters.js';
import * as schemas from './control-plane-schemas.js';
import type { Actor, ControlPlaneService } from './control-plane-service.js';
import { ControlPlaneError } from './provider.js';

export interface ControlPlaneRoutesOptions {
  readonly service: ControlPlaneService;
}

const DAY_MS = 86_400_000;
const errors = {
  400: { $ref: 'ApiErrorResponse#' },
  404: { $ref: 'ApiErrorResponse#' },
  409: { $ref: 'ApiErrorResponse#' },
} as const;

/** A provider error as the API's error: field-named 400s, 404s, 409 conflicts. */
export function toApiError(err: unknown): unknown {
  if (!(err instanceof ControlPlaneError)) return err;
  switch (err.kind) {
    case 'invalid':
      return err.field === undefined ? new ApiError(400, 'invalid_request', err.message) : invalidParameter(err.field, err.message);
    case 'not_found':
      return new ApiError(404, 'not_found', err.message);
    case 'precondition_failed':
    case 'conflict':
      return new ApiError(409, 'conflict', err.message);
    case 'limit':
      return new ApiError(400, 'invalid_request', err.message);
    case 'access_denied':
      return new ApiError(403, 'forbidden', `the control-plane provider was refused: ${err.message}`);
  }
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toApiError(err);
  }
}

function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal;
  if (principal === null) throw new Error('a control-plane route was reached without an authenticated principal');
  return { name: principal.name, role: principal.role };
}

function ifMatchOf(request: FastifyRequest): string {
  const value: unknown = request.headers['if-match'];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  const etag = typeof first === 'string' ? first.trim().replace(/^"(.*)"$/, '$1') : undefined;
  if (etag === undefined || etag === '') throw invalidParameter('If-Match', 'send the ETag of the version the change was made from (GET the distribution first)');
  return etag;
}

/** Body must be a JSON object (checked before the schema, which would coerce). */
function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body: unknown = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidParameter('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}

function strictBody(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const body: unknown = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return done(invalidParameter('body', 'must be a JSON object'));
  // Keep the body as sent: the config reader names unknown members and wrong types itself.
  (request as FastifyRequest & { rawJson?: unknown }).rawJson = structuredClone(body);
  done();
}

function rawBody(request: FastifyRequest): Record<string, unknown> {
  const raw = (request as FastifyRequest & { rawJson?: unknown }).rawJson;
  return raw !== undefined && raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : objectBody(request);
}

type DryRunQuery = { Querystring: { dryRun?: boolean } };

export function controlPlaneRoutes(options: ControlPlaneRoutesOptions): FastifyPluginAsync {
  const { service } = options;
  const admin = { role: 'admin' as const };
  const viewer = { role: 'viewer' as const };
  const tags = ['control-plane'];

  return (app) => {
    app.get(
      '/distributions',
      { config: admin, schema: { summary: 'Distributions', tags, querystring: schemas.emptyQuery, response: { 200: schemas.distributionListResponse, ...errors } } },
      async () => mapped(async () => ({ provider: service.providerKind, distributions: await service.listDistributions() })),
    );

    app.post<DryRunQuery>(
      '/distributions',
      {
        config: admin,
        preValidation: strictBody,
        schema: {
          summary: 'Create a distribution',
          description: 'Validated as CloudFront would (errors name the field); `dryRun=true` returns the diff without creating.',
          tags,
          querystring: schemas.dryRunQuery,
          body: schemas.createDistributionBody,
          response: { 200: schemas.distributionChangeResponse, 201: schemas.distributionChangeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const result = await mapped(() => service.createDistribution(actorOf(request), rawBody(request), request.query.dryRun === true));
        if (result.distribution !== null) reply.header('etag', result.distribution.etag).code(201);
        return result;
      },
    );

    app.get<{ Params: { id: string } }>(
      '/distributions/:id',
      { config: admin, schema: { summary: 'One distribution with its config and ETag', tags, params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.distributionResponse, ...errors } } },
      async (request, reply) => {
        const result = await mapped(() => service.getDistribution(request.params.id));
        reply.header('etag', result.distribution.etag);
        return result;
      },
    );

    app.put<{ Params: { id: string } } & DryRunQuery>(
      '/distributions/:id',
      {
        config: admin,
        preValidation: strictBody,
        schema: {
          summary: 'Replace a distribution’s config',
          description: 'Send the ETag read with the config as If-Match; a concurrent change answers 409 and is never overwritten.',
          tags,
          params: schemas.idParams,
          querystring: schemas.dryRunQuery,
          headers: schemas.ifMatchHeaders,
          body: schemas.updateDistributionBody,
          response: { 200: schemas.distributionChangeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const result = await mapped(() => service.updateDistribution(actorOf(request), request.params.id, rawBody(request), ifMatchOf(request), request.query.dryRun === true));
        if (result.distribution !== null) reply.header('etag', result.distribution.etag);
        return result;
      },
    );

    app.post<{ Params: { id: string } } & DryRunQuery>(
      '/distributions/:id/disable',
      {
        config: admin,
        schema: { summary: 'Disable a distribution', tags, params: schemas.idParams, querystring: schemas.dryRunQuery, headers: schemas.ifMatchHeaders, response: { 200: schemas.distributionChangeResponse, ...errors } },
      },
      async (request) => mapped(() => service.disableDistribution(actorOf(request), request.params.id, ifMatchOf(request), request.query.dryRun === true)),
    );

    app.delete<{ Params: { id: string } } & DryRunQuery>(
      '/distributions/:id',
      {
        config: admin,
        schema: {
          summary: 'Delete a disabled distribution',
          tags,
          params: schemas.idParams,
          querystring: schemas.dryRunQuery,
          headers: schemas.ifMatchHeaders,
          response: { 200: schemas.distributionChangeResponse, 204: { type: 'null', description: 'Deleted.' }, ...errors },
        },
      },
      async (request, reply) => {
        const result = await mapped(() => service.deleteDistribution(actorOf(request), request.params.id, ifMatchOf(request), request.query.dryRun === true));
        if (!result.dryRun) return reply.code(204).send();
        return result;
      },
    );

    app.get<{ Params: { id: string } }>(
      '/distributions/:id/deployment',
      { config: admin, schema: { summary: 'Deployment status (InProgress → Deployed)', tags, params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.deploymentResponse, ...errors } } },
      async (request) => mapped(() => service.deployment(request.params.id)),
    );

    app.get<{ Params: { id: string } }>(
      '/distributions/:id/invalidations',
      { config: admin, schema: { summary: 'Invalidations of a distribution', tags, params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.invalidationListResponse, ...errors } } },
      async (request) => mapped(async () => ({ invalidations: await service.listInvalidations(request.params.id) })),
    );

    app.post<{ Params: { id: string }; Body: { paths: string[] } }>(
      '/distributions/:id/invalidations',
      {
        config: admin,
        schema: { summary: 'Invalidate paths', tags, params: schemas.idParams, querystring: schemas.emptyQuery, body: schemas.invalidationBody, response: { 201: schemas.invalidationResponse, ...errors } },
      },
      async (request, reply) => {
        const invalidation = await mapped(() => service.createInvalidation(actorOf(request), request.params.id, request.body.paths));
        return reply.code(201).send({ invalidation });
      },
    );

    // Real-time log configs

    app.get(
      '/realtime-log-configs',
      { config: admin, schema: { summary: 'Real-time log configs', tags, querystring: schemas.emptyQuery, response: { 200: schemas.logConfigListResponse, ...errors } } },
      async () => mapped(async () => ({ provider: service.providerKind, configs: await service.listLogConfigs() })),
    );

    app.get(
      '/realtime-log-configs/fields',
      { config: admin, schema: { summary: 'Real-time log fields by group, with their size', tags, querystring: schemas.emptyQuery, response: { 200: schemas.fieldCatalogueResponse, ...errors } } },
      () => service.fieldCatalogue(),
    );

    app.post(
      '/realtime-log-configs/estimate',
      {
        config: admin,
        preValidation: strictBody,
        schema: { summary: 'Monthly cost and shards of a log config, before saving', tags, querystring: schemas.emptyQuery, body: schemas.estimateBody, response: { 200: schemas.estimateSchema, ...errors } },
      },
      async (request) => mapped(() => Promise.resolve(service.estimate(rawBody(request)))),
    );

    app.post<DryRunQuery>(
      '/realtime-log-configs',
      {
        config: admin,
        preValidation: strictBody,
        schema: {
          summary: 'Create a real-time log config',
          description: 'With an existing or a new Kinesis stream and IAM role. Refused when the stream is fed by a config with another field set: a stream has one layout.',
          tags,
          querystring: schemas.dryRunQuery,
          body: schemas.createLogConfigBody,
          response: { 200: schemas.logConfigChangeResponse, 201: schemas.logConfigChangeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const result = await mapped(() => service.createLogConfig(actorOf(request), rawBody(request), request.query.dryRun === true));
        if (result.config !== null) reply.code(201);
        return result;
      },
    );

    app.get<{ Params: { name: string } }>(
      '/realtime-log-configs/:name',
      { config: admin, schema: { summary: 'One real-time log config', tags, params: schemas.nameParams, querystring: schemas.emptyQuery, response: { 200: schemas.logConfigResponse, ...errors } } },
      async (request) => mapped(() => service.getLogConfig(request.params.name)),
    );

    app.put<{ Params: { name: string } } & DryRunQuery>(
      '/realtime-log-configs/:name',
      {
        config: admin,
        preValidation: strictBody,
        schema: {
          summary: 'Change a real-time log config',
          description: 'A field change keeps earlier records parseable by their field count; a change to another field set of the same count is refused (use a new stream).',
          tags,
          params: schemas.nameParams,
          querystring: schemas.dryRunQuery,
          body: schemas.updateLogConfigBody,
          response: { 200: schemas.logConfigChangeResponse, ...errors },
        },
      },
      async (request) => mapped(() => service.updateLogConfig(actorOf(request), request.params.name, rawBody(request), request.query.dryRun === true)),
    );

    app.delete<{ Params: { name: string } } & DryRunQuery>(
      '/realtime-log-configs/:name',
      {
        config: admin,
        schema: {
          summary: 'Delete a real-time log config (detach it first)',
          tags,
          params: schemas.nameParams,
          querystring: schemas.dryRunQuery,
          response: { 200: schemas.logConfigChangeResponse, 204: { type: 'null', description: 'Deleted.' }, ...errors },
        },
      },
      async (request, reply) => {
        const result = await mapped(() => service.deleteLogConfig(actorOf(request), request.params.name, request.query.dryRun === true));
        if (!result.dryRun) return reply.code(204).send();
        return result;
      },
    );

    for (const method of ['POST', 'DELETE'] as const) {
      app.route<{ Params: { name: string } } & DryRunQuery>({
        method,
        url: '/realtime-log-configs/:name/attachments',
        config: admin,
        preValidation: strictBody,
        schema: {
          summary: method === 'POST' ? 'Attach a log config to a cache behavior' : 'Detach a log config from a cache behavior',
          tags,
          params: schemas.nameParams,
          querystring: schemas.dryRunQuery,
          body: schemas.attachmentBody,
          response: { 200: schemas.attachmentResponse, ...errors },
        },
        handler: async (request) => {
          const body = rawBody(request);
          const distributionId = typeof body.distributionId === 'string' ? body.distributionId : '';
          const pathPattern = typeof body.pathPattern === 'string' ? body.pathPattern : '';
          if (distributionId === '') throw invalidParameter('distributionId', 'is required');
          if (pathPattern === '') throw invalidParameter('pathPattern', 'is required (`*` for the default behavior)');
          return mapped(() => service.setAttachment(actorOf(request), request.params.name, { distributionId, pathPattern }, method === 'POST', request.query.dryRun === true));
        },
      });
    }

    // Change markers and the audit log

    app.get<{ Querystring: { from?: string; to?: string; distribution?: string; limit?: number } }>(
      '/changes',
      {
        config: viewer,
        schema: {
          summary: 'Control-plane changes in a time range, as chart markers',
          tags,
          querystring: schemas.changesQuery,
          response: { 200: schemas.changesResponse, 400: errors[400] },
        },
      },
      async (request) => {
        const { fromMs, toMs } = rangeOf(request.query);
        const distribution = request.query.distribution?.trim();
        if (distribution !== undefined && !/^[A-Z0-9]{1,32}$/.test(distribution)) throw invalidParameter('distribution', 'must be a distribution ID');
        return { markers: await service.changes({ fromMs, toMs, limit: request.query.limit ?? 200, ...(distribution ? { distributionId: distribution } : {}) }) };
      },
    );

    app.get<{ Querystring: { from?: string; to?: string; distribution?: string; limit?: number } }>(
      '/control-plane/audit',
      { config: admin, schema: { summary: 'The control-plane audit log', tags, querystring: schemas.changesQuery, response: { 200: schemas.auditResponse, 400: errors[400] } } },
      async (request) => {
        const { fromMs, toMs } = rangeOf(request.query);
        return { entries: await service.audit({ fromMs, toMs, limit: request.query.limit ?? 200 }) };
      },
    );

    return Promise.resolve();
  };
}

function rangeOf(q: { from?: string; to?: string }): { fromMs: number; toMs: number } {
  const toMs = q.to === undefined ? Date.now() + 1 : parseTime('to', q.to);
  const fromMs = q.from === undefined ? toMs - DAY_MS : parseTime('from', q.from);
  if (fromMs >= toMs) throw invalidParameter('from', 'must be before to');
  return { fromMs, toMs };
}
