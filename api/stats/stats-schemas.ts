/**
 * JSON schemas of the stats routes (query strings and responses), which also make the OpenAPI
 * document.
 */
import { DIMENSION_NAMES, TOP_DIMENSIONS } from '../query/dimensions.js';
import { filterQuerySchema } from '../query/filters.js';
import { INTERVAL_NAMES } from '../query/intervals.js';
import { COMPARE_PERIODS, PERCENTILES, TIMESERIES_METRICS, TIMESERIES_RANKS, TOP_ORDERS } from './stats-queries.js';
import { BITRATE_EDGES_KBPS } from './video-stats.js';

const nullableNumber = { type: ['number', 'null'] } as const;
const percentiles = {
  type: 'object',
  required: ['p50', 'p95', 'p99'],
  properties: { p50: nullableNumber, p95: nullableNumber, p99: nullableNumber },
} as const;
const pair = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } as const;

const planQuery = {
  plan: {
    type: 'string',
    enum: ['auto', 'raw'],
    default: 'auto',
    description: 'auto: rollups where the filters allow (see /api/v1/definitions); raw: raw records only (slower, for checking).',
  },
} as const;

function querySchema<P extends Record<string, unknown>>(extra: P) {
  return { type: 'object', additionalProperties: false, properties: { ...filterQuerySchema, ...planQuery, ...extra } } as const;
}

const planInfo = {
  plan: { type: 'string', enum: ['rollup', 'raw'] },
  tables: { type: 'array', items: { type: 'string', enum: ['requests', 'requests_1m', 'requests_1h', 'requests_1m_dim', 'requests_1h_dim', 'requests_1d_dim'] } },
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
} as const;
const planRequired = ['plan', 'tables', 'from', 'to'] as const;

const summaryProperties = {
  ...planInfo,
  requests: { type: 'number' },
  bytes: { type: 'number' },
  sampled: { type: 'object', required: ['requests', 'bytes'], properties: { requests: { type: 'number' }, bytes: { type: 'number' } } },
  interval95: {
    type: ['object', 'null'],
    required: ['requests', 'bytes'],
    properties: { requests: pair, bytes: pair },
    description: '95 % interval of requests and bytes; null at 100 % sampling.',
  },
  cacheHitRatio: nullableNumber,
  edgeHitRatio: nullableNumber,
  byteHitRatio: nullableNumber,
  errorRate4xx: nullableNumber,
  errorRate5xx: nullableNumber,
  geoBlocked: { type: 'number' },
  ttfbMs: percentiles,
  timeTakenMs: percentiles,
  originLatencyMs: percentiles,
  requestsPerSecond: { type: 'number' },
} as const;

export const summaryResponse = {
  type: 'object',
  required: [...planRequired, 'requests', 'bytes', 'sampled', 'interval95', 'cacheHitRatio', 'edgeHitRatio', 'byteHitRatio', 'errorRate4xx', 'errorRate5xx', 'geoBlocked', 'ttfbMs', 'timeTakenMs', 'originLatencyMs', 'requestsPerSecond'],
  properties: summaryProperties,
} as const;

export const summaryQuery = querySchema({});

export const timeseriesQuery = querySchema({
  metric: { type: 'string', enum: TIMESERIES_METRICS, default: 'requests' },
  interval: { type: 'string', enum: INTERVAL_NAMES, description: 'Bucket width; chosen for about 240 buckets when absent.' },
  groupBy: { type: 'string', enum: DIMENSION_NAMES, description: 'Split into one series per value of this dimension.' },
  top: { type: 'integer', minimum: 1, maximum: 20, default: 5, description: 'Series kept when grouping; the rest are summed into "other".' },
  rankBy: {
    type: 'string',
    enum: TIMESERIES_RANKS,
    default: 'requests',
    description: 'What ranks the groupBy values for the top series: requests, bytes, errors (4xx + 5xx), errors5xx, misses or geoBlocked, over the whole range.',
  },
  percentile: {
    type: 'string',
    maxLength: 20,
    pattern: `^(${PERCENTILES.join('|')})(,(${PERCENTILES.join('|')}))*$`,
    default: 'p95',
    description: `Which percentile latency metrics give: one of ${PERCENTILES.join(', ')}, or several comma-separated (one series each, keyed by percentile; not with groupBy).`,
  },
});

