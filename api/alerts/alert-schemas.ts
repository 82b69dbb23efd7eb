/**
 * JSON schemas of the alert routes (query strings, bodies, responses), which also make their
 * OpenAPI document.
 */
import { ALERT_STATES } from './alert-model.js';
import { KIND_INFO, RULE_KINDS, RULE_LIMITS, SEVERITIES } from './alert-rules.js';
import { DELIVERY_STATUSES, WEBHOOK_FORMATS } from './webhook-model.js';

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const ID_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
} as const;

export const emptyQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

const contributor = {
  type: 'object',
  required: ['value', 'requests', 'share'],
  properties: { value: { type: 'string' }, requests: { type: 'number' }, share: { type: 'number' } },
} as const;
const contributors = { type: 'array', items: contributor } as const;

const contextSchema = {
  type: ['object', 'null'],
  description: 'Captured when the alert fired.',
  required: ['metric', 'unit', 'contributorsOf', 'windowS', 'baselineS', 'sampled', 'top', 'link', 'source', 'notes'],
  properties: {
    metric: { type: 'string' },
    unit: { type: 'string' },
    contributorsOf: { type: 'string', description: 'Which requests the top lists count.' },
    windowS: { type: 'number' },
    baselineS: nullableNumber,
    sampled: { type: 'number', description: 'Sampled log lines behind the value.' },
    top: {
      type: 'object',
      required: ['countries', 'pops', 'paths', 'asns'],
      description: 'Top viewer countries, POPs, paths and ASNs of those requests, with their share. Record-derived text: show it as text.',
      properties: { countries: contributors, pops: contributors, paths: contributors, asns: contributors },
    },
    link: { type: 'string', description: 'The dashboard view of the traffic (`/#/live?…`).' },
    source: { type: 'string', enum: ['live', 'rollup'] },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const alertSchema = {
  type: 'object',
  required: ['id', 'ruleId', 'name', 'kind', 'metric', 'unit', 'severity', 'state', 'distribution', 'country', 'startedAt', 'firedAt', 'resolvedAt', 'endedAt', 'updatedAt', 'value', 'threshold', 'baseline', 'peak', 'message', 'link', 'context'],
  properties: {
    id: { type: 'string' },
    ruleId: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: RULE_KINDS },
    metric: { type: 'string' },
    unit: { type: 'string' },
    severity: { type: 'string', enum: SEVERITIES },
    state: { type: 'string', enum: ALERT_STATES },
    distribution: { type: 'string' },
    country: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time', description: 'When the condition was first seen (pending).' },
    firedAt: nullableTime,
    resolvedAt: nullableTime,
    endedAt: nullableTime,
    updatedAt: { type: 'string', format: 'date-time' },
    value: nullableNumber,
    threshold: { type: 'number' },
    baseline: nullableNumber,
    peak: nullableNumber,
    message: { type: 'string' },
    link: { type: ['string', 'null'] },
    context: contextSchema,
  },
} as const;

export const alertsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', maxLength: 40, description: 'Start of `recent` (ISO 8601 or epoch ms); default 24 hours before `to`.' },
    to: { type: 'string', maxLength: 40, description: 'End of `recent`; default now.' },
    distribution: { type: 'string', maxLength: 4096, description: 'Comma-separated distribution IDs or CloudFront domains.' },
    state: { type: 'string', maxLength: 64, description: `Comma-separated: ${ALERT_STATES.join(', ')}. Default: all but discarded.` },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Most alerts in `recent`.' },
  },
} as const;

export const alertsResponse = {
  type: 'object',
  required: ['active', 'recent', 'mode', 'evaluatedAt', 'evalIntervalMs'],
  properties: {
    active: { type: 'array', items: alertSchema, description: 'Pending and firing alerts, with their latest values.' },
    recent: { type: 'array', items: alertSchema, description: 'Alerts that ended in the range, newest first.' },
    mode: { type: 'string', enum: ['live', 'rollup'], description: 'live: in-process counters (embedded); rollup: ClickHouse rollups (server).' },
    evaluatedAt: nullableTime,
    evalIntervalMs: { type: 'integer' },
  },
} as const;

const ruleProperties = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  kind: { type: 'string', enum: RULE_KINDS },
  distribution: { type: 'string', maxLength: 253, pattern: '^[A-Za-z0-9.-]*$', description: "Distribution ID or CloudFront domain; '' for every distribution." },
  enabled: { type: 'boolean' },
  severity: { type: 'string', enum: SEVERITIES },
  windowS: { type: 'integer', minimum: RULE_LIMITS.windowS[0], maximum: RULE_LIMITS.windowS[1] },
  baselineS: { type: 'integer', minimum: RULE_LIMITS.baselineS[0], maximum: RULE_LIMITS.baselineS[1] },
  forS: { type: 'integer', minimum: RULE_LIMITS.forS[0], maximum: RULE_LIMITS.forS[1] },
  holdS: { type: 'integer', minimum: RULE_LIMITS.holdS[0], maximum: RULE_LIMITS.holdS[1] },
  minSampled: { type: 'integer', minimum: RULE_LIMITS.minSampled[0], maximum: RULE_LIMITS.minSampled[1] },
  threshold: { type: 'number', minimum: 0, maximum: 1_000_000 },
  floor: { type: 'number', minimum: RULE_LIMITS.floor[0], maximum: RULE_LIMITS.floor[1] },
  perCountry: { type: 'boolean' },
} as const;

