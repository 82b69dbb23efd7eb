/**
 * The health endpoint of the scale-out roles (`ingest`, `process`): GET /healthz with the role's
 * HealthReport, 200 when ok and 503 otherwise, for load balancers and supervisors, and GET /metrics
 * for Prometheus. The roles serve no other API; `edgewatch start` (or an API server of its own) serves the dashboard.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { HealthSource } from '../api/health.js';
import { installMetrics, metricsRoute } from '../api/http/metrics.js';

/** GET /healthz and GET /metrics (Prometheus: the report's figures, per-shard Kinesis reads, the process). */
export function buildHealthServer(health: HealthSource): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_request, reply) => {
    const report = health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  void app.register(metricsRoute(installMetrics(app, health, { processMetrics: true })));
  return app;
}
