/**
 * GET /api/v1/stats/* and /api/v1/definitions: a fastify plugin (registered under /api/v1), viewer role.
 */
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import { invalidParameter } from '../errors.js';
import { DIMENSION_NAMES, type DimensionName, type TopDimension } from '../query/dimensions.js';
import { DEFINITIONS } from '../query/definitions.js';
import { parseFilters, DEFAULT_FILTER_LIMITS, type DistributionResolver, type FilterLimits, type FilterQuery } from '../query/filters.js';
import type { IntervalName } from '../query/intervals.js';
import * as schemas from './stats-schemas.js';
import type { ComparePeriod, PercentileName, PlanMode, StatsQueries, TimeseriesMetric, TimeseriesRank, TopOrder } from './stats-queries.js';

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

    app.get<{ Querystring: WithPlan & { metric?: TimeseriesMetric; interval?: IntervalName; groupBy?: DimensionName; top?: number; rankBy?: TimeseriesRank; percentile?: string } }>(
      '/stats/timeseries',
      {
        config: viewer,
        schema: {
          summary: 'One metric over time, optionally split by a dimension (top N ranked by a measure) or into several percentiles',
          tags: ['stats'],
          querystring: schemas.timeseriesQuery,
          response: { 200: schemas.timeseriesResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const q = request.query;
        // The schema's pattern admits only known names.
        const percentiles = (q.percentile ?? 'p95').split(',') as PercentileName[];
        return queries.timeseries(
          filtersOf(q),
          q.plan ?? 'auto',
          { metric: q.metric ?? 'requests', interval: q.interval, groupBy: q.groupBy, top: q.top ?? 5, rankBy: q.rankBy, percentile: percentiles[0] ?? 'p95', percentiles },
          clientGone(reply),
        );
      },
    );

    app.get<{ Querystring: WithPlan & { by?: string; top?: number } }>(
      '/stats/breakdown',
      {
        config: viewer,
        schema: {
          summary: 'Two dimensions at once (e.g. POP × country): the busiest values of each and their cells',
          tags: ['stats'],
          querystring: schemas.breakdownQuery,
          response: { 200: schemas.breakdownResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const names = (q.by ?? 'pop,country').split(',');
        for (const name of names) {
          if (!(DIMENSION_NAMES as readonly string[]).includes(name)) throw invalidParameter('by', `unknown dimension "${name.slice(0, 40)}"; expected two of ${DIMENSION_NAMES.join(', ')}`);
        }
        const [first, second] = names as [DimensionName, DimensionName];
        return queries.breakdown(filtersOf(q), q.plan ?? 'auto', { by: [first, second], top: q.top ?? 10 }, clientGone(reply));
      },
    );

    app.get<{ Querystring: FilterQuery & { interval?: IntervalName } }>(
      '/stats/video',
      {
        config: viewer,
        schema: {
          summary: 'Video playback quality from CMCD: bitrates per streaming format, rebuffering, sessions, startup, buffer length',
          description: 'Read from raw records (the rollups hold no CMCD). Only requests that carry CMCD count.',
          tags: ['stats'],
          querystring: schemas.videoQuery,
          response: { 200: schemas.videoResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { interval, ...filterQuery } = request.query;
        return queries.video.video(filtersOf(filterQuery), { interval }, clientGone(reply));
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