const KIND_TABLE = RULE_KINDS.map((k) => `- \`${k}\` (${KIND_INFO[k].metric}, ${KIND_INFO[k].unit}): ${KIND_INFO[k].description} threshold: ${KIND_INFO[k].threshold}; minSampled: ${KIND_INFO[k].minSampled}.`).join('\n');

export const RULE_DESCRIPTION = `Kinds:\n${KIND_TABLE}\n\nParameters left out take the kind's defaults (GET /api/v1/alerts/rules lists them).`;

export const ruleCreateBody = {
  type: 'object',
  required: ['name', 'kind'],
  additionalProperties: false,
  properties: ruleProperties,
} as const;

const { kind: _kind, ...patchable } = ruleProperties;
export const rulePatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; a rule keeps its kind.',
  properties: patchable,
} as const;

export const ruleSchema = {
  type: 'object',
  required: ['id', 'name', 'kind', 'distribution', 'enabled', 'severity', 'windowS', 'baselineS', 'forS', 'holdS', 'minSampled', 'threshold', 'floor', 'perCountry', 'updatedAt', 'builtIn'],
  properties: {
    id: { type: 'string' },
    ...ruleProperties,
    updatedAt: { type: 'string', format: 'date-time' },
    builtIn: { type: 'boolean', description: 'One of the default rules edgewatch starts with.' },
  },
} as const;

const kindInfoSchema = {
  type: 'object',
  required: ['kind', 'metric', 'unit', 'description', 'threshold', 'minSampled', 'usesBaseline', 'defaults'],
  properties: {
    kind: { type: 'string' },
    metric: { type: 'string' },
    unit: { type: 'string' },
    description: { type: 'string' },
    threshold: { type: 'string' },
    minSampled: { type: 'string' },
    usesBaseline: { type: 'boolean' },
    defaults: { type: 'object', additionalProperties: true },
  },
} as const;

export const rulesResponse = {
  type: 'object',
  required: ['rules', 'kinds'],
  properties: { rules: { type: 'array', items: ruleSchema }, kinds: { type: 'array', items: kindInfoSchema } },
} as const;

export const ruleDeletedResponse = { type: 'object', required: ['deleted'], properties: { deleted: ruleSchema } } as const;

const webhookProperties = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  url: { type: 'string', minLength: 8, maxLength: 2048, pattern: '^https?://', description: 'http or https URL the notifications are POSTed to.' },
  format: { type: 'string', enum: WEBHOOK_FORMATS, description: 'json: the alert as JSON; slack: a Slack-compatible message.' },
  secret: { type: 'string', minLength: 16, maxLength: 256, description: 'Signs every delivery (HMAC-SHA256); write-only, never returned.' },
  enabled: { type: 'boolean' },
} as const;

export const webhookCreateBody = {
  type: 'object',
  required: ['name', 'url', 'secret'],
  additionalProperties: false,
  properties: webhookProperties,
} as const;

export const webhookPatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: webhookProperties,
} as const;

export const webhookSchema = {
  type: 'object',
  required: ['id', 'name', 'target', 'format', 'enabled', 'hasSecret', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    target: { type: 'string', description: 'Scheme, host and port of the URL; its path may be a secret and is not shown.' },
    format: { type: 'string', enum: WEBHOOK_FORMATS },
    enabled: { type: 'boolean' },
    hasSecret: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const webhooksResponse = { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: webhookSchema } } } as const;
export const webhookDeletedResponse = { type: 'object', required: ['deleted'], properties: { deleted: webhookSchema } } as const;

export const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    alert: { type: 'string', pattern: ID_PATTERN, description: 'Only deliveries of this alert.' },
    webhook: { type: 'string', pattern: ID_PATTERN, description: 'Only deliveries to this webhook.' },
    status: { type: 'string', enum: DELIVERY_STATUSES },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export const deliverySchema = {
  type: 'object',
  required: ['id', 'alertId', 'transition', 'webhookId', 'webhookName', 'status', 'attempts', 'lastStatusCode', 'lastError', 'createdAt', 'lastAttemptAt', 'nextAttemptAt', 'deliveredAt'],
  properties: {
    id: { type: 'string', description: 'Sent as X-Edgewatch-Delivery: the same for every attempt.' },
    alertId: { type: 'string' },
    transition: { type: 'string', enum: ['firing', 'resolved'] },
    webhookId: { type: 'string' },
    webhookName: { type: 'string' },
    status: { type: 'string', enum: DELIVERY_STATUSES },
    attempts: { type: 'integer' },
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    lastAttemptAt: nullableTime,
    nextAttemptAt: nullableTime,
    deliveredAt: nullableTime,
  },
} as const;

export const deliveriesResponse = { type: 'object', required: ['deliveries'], properties: { deliveries: { type: 'array', items: deliverySchema } } } as const;
