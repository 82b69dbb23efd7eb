/**
 * The imports API: `POST /api/v1/imports` starts an import in the server's process (the command
 * line hands its job over here while a server owns the embedded store), `GET /api/v1/imports/:id`
 * follows one, `GET /api/v1/imports` lists running and recent ones (for the dashboard).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, invalidParameter } from '../errors.js';
import { importJobBodySchema, importJobStatusSchema, type ImportJobBody, type ImportJobs } from './import-schemas.js';

const errorRef = { $ref: 'ApiErrorResponse#' } as const;

const BODY_FIELDS = new Set(Object.keys(importJobBodySchema.properties));

/** The schema validator drops unknown fields silently; a typo (`sampling_rate`) must be a 400 instead. */
function refuseUnknownFields(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const body: unknown = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return done(invalidParameter('body', 'must be a JSON object'));
  const unknown = Object.keys(body).find((field) => !BODY_FIELDS.has(field));
  done(unknown === undefined ? undefined : invalidParameter(unknown.slice(0, 64), `unknown field; expected ${[...BODY_FIELDS].join(', ')}`));
}

export function importRoutes(jobs: ImportJobs): FastifyPluginAsync {
  return (app) => {
    app.post<{ Body: ImportJobBody }>(
      '/imports',
      {
        config: { role: 'admin' },
        preValidation: refuseUnknownFields,
        schema: {
          summary: 'Start an import of standard or real-time log files or S3 objects',
          description:
            'Runs in the server process, exactly once per file or object (a re-run skips what is done). Paths are read on the server’s machine; S3 uses the server’s AWS credentials.',
          tags: ['imports'],
          querystring: { type: 'object', additionalProperties: false, properties: {} },
          body: importJobBodySchema,
          response: { 202: importJobStatusSchema, 400: errorRef },
        },
      },
      (request, reply) => reply.code(202).send(jobs.start(request.body)),
    );

    app.get(
      '/imports',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Running and recent imports',
          tags: ['imports'],
          querystring: { type: 'object', additionalProperties: false, properties: {} },
          response: { 200: { type: 'object', required: ['imports'], properties: { imports: { type: 'array', items: importJobStatusSchema } } } },
        },
      },
      (_request, reply) => reply.send({ imports: jobs.list() }),
    );

    app.get<{ Params: { id: string } }>(
      '/imports/:id',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Progress of one import',
          tags: ['imports'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } } },
          querystring: { type: 'object', additionalProperties: false, properties: {} },
          response: { 200: importJobStatusSchema, 400: errorRef, 404: errorRef },
        },
      },
      (request, reply) => {
        const status = jobs.get(request.params.id);
        if (status === undefined) throw new ApiError(404, 'not_found', `no import ${request.params.id}`);
        return reply.send(status);
      },
    );
    return Promise.resolve();
  };
}
