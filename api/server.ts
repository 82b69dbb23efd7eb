/**
 * The HTTP server: built by `buildApp` (tested with `inject`), started by the caller with `listen`.
 *
 * Public: `/` (the dashboard, see dashboard-assets.ts), `/healthz`, `/metrics`, `/openapi.json`, `/docs`. Everything under `/api/`
 * needs a bearer token; route modules are registered under `/api/v1` and declare the role each route
 * needs with `config: { role: 'viewer' | 'admin' }` (admin when absent).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';
import { installAuthentication } from './auth/authentication.js';
import { dashboardAssets, type DashboardAssetsOptions } from './dashboard-assets.js';
import type { TokenStore } from './auth/token-store.js';
import { errorResponseSchema } from './errors.js';
import type { HealthSource } from './health.js';
import { installClosingGuard } from './http/closing-guard.js';
import { installErrorHandling } from './http/error-handler.js';
import { installMetrics, metricsRoute, type MetricsOptions } from './http/metrics.js';
import { installApiRouteDefaults, openApiRoute, registerOpenApi } from './http/openapi.js';
import { DEFAULT_RATE_LIMIT, registerRateLimit, type RateLimitOptions } from './http/rate-limit.js';
import { apiLogger, installRequestLog } from './http/request-log.js';

export const API_PREFIX = '/api/v1';
const API_VERSION = '1.0.0';

/** A route module: a fastify plugin registered under /api/v1. */
export type RoutePlugin = FastifyPluginAsync | FastifyPluginCallback;

export interface AppDependencies {
  readonly health: HealthSource;
  /** Who may call /api/ routes. An empty store refuses every /api/ request. */
  readonly auth: TokenStore;
  /** Route modules, each registered with the prefix `/api/v1`. */
  readonly routes?: readonly RoutePlugin[];
  /** Extra figures for /metrics (work queues, process metrics). */
  readonly metrics?: MetricsOptions;
  /** Per-token limit; default 1200 requests per minute. */
  readonly rateLimit?: RateLimitOptions;
  /** The process logger (the API logs as `component: api`, never headers or query strings), or false. */
  readonly logger?: Logger | false;
  /** The built dashboard served at `/`; absent: a page saying how to build it. */
  readonly dashboard?: DashboardAssetsOptions;
  /**
   * Proxies whose X-Forwarded-For is believed (client address for the rate limit and logs): true,
   * a hop count, or addresses / CIDRs / `loopback`, `linklocal`, `uniquelocal`. Default: none.
   */
  readonly trustProxy?: TrustProxy;
}

export type TrustProxy = boolean | number | readonly string[];

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
          stream: { type: 'string' },
          readMode: { type: 'string', enum: ['polling', 'fan-out'] },
          bytesRead: { type: 'integer' },
          recordsPerSecond: { type: 'number' },
          bytesPerSecond: { type: 'number' },
          throttles: { type: 'integer' },
          errors: { type: 'object', additionalProperties: { type: 'integer' } },
          leaseOwner: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

function publicRoutes(health: HealthSource): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get(
      '/healthz',
      { schema: { description: 'Pipeline health; 503 while degraded or stopping.', response: { 200: healthSchema, 503: healthSchema } } },
      async (_request, reply) => {
        const report = health();
        return reply.code(report.status === 'ok' ? 200 : 503).send(report);
      },
    );
    done();
  };
}

function trustProxyOption(trust: TrustProxy | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'object' ? [...trust] : trust;
}

export function buildApp(deps: AppDependencies): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: apiLogger(deps.logger) } : { logger: false }),
    // Requests are logged by installRequestLog, without headers or query strings.
    logController: new LogController({ disableRequestLogging: true }),
    // The closing guard answers in the API's error shape instead.
    return503OnClosing: false,
    // Every filter at its longest, percent-encoded, fits (Node's default is 16 KiB, which is less).
    http: { maxHeaderSize: 64 * 1024 },
    trustProxy: trustProxyOption(deps.trustProxy),
  });
  app.addSchema(errorResponseSchema);

  // Hooks run in the order added: the closing guard, then identification (onRequest), the rate limit
  // (each route's onRequest), then authorization (preParsing).
  installClosingGuard(app);
  installAuthentication(app, deps.auth);
  installErrorHandling(app);
  installRequestLog(app);
  const metrics = installMetrics(app, deps.health, deps.metrics);
  installApiRouteDefaults(app);

  // Plugins that watch routes being added (the OpenAPI document, the rate limiter) come before any route.
  registerOpenApi(app, { version: API_VERSION });
  registerRateLimit(app, deps.rateLimit ?? DEFAULT_RATE_LIMIT);
  void app.register(publicRoutes(deps.health));
  void app.register(dashboardAssets(deps.dashboard));
  void app.register(metricsRoute(metrics));
  void app.register(openApiRoute);
  for (const routes of deps.routes ?? []) void app.register(routes, { prefix: API_PREFIX });

  return app;
}
