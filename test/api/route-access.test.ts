/**
 * The access rules on every /api/ route, checked by enumerating the routes the plugins register.
 * Route modules add their plugins here (or call describeRouteAccess in their own tests).
 */
import { dummyRoutes, failingRoutes } from './dummy-routes.js';
import { describeRouteAccess } from '../support/api-test-kit.js';
import { StatsQueries } from '../../api/stats/stats-queries.js';
import { statsRoutes } from '../../api/stats/stats-routes.js';
import { StatsService } from '../../api/stats/stats-service.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { alertRoutes } from '../../api/alerts/alert-routes.js';
import { AlertService } from '../../api/alerts/alert-service.js';
import { AlertStore } from '../../api/alerts/alert-store.js';
import { LiveAlertSource } from '../../api/alerts/live-alert-source.js';
import { LiveHub } from '../../api/live/live-hub.js';

describeRouteAccess('platform test routes', [dummyRoutes, failingRoutes], {
  expectRoutes: ['/api/v1/things', '/api/v1/things/:id', '/api/v1/settings', '/api/v1/undeclared'],
});

// The real stats routes; their handlers are never reached, so no store is needed.
const unusedService = new StatsService({ clickhouse: {} as ClickHouse });
describeRouteAccess('stats routes', [statsRoutes({ queries: new StatsQueries(unusedService), resolveDistribution: (x) => x })], {
  expectRoutes: ['/api/v1/stats/summary', '/api/v1/stats/timeseries', '/api/v1/stats/top', '/api/v1/stats/geo', '/api/v1/stats/compare', '/api/v1/definitions'],
});

// The alert routes; their handlers are never reached either.
const unusedAlerts = new AlertService({
  store: new AlertStore({} as ClickHouse),
  source: new LiveAlertSource({ hub: new LiveHub() }),
  logger: { info: () => undefined, warn: () => undefined },
});
describeRouteAccess('alert routes', [alertRoutes({ service: unusedAlerts, resolveDistribution: (x) => x })], {
  expectRoutes: [
    '/api/v1/alerts',
    '/api/v1/alerts/:id',
    '/api/v1/alerts/rules',
    '/api/v1/alerts/rules/:id',
    '/api/v1/alerts/webhooks',
    '/api/v1/alerts/webhooks/:id',
    '/api/v1/alerts/deliveries',
  ],
});
