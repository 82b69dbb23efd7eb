/**
 * The alert routes (registered under /api/v1):
 *
 *   GET    /alerts                    viewer  active alerts and those that ended in a range
 *   GET    /alerts/:id                viewer  one alert
 *   GET    /alerts/rules              viewer  the rules, and what each kind measures with its defaults
 *   GET    /alerts/rules/:id          viewer
 *   POST   /alerts/rules              admin   a new rule (parameters left out take the kind's defaults)
 *   PATCH  /alerts/rules/:id          admin
 *   DELETE /alerts/rules/:id          admin
 *   GET    /alerts/webhooks           admin   webhooks, without their secrets or URL paths
 *   POST   /alerts/webhooks           admin
 *   PATCH  /alerts/webhooks/:id       admin
 *   DELETE /alerts/webhooks/:id       admin
 *   GET    /alerts/deliveries         admin   the delivery log
 *
 * Request bodies are checked strictly before schema validation: an unknown field or a value of the
 * wrong JSON type is a 400 naming the field (the schema validator would drop or coerce them).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, invalidParameter } from '../errors.js';
import { parseTime, type DistributionResolver } from '../query/filters.js';
import { ALERT_STATES, isActive, type Alert, type AlertState } from './alert-model.js';
import { defaultRules, KIND_INFO, kindDefaults, RULE_KINDS, type AlertRule, type RuleKind, type RuleSpec } from './alert-rules.js';
import * as schemas from './alert-schemas.js';
import { AlertConfigError, type AlertService, type WebhookSpec } from './alert-service.js';
import { toAlertView } from './alert-view.js';
import { urlOrigin, type Delivery, type DeliveryStatus, type Webhook } from './webhook-model.js';

export interface AlertRoutesOptions {
  readonly service: AlertService;
  readonly resolveDistribution: DistributionResolver;
}

const DAY_MS = 86_400_000;
const BUILT_IN = new Set(defaultRules(0).map((r) => r.id));

const errors = { 400: { $ref: 'ApiErrorResponse#' }, 404: { $ref: 'ApiErrorResponse#' } } as const;

interface JsonSchemaObject {
  readonly properties: Readonly<Record<string, { readonly type: string }>>;
}

/** An unknown field or a value of the wrong JSON type: 400 naming the field. */
function checkBodyStrictly(schema: JsonSchemaObject) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    const body: unknown = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return done(invalidParameter('body', 'must be a JSON object'));
    for (const [field, value] of Object.entries(body)) {
      const property = schema.properties[field];
      if (property === undefined) return done(invalidParameter(field, 'is not a known field'));
      const ok =
        property.type === 'integer' ? Number.isInteger(value) : property.type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === property.type;
      if (!ok) return done(invalidParameter(field, `must be ${property.type === 'integer' ? 'an integer' : `a ${property.type}`}`));
    }
    done();
  };
}

function configError(err: unknown): never {
  if (err instanceof AlertConfigError) {
    if (err.kind === 'not_found') throw new ApiError(404, 'not_found', err.message);
    if (err.kind === 'limit') throw new ApiError(400, 'invalid_request', err.message);
    throw new ApiError(400, 'invalid_parameter', err.message, err.field);
  }
  throw err;
}

function ruleView(rule: AlertRule) {
  return { ...rule, builtIn: BUILT_IN.has(rule.id) };
}

