/**
 * `GET /api/v1/live`: a Server-Sent Events stream of per-second counters and sampled records that
 * match the stats filters. Read it with `fetch` and an `Authorization` header (a browser's
 * EventSource cannot send one), e.g. `fetch(url, { headers: { authorization: 'Bearer …' } })` and
 * `response.body` through a TextDecoderStream, splitting events on blank lines.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ApiError, errorResponseSchema, invalidParameter } from '../errors.js';
import { DEFAULT_FILTER_LIMITS, filterQuerySchema, parseFilters, type DistributionResolver, type FilterLimits, type FilterQuery } from '../query/filters.js';
import type { SecondCounters } from './live-counters.js';
import { MAX_PLACES } from './live-places.js';
import type { LiveFilters } from './live-filter.js';
import type { LiveHub } from './live-hub.js';
import { SseStream } from './sse-stream.js';

export interface LiveRouteDependencies {
  readonly hub: LiveHub;
  /** Distribution ID or CloudFront domain → ID; undefined when unknown (the `distribution` filter). */
  readonly resolveDistribution: DistributionResolver;
  readonly filterLimits?: FilterLimits;
  /** Live streams open at once, at most (beyond: 503); default 32. */
  readonly maxStreams?: number;
  /** Highest `rate` a client may ask for (records per second); default 100. */
  readonly maxRate?: number;
  readonly heartbeatMs?: number;
  /** Unsent bytes a stream may hold before its messages are skipped; default 256 KiB. */
  readonly maxBufferedBytes?: number;
}

export const DEFAULT_LIVE_RATE = 10;
const RETRY_AFTER_S = 5;

const ERROR_REF = { $ref: `${errorResponseSchema.$id}#` } as const;

const number = { type: 'number' } as const;
const nullableRatio = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;

/** Data of a `counters` event (documentation: events are not validated on the way out). */
export const liveCountersSchema = {
  type: 'object',
  properties: {
    t: { type: 'integer', description: 'Start of the second (epoch ms) in which edgewatch read the records.' },
    sampledRequests: number,
    sampledBytes: number,
    requests: number,
    bytes: number,
    requestsVar: number,
    bytesVar: number,
    ratioRequests: number,
    ratioBytes: number,
    hits: number,
    hitBytes: number,
    misses: number,
    cacheableRequests: number,
    cacheableHits: number,
    status4xx: number,
    status5xx: number,
    geoBlocked: number,
    cacheHitRatio: nullableRatio,
    edgeHitRatio: nullableRatio,
    byteHitRatio: nullableRatio,
    errorRate4xx: nullableRatio,
    errorRate5xx: nullableRatio,
    dropped: { type: 'integer' },
    stale: { type: 'integer' },
    invalid: { type: 'integer' },
    recordsSent: { type: 'integer' },
    recordsOverRate: { type: 'integer' },
    missedEvents: { type: 'integer' },
    countries: {
      type: 'array',
      description: `Requests and bytes per viewer country in this second (extrapolated), busiest first, at most ${MAX_PLACES}.`,
      items: { type: 'object', properties: { country: { type: 'string' }, requests: number, bytes: number } },
    },
    pops: {
      type: 'array',
      description: `Requests and bytes per POP in this second (extrapolated), busiest first, at most ${MAX_PLACES}, with the POP's city and coordinates (null when unknown).`,
      items: {
        type: 'object',
        properties: {
          pop: { type: 'string' },
          city: { type: 'string' },
          country: { type: 'string' },
          lat: { type: ['number', 'null'] },
          lon: { type: ['number', 'null'] },
          requests: number,
          bytes: number,
        },
      },
    },
    countriesOmittedRequests: { type: 'number', description: 'Requests of countries beyond the list.' },
    popsOmittedRequests: { type: 'number', description: 'Requests of POPs beyond the list.' },
  },
} as const;

