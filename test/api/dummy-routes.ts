/**
 * Small route plugins that exercise the API platform (auth, errors, OpenAPI, metrics) the way the
 * real route modules use it.
 */
import type { FastifyPluginCallback } from 'fastify';
import { ApiError, invalidParameter } from '../../api/errors.js';

const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } as const;
const error = { $ref: 'ApiErrorResponse#' } as const;

export const SECRET_DETAIL = 'SELECT secret_column FROM edgewatch.requests WHERE password = 1';

/** Routes: a viewer route with validated query, an admin route, one without a declared role. */
export const dummyRoutes: FastifyPluginCallback = (app, _options, done) => {
  app.get(
    '/things',
    {
      config: { role: 'viewer' },
      schema: {
        description: 'A viewer route.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 10 }, order: { type: 'string', enum: ['asc', 'desc'] }, q: { type: 'string' } },
        },
        response: { 200: ok, 400: error },
      },
    },
    (_request, reply) => reply.send({ ok: true }),
  );
  app.get(
    '/things/:id',
    {
      config: { role: 'viewer' },
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z]+$' } } },
        querystring: { type: 'object', required: ['from'], properties: { from: { type: 'string', maxLength: 40 } } },
        response: { 200: ok },
      },
    },
    (_request, reply) => reply.send({ ok: true }),
  );
  app.post(
    '/settings',
    {
      config: { role: 'admin' },
      schema: {
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 } } },
        response: { 200: ok },
      },
    },
    (_request, reply) => reply.send({ ok: true }),
  );
  // No declared role: needs admin.
  app.get('/undeclared', { schema: { querystring: { type: 'object' }, response: { 200: ok } } }, (_request, reply) => reply.send({ ok: true }));
  done();
};

/** Routes that fail in the ways the error handler maps. */
export const failingRoutes: FastifyPluginCallback = (app, _options, done) => {
  const viewer = { role: 'viewer' as const };
  const schema = { querystring: { type: 'object' }, response: { 200: ok } };
  app.get('/fail/internal', { config: viewer, schema }, () => {
    throw new Error(SECRET_DETAIL);
  });
  app.get('/fail/parameter', { config: viewer, schema }, () => {
    throw invalidParameter('distribution', 'unknown distribution E2EXAMPLE');
  });
  app.get('/fail/overloaded', { config: viewer, schema }, () => {
    throw new ApiError(503, 'overloaded', 'the query queue is full', undefined, 7);
  });
  app.get('/fail/timeout', { config: viewer, schema }, () => {
    throw new ApiError(504, 'query_timeout', 'the query ran longer than 10 s');
  });
  done();
};