function webhookView(webhook: Webhook) {
  return {
    id: webhook.id,
    name: webhook.name,
    target: urlOrigin(webhook.url),
    format: webhook.format,
    enabled: webhook.enabled,
    hasSecret: webhook.secret !== '',
    createdAt: new Date(webhook.createdAtMs).toISOString(),
    updatedAt: new Date(webhook.updatedAtMs).toISOString(),
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function deliveryView(d: Delivery) {
  return {
    id: d.id,
    alertId: d.alertId,
    transition: d.transition,
    webhookId: d.webhookId,
    webhookName: d.webhookName,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: new Date(d.createdAtMs).toISOString(),
    lastAttemptAt: iso(d.lastAttemptAtMs),
    nextAttemptAt: iso(d.nextAttemptAtMs),
    deliveredAt: iso(d.deliveredAtMs),
  };
}

function parseStates(value: string | undefined): AlertState[] | undefined {
  if (value === undefined) return undefined;
  const states = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (states.length === 0) throw invalidParameter('state', 'must name at least one state');
  for (const state of states) {
    if (!(ALERT_STATES as readonly string[]).includes(state)) throw invalidParameter('state', `unknown state "${state.slice(0, 20)}"; expected one of ${ALERT_STATES.join(', ')}`);
  }
  return states as AlertState[];
}

type RuleBody = Partial<Omit<RuleSpec, 'kind'>> & { kind?: RuleKind };
type WebhookBody = Partial<WebhookSpec>;

export function alertRoutes(options: AlertRoutesOptions): FastifyPluginAsync {
  const { service, resolveDistribution } = options;
  const viewer = { role: 'viewer' as const };
  const admin = { role: 'admin' as const };

  const distributionOf = (value: string): string => {
    const trimmed = value.trim();
    if (trimmed === '' || trimmed === '*') return '';
    const id = resolveDistribution(trimmed);
    if (id === undefined || id === '') throw invalidParameter('distribution', `unknown distribution "${trimmed.slice(0, 60)}"`);
    return id;
  };

  const distributionsOf = (value: string | undefined): string[] | undefined => {
    if (value === undefined) return undefined;
    const items = value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (items.length > 50) throw invalidParameter('distribution', 'at most 50 values');
    return items.map((item) => {
      if (!/^[A-Za-z0-9.-]{1,253}$/.test(item)) throw invalidParameter('distribution', `"${item.slice(0, 40)}" is not a distribution ID or domain`);
      const id = resolveDistribution(item);
      if (id === undefined) throw invalidParameter('distribution', `unknown distribution "${item}"`);
      return id;
    });
  };

  return (app) => {
    app.get<{ Querystring: { from?: string; to?: string; distribution?: string; state?: string; limit?: number } }>(
      '/alerts',
      {
        config: viewer,
        schema: {
          summary: 'Active alerts and the alerts that ended in a range',
          description: 'Alerts move pending → firing → resolved (a pending alert whose condition clears first is discarded, without a notification).',
          tags: ['alerts'],
          querystring: schemas.alertsQuery,
          response: { 200: schemas.alertsResponse, 400: errors[400] },
        },
      },
      async (request) => {
        const q = request.query;
        const nowMs = Date.now();
        const toMs = q.to === undefined ? nowMs + 1 : parseTime('to', q.to);
        const fromMs = q.from === undefined ? toMs - DAY_MS : parseTime('from', q.from);
        if (fromMs >= toMs) throw invalidParameter('from', 'must be before to');
        const states = parseStates(q.state);
        const distributions = distributionsOf(q.distribution);
        const wanted = (a: Alert): boolean =>
          (states === undefined ? a.state !== 'discarded' : states.includes(a.state)) && (distributions === undefined || distributions.includes(a.distribution));
        const active = service.activeAlerts().filter(wanted);
        const endedStates = (states ?? ['resolved']).filter((s) => s === 'resolved' || s === 'discarded');
        const recent =
          endedStates.length === 0
            ? []
            : (await service.listAlerts({ fromMs, toMs, states: endedStates, ...(distributions === undefined ? {} : { distributions }), limit: q.limit ?? 100 })).filter(
                (a) => !isActive(a),
              );
        const status = service.status();
        return {
          active: active.sort((a, b) => b.pendingAtMs - a.pendingAtMs).map(toAlertView),
          recent: recent.map(toAlertView),
          mode: status.mode,
          evaluatedAt: status.evaluatedAt,
          evalIntervalMs: status.evalIntervalMs,
        };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/alerts/:id',
      {
        config: viewer,
        schema: { summary: 'One alert', tags: ['alerts'], params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.alertSchema, ...errors } },
      },
      async (request) => {
        const alert = await service.getAlert(request.params.id);
        if (alert === null) throw new ApiError(404, 'not_found', `no alert ${request.params.id}`);
        return toAlertView(alert);
      },
    );

    app.get(
      '/alerts/rules',
      {
        config: viewer,
        schema: { summary: 'Alert rules', description: schemas.RULE_DESCRIPTION, tags: ['alerts'], querystring: schemas.emptyQuery, response: { 200: schemas.rulesResponse } },
      },
      (_request, reply) =>
        reply.send({
          rules: service.rules().map(ruleView),
          kinds: RULE_KINDS.map((kind) => {
            const { metric, unit, description, threshold, minSampled, usesBaseline } = KIND_INFO[kind];
            return { kind, metric, unit, description, threshold, minSampled, usesBaseline, defaults: kindDefaults(kind) };
          }),
        }),
    );

    app.get<{ Params: { id: string } }>(
      '/alerts/rules/:id',
      {
        config: viewer,
        schema: { summary: 'One alert rule', tags: ['alerts'], params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.ruleSchema, ...errors } },
      },
      (request, reply) => {
        const rule = service.rule(request.params.id);
        if (rule === undefined) throw new ApiError(404, 'not_found', `no alert rule ${request.params.id}`);
        return reply.send(ruleView(rule));
      },
    );

    app.post<{ Body: RuleBody & { name: string; kind: RuleKind } }>(
      '/alerts/rules',
      {
        config: admin,
        preValidation: checkBodyStrictly(schemas.ruleCreateBody),
        schema: { summary: 'Create an alert rule', description: schemas.RULE_DESCRIPTION, tags: ['alerts'], body: schemas.ruleCreateBody, response: { 201: schemas.ruleSchema, 400: errors[400] } },
      },
      async (request, reply) => {
        const { distribution, ...rest } = request.body;
        const spec: RuleSpec = { ...kindDefaults(rest.kind), ...rest, distribution: distributionOf(distribution ?? '') };
        const rule = await service.createRule(spec).catch(configError);
        return reply.code(201).send(ruleView(rule));
      },
    );

    app.patch<{ Params: { id: string }; Body: RuleBody }>(
      '/alerts/rules/:id',
      {
        config: admin,
        preValidation: checkBodyStrictly(schemas.rulePatchBody),
        schema: { summary: 'Change an alert rule', tags: ['alerts'], params: schemas.idParams, body: schemas.rulePatchBody, response: { 200: schemas.ruleSchema, ...errors } },
      },
      async (request) => {
        const { distribution, ...rest } = request.body;
        const patch: Partial<RuleSpec> = { ...rest, ...(distribution === undefined ? {} : { distribution: distributionOf(distribution) }) };
        return ruleView(await service.updateRule(request.params.id, patch).catch(configError));
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/alerts/rules/:id',
      {
        config: admin,
        schema: { summary: 'Delete an alert rule', description: 'A deleted built-in rule stays deleted.', tags: ['alerts'], params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.ruleDeletedResponse, ...errors } },
      },
      async (request) => ({ deleted: ruleView(await service.deleteRule(request.params.id).catch(configError)) }),
    );

    app.get(
      '/alerts/webhooks',
      {
        config: admin,
        schema: { summary: 'Webhooks alerts are sent to (secrets never shown)', tags: ['alerts'], querystring: schemas.emptyQuery, response: { 200: schemas.webhooksResponse } },
      },
      (_request, reply) => reply.send({ webhooks: service.webhooks().map(webhookView) }),
    );

    app.post<{ Body: WebhookBody & { name: string; url: string; secret: string } }>(
      '/alerts/webhooks',
      {
        config: admin,
        preValidation: checkBodyStrictly(schemas.webhookCreateBody),
        schema: {
          summary: 'Add a webhook',
          description:
            'Every delivery is a POST with `X-Edgewatch-Timestamp: <unix s>` and `X-Edgewatch-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, `X-Edgewatch-Delivery` (the same on retries) and `X-Edgewatch-Event` (alert.firing, alert.resolved). Failures are retried with exponential backoff.',
          tags: ['alerts'],
          body: schemas.webhookCreateBody,
          response: { 201: schemas.webhookSchema, 400: errors[400] },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const spec: WebhookSpec = { name: body.name, url: body.url, secret: body.secret, format: body.format ?? 'json', enabled: body.enabled ?? true };
        const webhook = await service.createWebhook(spec).catch(configError);
        return reply.code(201).send(webhookView(webhook));
      },
    );

    app.patch<{ Params: { id: string }; Body: WebhookBody }>(
      '/alerts/webhooks/:id',
      {
        config: admin,
        preValidation: checkBodyStrictly(schemas.webhookPatchBody),
        schema: { summary: 'Change a webhook', tags: ['alerts'], params: schemas.idParams, body: schemas.webhookPatchBody, response: { 200: schemas.webhookSchema, ...errors } },
      },
      async (request) => webhookView(await service.updateWebhook(request.params.id, request.body).catch(configError)),
    );

    app.delete<{ Params: { id: string } }>(
      '/alerts/webhooks/:id',
      {
        config: admin,
        schema: { summary: 'Delete a webhook', tags: ['alerts'], params: schemas.idParams, querystring: schemas.emptyQuery, response: { 200: schemas.webhookDeletedResponse, ...errors } },
      },
      async (request) => ({ deleted: webhookView(await service.deleteWebhook(request.params.id).catch(configError)) }),
    );

    app.get<{ Querystring: { alert?: string; webhook?: string; status?: DeliveryStatus; limit?: number } }>(
      '/alerts/deliveries',
      {
        config: admin,
        schema: { summary: 'The delivery log of alert notifications', tags: ['alerts'], querystring: schemas.deliveriesQuery, response: { 200: schemas.deliveriesResponse } },
      },
      async (request) => {
        const q = request.query;
        const deliveries = await service.listDeliveries({
          limit: q.limit ?? 100,
          ...(q.alert === undefined ? {} : { alertId: q.alert }),
          ...(q.webhook === undefined ? {} : { webhookId: q.webhook }),
          ...(q.status === undefined ? {} : { status: q.status }),
        });
        return { deliveries: deliveries.map(deliveryView) };
      },
    );
    return Promise.resolve();
  };
}
