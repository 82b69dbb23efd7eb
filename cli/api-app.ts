/**
 * The API server and dashboard of edgewatch, assembled from the parts a role has: the routes of
 * `edgewatch start` (cli/pipeline.ts) and `edgewatch serve` (cli/serve-role.ts) are built here, so
 * both serve the same API.
 */
import type { FastifyInstance } from 'fastify';
import { alertRoutes } from '../api/alerts/alert-routes.js';
import type { AlertService } from '../api/alerts/alert-service.js';
import { ApiTokensError, loadApiTokens, type ApiTokens } from '../api/auth/token-sources.js';
import { planRoutes } from '../api/capacity/plan-routes.js';
import type { HealthSource } from '../api/health.js';
import type { QueueFigures } from '../api/http/metrics.js';
import { importRoutes } from '../api/imports/import-routes.js';
import type { LiveHub } from '../api/live/live-hub.js';
import { liveRoutes } from '../api/live/live-routes.js';
import { DEFAULT_FILTER_LIMITS } from '../api/query/filters.js';
import { buildApp, type RoutePlugin } from '../api/server.js';
import { distributionResolver } from '../api/stats/distribution-resolver.js';
import { StatsQueries } from '../api/stats/stats-queries.js';
import { statsRoutes } from '../api/stats/stats-routes.js';
import { StatsService } from '../api/stats/stats-service.js';
import { whoamiRoute } from '../api/whoami-route.js';
import { DASHBOARD_DIST } from '../dashboard/build/dashboard-paths.js';
import type { ClickHouse } from '../processor/storage/clickhouse.js';
import { ConfigError, type Config } from './config.js';
import type { ServerImportJobs } from './import-jobs.js';
import type { Logger } from './logger.js';

export interface ApiAppParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly clickhouse: ClickHouse;
  readonly apiTokens: ApiTokens;
  /** CloudFront domain → distribution ID ('' when unknown). */
  readonly resolveDomain: (domain: string | null) => string;
  readonly liveHub: LiveHub;
  /** Null when EDGEWATCH_ALERTS is off. */
  readonly alerts: AlertService | null;
  readonly imports: ServerImportJobs;
  readonly controlPlaneRoutes: RoutePlugin;
  readonly health: HealthSource;
  /** Work queues for /metrics. */
  readonly queues?: () => Readonly<Record<string, QueueFigures>>;
}

export function buildEdgewatchApp(parts: ApiAppParts): FastifyInstance {
  const { config } = parts;
  const resolveDistribution = distributionResolver(parts.resolveDomain);
  const stats = statsRoutes({
    queries: new StatsQueries(new StatsService({ clickhouse: parts.clickhouse, maxConcurrent: config.query.maxConcurrent })),
    resolveDistribution,
    limits: { ...DEFAULT_FILTER_LIMITS, maxRangeMs: config.query.maxRangeDays * 86_400_000 },
  });
  return buildApp({
    health: parts.health,
    auth: parts.apiTokens.store,
    rateLimit: { perMinute: config.api.rateLimitPerMinute },
    ...(config.api.trustProxy === undefined ? {} : { trustProxy: config.api.trustProxy }),
    metrics: { processMetrics: true, ...(parts.queues === undefined ? {} : { queues: parts.queues }) },
    logger: parts.logger,
    routes: [
      stats,
      liveRoutes({ hub: parts.liveHub, resolveDistribution }),
      whoamiRoute(),
      planRoutes(),
      ...(parts.alerts === null ? [] : [alertRoutes({ service: parts.alerts, resolveDistribution })]),
      importRoutes(parts.imports),
      parts.controlPlaneRoutes,
    ],
    dashboard: { dir: DASHBOARD_DIST },
  });
}

/** The API's tokens from the configuration; a bad tokens file stops start-up like any invalid setting. */
export function loadTokens(config: Config, localAdminToken: string): ApiTokens {
  try {
    return loadApiTokens({ ...config.api, dataDir: config.dataDir, localAdminToken });
  } catch (err) {
    if (err instanceof ApiTokensError) throw new ConfigError([`API tokens: ${err.message}`]);
    throw err;
  }
}

/** Requests under way get this long to finish when the server closes. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Closes the server. A connection that never sent a request (a client's or a load balancer's spare)
 * would hold close() until the headers timeout: requests under way get CLOSE_GRACE_MS, then every
 * connection is closed.
 */
export async function closeApp(app: FastifyInstance): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}
