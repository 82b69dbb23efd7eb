/**
 * The HTTP server: built by `buildApp` (tested with `inject`), started by the caller with `listen`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { HealthSource } from './health.js';

export interface AppDependencies {
  readonly health: HealthSource;
  /** pino-compatible logger options or false; never logs request headers (tokens). */
  readonly logger?: boolean | { level: string };
}

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgewatch</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:40rem;color:#1d2733}code{background:#eef1f4;padding:0 .3em}</style>
</head><body><h1>edgewatch</h1>
<p>The pipeline is running: simulated CloudFront traffic flows through Kinesis into ClickHouse.</p>
<p>The dashboard is not built yet. Pipeline health: <a href="/healthz"><code>/healthz</code></a>.</p>
</body></html>`;

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['starting', 'ok', 'degraded', 'stopping'] },
    uptimeS: { type: 'number' },
    recordsIngested: { type: 'integer' },
    deadLetters: { type: 'integer' },
    lastInsertAt: { type: ['string', 'null'] },
    insertErrors: { type: 'integer' },
    unknownValues: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } } },
    shards: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          shardId: { type: 'string' },
          millisBehindLatest: { type: ['integer', 'null'] },
          lastSequence: { type: ['string', 'null'] },
          recordsRead: { type: 'integer' },
          finished: { type: 'boolean' },
        },
      },
    },
  },
} as const;

export function buildApp(deps: AppDependencies): FastifyInstance {
  const app = Fastify({ logger: deps.logger ?? false });

  app.get('/healthz', { schema: { response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const report = deps.health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER_PAGE));

  return app;
}