export const timeseriesResponse = {
  type: 'object',
  required: [...planRequired, 'metric', 'interval', 'intervalSeconds', 'groupBy', 'rankBy', 'percentiles', 'series'],
  properties: {
    ...planInfo,
    metric: { type: 'string' },
    interval: { type: 'string' },
    intervalSeconds: { type: 'integer' },
    groupBy: { type: ['string', 'null'] },
    rankBy: { type: ['string', 'null'], description: 'How groupBy values were ranked; null without groupBy.' },
    percentiles: { type: ['array', 'null'], items: { type: 'string', enum: PERCENTILES }, description: 'Percentiles of a latency metric (several: one series each, keyed by percentile); null for other metrics.' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'other', 'points'],
        properties: {
          key: { type: 'string' },
          other: { type: 'boolean' },
          points: {
            type: 'array',
            items: { type: 'object', required: ['t', 'value'], properties: { t: { type: 'string', format: 'date-time' }, value: nullableNumber } },
          },
        },
      },
    },
  },
} as const;

export const topQuery = querySchema({
  dimension: { type: 'string', enum: TOP_DIMENSIONS, default: 'uri' },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
  orderBy: { type: 'string', enum: TOP_ORDERS, default: 'requests', description: 'missedUris always orders by misses.' },
});

export const topResponse = {
  type: 'object',
  required: [...planRequired, 'dimension', 'orderBy', 'distinctValues', 'rows'],
  properties: {
    ...planInfo,
    dimension: { type: 'string' },
    orderBy: { type: 'string' },
    distinctValues: { type: 'integer' },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['value', 'requests', 'sampledRequests', 'bytes', 'hitRatio', 'errorRate', 'misses'],
        properties: {
          value: { type: 'string' },
          requests: { type: 'number' },
          sampledRequests: { type: 'number' },
          bytes: { type: 'number' },
          hitRatio: nullableNumber,
          errorRate: nullableNumber,
          misses: { type: 'number' },
        },
      },
    },
  },
} as const;

export const breakdownQuery = querySchema({
  by: {
    type: 'string',
    maxLength: 64,
    pattern: '^[A-Za-z]+,[A-Za-z]+$',
    description: `Two dimensions, comma-separated, e.g. pop,country. Each of: ${DIMENSION_NAMES.join(', ')}.`,
  },
  top: { type: 'integer', minimum: 1, maximum: 50, default: 10, description: 'Values kept per dimension (the busiest by requests); at most top² cells.' },
});

const rankedValues = {
  type: 'array',
  items: { type: 'object', required: ['value', 'requests'], properties: { value: { type: 'string' }, requests: { type: 'number' } } },
} as const;

export const breakdownResponse = {
  type: 'object',
  required: [...planRequired, 'by', 'top', 'values', 'cells'],
  properties: {
    ...planInfo,
    by: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
    top: { type: 'integer' },
    values: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: rankedValues,
      description: 'Per dimension, its kept values that have cells, busiest first, with their requests over all values of the other dimension.',
    },
    cells: {
      type: 'array',
      items: {
        type: 'object',
        required: ['values', 'requests', 'bytes', 'hitRatio', 'errorRate', 'ttfbMs'],
        properties: {
          values: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
          requests: { type: 'number' },
          bytes: { type: 'number' },
          hitRatio: nullableNumber,
          errorRate: nullableNumber,
          ttfbMs: percentiles,
        },
      },
    },
  },
} as const;

export const videoQuery = querySchema({
  interval: { type: 'string', enum: INTERVAL_NAMES, description: 'Bucket width of the series; chosen for about 240 buckets when absent.' },
});

const cmcdAggregateProperties = {
  requests: { type: 'number', description: 'Requests carrying CMCD (extrapolated by sampling rate).' },
  sampledRequests: { type: 'number' },
  sessions: { type: 'number', description: 'Distinct CMCD session ids (sid) of logged records; a lower bound below 100 % sampling.' },
  rebufferedSessions: { type: 'number', description: 'Sessions with at least one request reporting buffer starvation (bs).' },
  sessionRebufferRatio: nullableNumber,
  mediaRequests: { type: 'number', description: 'Requests carrying an encoded bitrate (br): media objects.' },
  rebufferRequests: { type: 'number' },
  rebufferRatio: { type: ['number', 'null'], description: 'rebufferRequests ÷ mediaRequests.' },
  startupRequests: { type: 'number', description: 'Requests flagged startup (su).' },
  meanBitrateKbps: nullableNumber,
  bitrateKbps: percentiles,
  bufferLengthMs: percentiles,
  measuredThroughputKbps: percentiles,
} as const;
const cmcdAggregateRequired = Object.keys(cmcdAggregateProperties);

