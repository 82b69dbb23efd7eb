/**
 * The health endpoint of the scale-out roles (`ingest`, `process`): GET /healthz with the role's
 * HealthReport, 200 when ok and 503 otherwise, for load balancers and supervisors. The roles serve no
 * other API; `edgewatch start` (or an API server of its own) serves the dashboard.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { HealthSource } from '../api/health.js';

export function buildHealthServer(health: HealthSource): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_request, reply) => {
    const report = health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  return app;
}