const STREAM_DESCRIPTION = `Server-Sent Events (\`text/event-stream\`), one JSON object per \`data:\` line. Read it with \`fetch\` and an \`Authorization: Bearer\` header. Events:
- \`ready\` (once, first): \`{ startedAt, rate, heartbeatMs, filters }\`, the filters as understood.
- \`counters\` (every second, zeros included): the records read in second \`t\` that match the filters. \`requests\`, \`bytes\` and the other counts are extrapolated by each record's sampling rate (Σ 100/rate); \`sampledRequests\` and \`sampledBytes\` are as logged; \`requestsVar\`/\`bytesVar\` are the variance sums Σ w(w−1), Σ w(w−1)·bytes² for a 95 % interval (± 1.96·√var). \`ratioRequests\`/\`ratioBytes\` leave WebSocket connections out, as hit ratios do. \`hits\`: cache status hit, refresh_hit or origin_shield_hit; \`cacheableRequests\`: method not POST/PUT and cache status not error, limit_exceeded or capacity_exceeded; \`cacheHitRatio\` = cacheableHits ÷ cacheableRequests, \`edgeHitRatio\` = hits ÷ ratioRequests, \`byteHitRatio\` = hitBytes ÷ ratioBytes, \`errorRate4xx\`/\`errorRate5xx\` = status 400–499 / 500–599 ÷ requests (null when there is nothing to divide by). \`geoBlocked\`: x-edge-detailed-result-type ClientGeoBlocked. \`countries\` and \`pops\`: requests and bytes per viewer country and per POP (POPs with city and coordinates), busiest first, at most ${MAX_PLACES} each; \`countriesOmittedRequests\`/\`popsOmittedRequests\`: the requests beyond those lists. What the live view could not show: \`dropped\` (records it had no time for: the counts are then too low), \`stale\` (records read more than a minute after they reached the stream, e.g. a backlog after a restart), \`invalid\` (unreadable lines); \`recordsOverRate\`: matching records not sent because of \`rate\`; \`missedEvents\`: events this client missed because it did not read fast enough.
- \`record\` (at most \`rate\` a second, as they arrive): one sampled matching request as flat JSON. Every text value is attacker-controlled: show it as text, never as HTML.
- \`closing\`: \`{ reason }\`, the server ends the stream (shutdown); reconnect later.
Lines starting with \`:\` are heartbeats. \`from\` and \`to\` are not accepted (400): the stream starts now. When too many live streams are open the answer is 503 with Retry-After.
A scale-out \`serve\` replica is fed per-second counters summed by dimension (distribution, country, POP code, cache status, status class, method, protocol, HTTP version, content class, device, bot, source) and a sample of records; the filters of a filtered stream are applied by the processors themselves (pushed down), which publish its exact counters and its own sample of matching records from a second or two after the stream opens. Until then filters on those dimensions are answered from the summed counters (\`dropped\` counts what they could not attribute) and filters on other fields count nothing yet.`;

