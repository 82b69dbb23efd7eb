/**
 * GET /api/v1/stats/* and /api/v1/definitions: a fastify plugin (registered under /api/v1), viewer role.
 */
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import type { DimensionName, TopDimension } from '../query/dimensions.js';
import { DEFINITIONS } from '../query/definitions.js';
import { parseFilters, DEFAULT_FILTER_LIMITS, type DistributionResolver, type FilterLimits, type FilterQuery } from '../query/filters.js';
import type { IntervalName } from '../query/intervals.js';
import * as schemas from './stats-schemas.js';
import type { ComparePeriod, PercentileName, PlanMode, StatsQueries, TimeseriesMetric, TopOrder } from './stats-queries.js';

export interface StatsRoutesOptions {
  readonly queries: StatsQueries;
  readonly resolveDistribution: DistributionResolver;
  readonly limits?: FilterLimits;
}

const errorResponses = {
  400: { $ref: 'ApiErrorResponse#' },
  401: { $ref: 'ApiErrorResponse#' },
  429: { $ref: 'ApiErrorResponse#' },
  503: { $ref: 'ApiErrorResponse#' },
} as const;

type WithPlan = FilterQuery & { plan?: PlanMode };

/** Aborts when the client disconnects before the reply is sent. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function statsRoutes(options: StatsRoutesOptions): FastifyPluginCallback {
  const { queries, resolveDistribution } = options;
  const limits = options.limits ?? DEFAULT_FILTER_LIMITS;
  const filtersOf = (query: FilterQuery) => parseFilters(query, resolveDistribution, limits);
  const viewer = { role: 'viewer' as const };

  return (app, _options, done) => {
    app.get<{ Querystring: WithPlan }>(
      '/stats/summary',
      {
        config: viewer,
        schema: { summary: 'Totals, ratios and latency percentiles', tags: ['stats'], querystring: schemas.summaryQuery, response: { 200: schemas.summaryResponse, ...errorResponses } },
      },
      async (request, reply) => queries.summary(filtersOf(request.query), request.query.plan ?? 'auto', clientGone(reply)),
    );

    app.get<{ Querystring: WithPlan & { metric?: TimeseriesMetric; interval?: IntervalName; groupBy?: DimensionName; top?: number; percentile?: PercentileName } }>(
      '/stats/timeseries',
      {
        config: viewer,
        schema: { summary: 'One metric over time, optionally split by a dimension', tags: ['stats'], querystring: schemas.timeseriesQuery, response: { 200: schemas.timeseriesResponse, ...errorResponses } },
      },
      async (request, reply) => {
        const q = request.query;
        return queries.timeseries(
          filtersOf(q),
          q.plan ?? 'auto',
          { metric: q.metric ?? 'requests', interval: q.interval, groupBy: q.groupBy, top: q.top ?? 5, percentile: q.percentile ?? 'p95' },
          clientGone(reply),
        );
      },
    );

    app.get<{ Querystring: WithPlan & { dimension?: TopDimension; limit?: number; orderBy?: TopOrder } }>(
      '/stats/top',
      {
        config: viewer,
        schema: { summary: 'Top values of a dimension', tags: ['stats'], querystring: schemas.topQuery, response: { 200: schemas.topResponse, ...errorResponses } },
      },
      async (request, reply) => {
        const q = request.query;
        return queries.top(filtersOf(q), q.plan ?? 'auto', q.dimension ?? 'uri', q.orderBy ?? 'requests', q.limit ?? 10, clientGone(reply));
      },
    );

    app.get<{ Querystring: WithPlan }>(
      '/stats/geo',
      {
        config: viewer,
        schema: { summary: 'Per viewer country and per POP', tags: ['stats'], querystring: schemas.geoQuery, response: { 200: schemas.geoResponse, ...errorResponses } },
      },
      async (request, reply) => queries.geo(filtersOf(request.query), request.query.plan ?? 'auto', clientGone(reply)),
    );

    app.get<{ Querystring: WithPlan & { previous?: ComparePeriod } }>(
      '/stats/compare',
      {
        config: viewer,
        schema: { summary: 'The summary against an earlier period', tags: ['stats'], querystring: schemas.compareQuery, response: { 200: schemas.compareResponse, ...errorResponses } },
      },
      async (request, reply) => queries.compare(filtersOf(request.query), request.query.plan ?? 'auto', request.query.previous ?? '1d', clientGone(reply)),
    );

    app.get(
      '/definitions',
      {
        config: viewer,
        schema: {
          summary: 'How every metric is computed',
          tags: ['stats'],
          querystring: { type: 'object', additionalProperties: false, properties: {} },
          response: { 200: schemas.definitionsResponse, 401: { $ref: 'ApiErrorResponse#' } },
        },
      },
      () => DEFINITIONS,
    );
    done();
  };
}
