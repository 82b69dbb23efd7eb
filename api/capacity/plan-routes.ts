/**
 * GET /api/v1/plan: the capacity plan (processor/capacity/) for a request rate, sampling rate, field
 * set and retention; viewer role. Computes only: it reads no data.
 */
import type { FastifyPluginCallback } from 'fastify';
import { CapacityInputError, MAX_REQUESTS_PER_SECOND, planCapacity, type CapacityPlan, type StreamMode } from '../../processor/capacity/capacity-plan.js';
import { invalidParameter } from '../errors.js';

interface PlanQuery {
  requestsPerSecond: number;
  sampling?: number;
  fields?: string;
  retentionDays?: number;
  recordBytes?: number;
  headroom?: number;
  streamMode?: StreamMode;
}

const planQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requestsPerSecond'],
  properties: {
    requestsPerSecond: { type: 'number', minimum: 0, maximum: MAX_REQUESTS_PER_SECOND, description: 'Viewer requests per second at the peak to plan for.' },
    sampling: { type: 'integer', minimum: 1, maximum: 100, default: 100, description: "The real-time log config's sampling rate, percent." },
    fields: { type: 'string', maxLength: 4096, description: "The log config's fields, comma-separated, any order (default: the local field set)." },
    retentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30, description: 'Days raw rows stay in ClickHouse.' },
    recordBytes: { type: 'number', minimum: 1, maximum: 10485760, description: 'A measured average record size in bytes, instead of the estimate.' },
    headroom: { type: 'number', minimum: 0, maximum: 0.9, default: 0.25, description: 'Share of each limit kept free.' },
    streamMode: { type: 'string', enum: ['provisioned', 'on-demand'], default: 'provisioned' },
  },
} as const;

const figureSchema = {
  type: 'object',
  required: ['key', 'label', 'value', 'unit', 'formula'],
  properties: { key: { type: 'string' }, label: { type: 'string' }, value: { type: 'number' }, unit: { type: 'string' }, formula: { type: 'string' } },
} as const;

const priceSchema = {
  type: 'object',
  required: ['usd', 'unit', 'source', 'date', 'confidence'],
  properties: {
    usd: { type: ['number', 'null'] },
    unit: { type: 'string' },
    source: { type: 'string' },
    date: { type: 'string' },
    confidence: { type: ['string', 'null'], enum: ['aws', 'unconfirmed', null] },
    note: { type: 'string' },
  },
} as const;

const planResponseSchema = {
  type: 'object',
  required: ['input', 'figures', 'costs', 'measuredWith'],
  properties: {
    input: {
      type: 'object',
      required: ['requestsPerSecond', 'samplingRate', 'fields', 'retentionDays', 'recordBytes', 'headroom', 'streamMode'],
      properties: {
        requestsPerSecond: { type: 'number' },
        samplingRate: { type: 'integer' },
        fields: { type: 'array', items: { type: 'string' } },
        retentionDays: { type: 'integer' },
        recordBytes: { type: ['number', 'null'] },
        headroom: { type: 'number' },
        streamMode: { type: 'string', enum: ['provisioned', 'on-demand'] },
      },
    },
    figures: { type: 'array', items: figureSchema },
    costs: {
      type: 'object',
      required: ['lines', 'knownUsdPerMonth', 'unknown'],
      properties: {
        lines: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'label', 'quantity', 'usdPerMonth', 'formula', 'price'],
            properties: {
              key: { type: 'string' },
              label: { type: 'string' },
              quantity: { type: 'number' },
              usdPerMonth: { type: ['number', 'null'] },
              formula: { type: 'string' },
              price: priceSchema,
            },
          },
        },
        knownUsdPerMonth: { type: 'number' },
        unknown: { type: 'array', items: { type: 'string' } },
      },
    },
    measuredWith: { type: 'string' },
  },
} as const;

const errorResponses = {
  400: { $ref: 'ApiErrorResponse#' },
  401: { $ref: 'ApiErrorResponse#' },
  429: { $ref: 'ApiErrorResponse#' },
} as const;

export function planRoutes(): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: PlanQuery }>(
      '/plan',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Capacity plan: shards, workers, partitions, ClickHouse volume and monthly AWS cost, each with its formula',
          tags: ['capacity'],
          querystring: planQuerySchema,
          response: { 200: planResponseSchema, ...errorResponses },
        },
      },
      (request): Promise<CapacityPlan> => {
        const q = request.query;
        try {
          const plan = planCapacity({
            requestsPerSecond: q.requestsPerSecond,
            samplingRate: q.sampling,
            fields: q.fields?.split(','),
            retentionDays: q.retentionDays,
            recordBytes: q.recordBytes,
            headroom: q.headroom,
            streamMode: q.streamMode,
          });
          return Promise.resolve(plan);
        } catch (err) {
          if (err instanceof CapacityInputError) return Promise.reject(invalidParameter(err.parameter, err.message.slice(err.parameter.length + 2)));
          throw err;
        }
      },
    );
    done();
  };
}