export function liveRoutes(deps: LiveRouteDependencies): FastifyPluginAsync {
  const maxStreams = deps.maxStreams ?? 32;
  const maxRate = deps.maxRate ?? 100;
  const limits = deps.filterLimits ?? DEFAULT_FILTER_LIMITS;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const notAccepted = { type: 'string', maxLength: 40, description: 'Not accepted (400): the live stream starts now.' } as const;

  return (app) => {
    const open = new Set<SseStream>();

    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', (done) => {
      for (const stream of [...open]) {
        stream.send('closing', () => ({ reason: 'the server is shutting down' }));
        stream.close();
      }
      done();
    });

    app.get(
      '/live',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Live stream of per-second counters and sampled records',
          description: STREAM_DESCRIPTION,
          tags: ['live'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...filterQuerySchema,
              from: notAccepted,
              to: notAccepted,
              rate: {
                type: 'integer',
                minimum: 0,
                maximum: maxRate,
                default: DEFAULT_LIVE_RATE,
                description: `Most sampled records sent per second (0: counters only). Default ${DEFAULT_LIVE_RATE}, at most ${maxRate}.`,
              },
            },
          },
          response: {
            200: {
              description: STREAM_DESCRIPTION,
              content: {
                'text/event-stream': {
                  // One event of the stream (OpenAPI 3.0 describes an event stream by its events).
                  schema: {
                    type: 'object',
                    required: ['data'],
                    properties: {
                      event: { type: 'string', enum: ['ready', 'counters', 'record', 'closing'] },
                      data: { type: 'string', description: 'JSON: ready info, LiveCounters, LiveRecord or { reason }.' },
                      id: { type: 'string' },
                      retry: { type: 'integer' },
                    },
                    description: 'Events `ready`, `counters` (data: LiveCounters), `record` (data: LiveRecord), `closing`.',
                  },
                },
              },
            },
            // 400: a filter is invalid (the message names it), cannot be applied by a hub fed by counter cells
            // without push-down, or from/to was given; 503: too many streams are open.
            400: ERROR_REF,
            503: ERROR_REF,
          },
        },
      },
      async (request, reply) => {
        const query = request.query as FilterQuery & { rate?: number; from?: string; to?: string };
        if (query.from !== undefined) throw invalidParameter('from', 'does not apply to the live stream, which starts now');
        if (query.to !== undefined) throw invalidParameter('to', 'does not apply to the live stream, which starts now');
        const { fromMs: _f, toMs: _t, ...filters } = parseFilters(liveQuery(query), deps.resolveDistribution, limits);
        const rate = query.rate ?? DEFAULT_LIVE_RATE;
        const unsupported = deps.hub.unsupportedFilter(filters);
        if (unsupported !== null) throw invalidParameter(unsupported.parameter, unsupported.reason);
        if (deps.hub.stopped) {
          throw new ApiError(503, 'overloaded', 'the live view is stopping; retry shortly', undefined, RETRY_AFTER_S);
        }
        if (open.size >= maxStreams) {
          throw new ApiError(503, 'overloaded', `too many live streams are open (${maxStreams}); retry later`, undefined, RETRY_AFTER_S);
        }

        const stream = new SseStream(reply.raw, { heartbeatMs, maxBufferedBytes: deps.maxBufferedBytes });
        // Subscribed before the response is taken over, so a failure here is still an ordinary error reply.
        // Events this client missed since the last `counters` event it received.
        let missedEvents = 0;
        const subscription = deps.hub.subscribe({
          filters,
          recordsPerSecond: rate,
          onSecond: (counters: SecondCounters) => {
            if (stream.send('counters', () => ({ ...counters, missedEvents }))) missedEvents = 0;
            else missedEvents++;
          },
          onRecord: (record) => {
            if (!stream.send('record', () => record)) missedEvents++;
          },
          onClose: () => {
            stream.send('closing', () => ({ reason: 'the live view stopped' }));
            stream.close();
          },
        });

        reply.hijack();
        stream.open(headersOf(reply.getHeaders()));
        open.add(stream);
        stream.send('ready', () => ({ startedAt: new Date().toISOString(), rate, heartbeatMs, filters: describeFilters(filters) }));
        stream.onClose(() => {
          subscription.close();
          open.delete(stream);
          request.log.debug({ component: 'live', subscriber: subscription.id }, 'live stream closed');
        });
        request.log.debug({ component: 'live', subscriber: subscription.id, open: open.size }, 'live stream opened');
      },
    );
    return Promise.resolve();
  };
}

/** The filter parameters of a live query, without `rate` (and without from/to, refused above). */
function liveQuery(query: FilterQuery & { rate?: number }): FilterQuery {
  const { rate: _rate, from: _from, to: _to, ...rest } = query;
  return rest;
}

/** The parsed filters as plain JSON for the `ready` event. */
function describeFilters(filters: LiveFilters): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filters).filter(([key, value]) => key !== 'distributions' || (value as string[]).length > 0));
}

function headersOf(headers: Record<string, string | number | string[] | undefined>): Record<string, string | number | string[]> {
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string | number | string[]] => entry[1] !== undefined));
}