export const videoResponse = {
  type: 'object',
  required: [...planRequired, ...cmcdAggregateRequired, 'interval', 'intervalSeconds', 'formats', 'streamTypes', 'series'],
  properties: {
    ...planInfo,
    ...cmcdAggregateProperties,
    interval: { type: 'string' },
    intervalSeconds: { type: 'integer' },
    formats: {
      type: 'array',
      description: `Per CMCD streaming format (sf: h HLS, d DASH, s Smooth Streaming, o other; '' when not sent). Bitrate buckets start at ${BITRATE_EDGES_KBPS.join(', ')} kbps.`,
      items: {
        type: 'object',
        required: ['format', ...cmcdAggregateRequired, 'buckets'],
        properties: {
          format: { type: 'string' },
          ...cmcdAggregateProperties,
          buckets: {
            type: 'array',
            items: {
              type: 'object',
              required: ['fromKbps', 'toKbps', 'requests'],
              properties: { fromKbps: { type: 'number' }, toKbps: nullableNumber, requests: { type: 'number' } },
            },
          },
        },
      },
    },
    streamTypes: {
      type: 'array',
      description: "Per CMCD stream type (st: v on demand, l live; '' when not sent).",
      items: { type: 'object', required: ['streamType', ...cmcdAggregateRequired], properties: { streamType: { type: 'string' }, ...cmcdAggregateProperties } },
    },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['t', 'requests', 'sessions', 'rebufferRatio', 'meanBitrateKbps'],
        properties: {
          t: { type: 'string', format: 'date-time' },
          requests: { type: 'number' },
          sessions: { type: 'number' },
          rebufferRatio: nullableNumber,
          meanBitrateKbps: nullableNumber,
        },
      },
    },
  },
} as const;

export const geoQuery = querySchema({});

export const geoResponse = {
  type: 'object',
  required: [...planRequired, 'countries', 'pops'],
  properties: {
    ...planInfo,
    countries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['country', 'name', 'continent', 'requests', 'bytes', 'hitRatio', 'geoBlocked', 'ttfbP95Ms'],
        properties: {
          country: { type: 'string' },
          name: { type: 'string' },
          continent: { type: 'string' },
          requests: { type: 'number' },
          bytes: { type: 'number' },
          hitRatio: nullableNumber,
          geoBlocked: { type: 'number' },
          ttfbP95Ms: nullableNumber,
        },
      },
    },
    pops: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pop', 'city', 'country', 'lat', 'lon', 'requests', 'bytes', 'hitRatio', 'ttfbP95Ms'],
        properties: {
          pop: { type: 'string' },
          city: { type: 'string' },
          country: { type: 'string' },
          lat: nullableNumber,
          lon: nullableNumber,
          requests: { type: 'number' },
          bytes: { type: 'number' },
          hitRatio: nullableNumber,
          ttfbP95Ms: nullableNumber,
        },
      },
    },
  },
} as const;

export const compareQuery = querySchema({
  previous: { type: 'string', enum: Object.keys(COMPARE_PERIODS), default: '1d', description: 'How far back the earlier period lies.' },
});

export const compareResponse = {
  type: 'object',
  required: ['previousPeriod', 'current', 'previous', 'delta'],
  properties: {
    previousPeriod: { type: 'string' },
    current: summaryResponse,
    previous: summaryResponse,
    delta: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['absolute', 'relative'],
        properties: { absolute: nullableNumber, relative: nullableNumber },
      },
    },
  },
} as const;

const text = { type: 'string' } as const;
export const definitionsResponse = {
  type: 'object',
  required: ['sampling', 'interval95', 'hit', 'cacheable', 'websocket', 'distinctCounts', 'plan', 'metrics'],
  properties: {
    sampling: text,
    interval95: text,
    hit: text,
    cacheable: text,
    websocket: text,
    distinctCounts: text,
    plan: text,
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'unit', 'definition'],
        properties: { name: text, unit: text, definition: text },
      },
    },
  },
} as const;
