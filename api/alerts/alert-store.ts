/**
 * Alerting state in ClickHouse (infra/clickhouse/020_alerts.sql): rules, webhooks, alerts and
 * deliveries. Every write inserts a new version of a row; reads take the latest (FINAL). Writes are
 * rare (a rule changed, an alert transition, a delivery attempt), so in embedded mode they cost the
 * ingest queue next to nothing; nothing here polls.
 *
 * Values travel as query parameters (JSONEachRow text in a String parameter with a fixed structure),
 * never in the SQL text.
 */
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import type { Alert, AlertContext, AlertState, NotifiedTransition } from './alert-model.js';
import type { AlertRule, RuleKind, Severity } from './alert-rules.js';
import type { Delivery, DeliveryStatus, Webhook, WebhookFormat } from './webhook-model.js';

interface TableShape {
  readonly table: string;
  /** `name Type` pairs: the insert's structure, in column order. */
  readonly columns: readonly (readonly [string, string])[];
}

const DT = "DateTime64(3, 'UTC')";
const NDT = "Nullable(DateTime64(3, 'UTC'))";

const RULES: TableShape = {
  table: 'alert_rules',
  columns: [
    ['rule_id', 'String'], ['version', 'UInt64'], ['deleted', 'UInt8'], ['name', 'String'], ['kind', 'String'],
    ['distribution_id', 'String'], ['enabled', 'UInt8'], ['severity', 'String'], ['window_s', 'UInt32'], ['baseline_s', 'UInt32'],
    ['for_s', 'UInt32'], ['hold_s', 'UInt32'], ['min_sampled', 'UInt32'], ['threshold', 'Float64'], ['floor', 'Float64'],
    ['per_country', 'UInt8'], ['updated_at', DT],
  ],
};

const WEBHOOKS: TableShape = {
  table: 'alert_webhooks',
  columns: [
    ['webhook_id', 'String'], ['version', 'UInt64'], ['deleted', 'UInt8'], ['name', 'String'], ['url', 'String'], ['format', 'String'],
    ['secret', 'String'], ['enabled', 'UInt8'], ['created_at', DT], ['updated_at', DT],
  ],
};

const ALERTS: TableShape = {
  table: 'alerts',
  columns: [
    ['alert_id', 'String'], ['version', 'UInt64'], ['alert_key', 'String'], ['rule_id', 'String'], ['rule_name', 'String'], ['kind', 'String'],
    ['severity', 'String'], ['distribution_id', 'String'], ['country', 'String'], ['state', 'String'], ['pending_at', DT], ['fired_at', NDT],
    ['resolved_at', NDT], ['updated_at', DT], ['value', 'Nullable(Float64)'], ['threshold', 'Float64'], ['baseline', 'Nullable(Float64)'],
    ['peak', 'Nullable(Float64)'], ['context', 'String'],
  ],
};

const DELIVERIES: TableShape = {
  table: 'alert_deliveries',
  columns: [
    ['delivery_id', 'String'], ['version', 'UInt64'], ['alert_id', 'String'], ['transition', 'String'], ['webhook_id', 'String'],
    ['webhook_name', 'String'], ['status', 'String'], ['attempts', 'UInt16'], ['last_status_code', 'UInt16'], ['last_error', 'String'],
    ['created_at', DT], ['last_attempt_at', NDT], ['next_attempt_at', NDT], ['delivered_at', NDT], ['payload', 'String'],
  ],
};

/** ClickHouse's DateTime64 text for epoch ms (UTC). */
function dt(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function ndt(ms: number | null): string | null {
  return ms === null ? null : dt(ms);
}

/** Epoch ms of a column read as `toUnixTimestamp64Milli(…)` (64-bit integers arrive as strings). */
function ms(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}

/**
 * SELECT list of a shape: DateTime64 columns as epoch ms named `<column>_ms` (an alias with the
 * column's own name would replace the column in WHERE and ORDER BY), the rest as they are.
 */
function selectList(shape: TableShape): string {
  return shape.columns.map(([name, type]) => (type.includes('DateTime64') ? `toUnixTimestamp64Milli(${name}) AS ${name}_ms` : name)).join(', ');
}

export interface AlertListQuery {
  /** Alerts active in, or started or ended within, [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly states?: readonly AlertState[];
  readonly distributions?: readonly string[];
  readonly limit: number;
}

export interface DeliveryListQuery {
  readonly alertId?: string;
  readonly webhookId?: string;
  readonly status?: DeliveryStatus;
  readonly limit: number;
}

type Row = Record<string, string | number | null>;

export class AlertStore {
  readonly #ch: ClickHouse;
  #lastVersion = 0;

  constructor(clickhouse: ClickHouse) {
    this.#ch = clickhouse;
  }

  /** Increasing versions, even for writes within one millisecond. */
  #version(): number {
    const next = Math.max(Date.now() * 1000, this.#lastVersion + 1);
    this.#lastVersion = next;
    return next;
  }

  async #insert(shape: TableShape, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const names = shape.columns.map(([name]) => name).join(', ');
    const structure = shape.columns.map(([name, type]) => `${name} ${type}`).join(', ');
    await this.#ch.command(
      `INSERT INTO ${this.#ch.database}.${shape.table} (${names}) SELECT ${names} FROM format(JSONEachRow, {structure:String}, {data:String})`,
      { structure, data: rows.map((row) => JSON.stringify(row)).join('\n') },
    );
  }

  async #latest<T>(shape: TableShape, where: string, params: Record<string, unknown> = {}, tail = ''): Promise<T[]> {
    return this.#ch.query<T>(`SELECT ${selectList(shape)} FROM ${this.#ch.database}.${shape.table} FINAL WHERE ${where} ${tail}`, params);
  }

  // Rules

  /** Every rule id ever written, deleted ones included (so a deleted default is not put back). */
  async knownRuleIds(): Promise<Set<string>> {
    const rows = await this.#ch.query<{ rule_id: string }>(`SELECT DISTINCT rule_id FROM ${this.#ch.database}.alert_rules`);
    return new Set(rows.map((r) => r.rule_id));
  }

  async listRules(): Promise<AlertRule[]> {
    const rows = await this.#latest<Row>(RULES, 'deleted = 0', {}, 'ORDER BY rule_id');
    return rows.map(ruleOf);
  }

  async saveRules(rules: readonly AlertRule[]): Promise<void> {
    await this.#insert(RULES, rules.map((rule) => ruleRow(rule, this.#version(), false)));
  }

  async deleteRule(rule: AlertRule): Promise<void> {
    await this.#insert(RULES, [ruleRow({ ...rule, updatedAt: new Date().toISOString() }, this.#version(), true)]);
  }

  // Webhooks

  async listWebhooks(): Promise<Webhook[]> {
    const rows = await this.#latest<Row>(WEBHOOKS, 'deleted = 0', {}, 'ORDER BY created_at, webhook_id');
    return rows.map(webhookOf);
  }

  async saveWebhook(webhook: Webhook): Promise<void> {
    await this.#insert(WEBHOOKS, [webhookRow(webhook, this.#version(), false)]);
  }

  async deleteWebhook(webhook: Webhook): Promise<void> {
    await this.#insert(WEBHOOKS, [webhookRow({ ...webhook, updatedAtMs: Date.now() }, this.#version(), true)]);
  }

  // Alerts

  async saveAlerts(alerts: readonly Alert[]): Promise<void> {
    await this.#insert(ALERTS, alerts.map((alert) => alertRow(alert, this.#version())));
  }

  /** Alerts pending or firing (what the evaluator resumes after a restart). */
  async activeAlerts(): Promise<Alert[]> {
    const rows = await this.#latest<Row>(ALERTS, "state IN ('pending', 'firing')", {}, 'ORDER BY pending_at');
    return rows.map(alertOf);
  }

  async listAlerts(query: AlertListQuery): Promise<Alert[]> {
    const conditions = [
      'pending_at < {to:DateTime64(3)}',
      "(state IN ('pending', 'firing') OR ifNull(resolved_at, updated_at) >= {from:DateTime64(3)})",
    ];
    const params: Record<string, unknown> = { from: dt(query.fromMs), to: dt(query.toMs), limit: query.limit };
    if (query.states !== undefined) {
      conditions.push('state IN {states:Array(String)}');
      params.states = query.states;
    }
    if (query.distributions !== undefined && query.distributions.length > 0) {
      conditions.push('distribution_id IN {distributions:Array(String)}');
      params.distributions = query.distributions;
    }
    const rows = await this.#latest<Row>(ALERTS, conditions.join(' AND '), params, 'ORDER BY pending_at DESC, alert_id LIMIT {limit:UInt32}');
    return rows.map(alertOf);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const rows = await this.#latest<Row>(ALERTS, 'alert_id = {id:String}', { id });
    const row = rows[0];
    return row === undefined ? null : alertOf(row);
  }

  // Deliveries

  async saveDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    await this.#insert(DELIVERIES, deliveries.map((d) => deliveryRow(d, this.#version())));
  }

  /** Deliveries not yet accepted nor given up (what the notifier resumes after a restart). */
  async pendingDeliveries(): Promise<Delivery[]> {
    const rows = await this.#latest<Row>(DELIVERIES, "status = 'pending'", {}, 'ORDER BY created_at');
    return rows.map(deliveryOf);
  }

  /** Ids of the deliveries that exist for these alerts, whatever their status. */
  async deliveryIdsOf(alertIds: readonly string[]): Promise<Set<string>> {
    if (alertIds.length === 0) return new Set();
    const rows = await this.#ch.query<{ delivery_id: string }>(
      `SELECT DISTINCT delivery_id FROM ${this.#ch.database}.alert_deliveries WHERE alert_id IN {ids:Array(String)}`,
      { ids: alertIds },
    );
    return new Set(rows.map((r) => r.delivery_id));
  }

  async listDeliveries(query: DeliveryListQuery): Promise<Delivery[]> {
    const conditions = ['1'];
    const params: Record<string, unknown> = { limit: query.limit };
    if (query.alertId !== undefined) {
      conditions.push('alert_id = {alert:String}');
      params.alert = query.alertId;
    }
    if (query.webhookId !== undefined) {
      conditions.push('webhook_id = {webhook:String}');
      params.webhook = query.webhookId;
    }
    if (query.status !== undefined) {
      conditions.push('status = {status:String}');
      params.status = query.status;
    }
    const rows = await this.#latest<Row>(DELIVERIES, conditions.join(' AND '), params, 'ORDER BY created_at DESC, delivery_id LIMIT {limit:UInt32}');
    return rows.map(deliveryOf);
  }
}

function ruleRow(rule: AlertRule, version: number, deleted: boolean): Row {
  return {
    rule_id: rule.id,
    version,
    deleted: deleted ? 1 : 0,
    name: rule.name,
    kind: rule.kind,
    distribution_id: rule.distribution,
    enabled: rule.enabled ? 1 : 0,
    severity: rule.severity,
    window_s: rule.windowS,
    baseline_s: rule.baselineS,
    for_s: rule.forS,
    hold_s: rule.holdS,
    min_sampled: rule.minSampled,
    threshold: rule.threshold,
    floor: rule.floor,
    per_country: rule.perCountry ? 1 : 0,
    updated_at: dt(Date.parse(rule.updatedAt)),
  };
}

function ruleOf(row: Row): AlertRule {
  return {
    id: String(row.rule_id),
    name: String(row.name),
    kind: String(row.kind) as RuleKind,
    distribution: String(row.distribution_id),
    enabled: Number(row.enabled) === 1,
    severity: String(row.severity) as Severity,
    windowS: Number(row.window_s),
    baselineS: Number(row.baseline_s),
    forS: Number(row.for_s),
    holdS: Number(row.hold_s),
    minSampled: Number(row.min_sampled),
    threshold: Number(row.threshold),
    floor: Number(row.floor),
    perCountry: Number(row.per_country) === 1,
    updatedAt: new Date(Number(row.updated_at_ms)).toISOString(),
  };
}

function webhookRow(webhook: Webhook, version: number, deleted: boolean): Row {
  return {
    webhook_id: webhook.id,
    version,
    deleted: deleted ? 1 : 0,
    name: webhook.name,
    url: webhook.url,
    format: webhook.format,
    secret: webhook.secret,
    enabled: webhook.enabled ? 1 : 0,
    created_at: dt(webhook.createdAtMs),
    updated_at: dt(webhook.updatedAtMs),
  };
}

function webhookOf(row: Row): Webhook {
  return {
    id: String(row.webhook_id),
    name: String(row.name),
    url: String(row.url),
    format: String(row.format) as WebhookFormat,
    secret: String(row.secret),
    enabled: Number(row.enabled) === 1,
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

function alertRow(alert: Alert, version: number): Row {
  return {
    alert_id: alert.id,
    version,
    alert_key: alert.key,
    rule_id: alert.ruleId,
    rule_name: alert.ruleName,
    kind: alert.kind,
    severity: alert.severity,
    distribution_id: alert.distribution,
    country: alert.country,
    state: alert.state,
    pending_at: dt(alert.pendingAtMs),
    fired_at: ndt(alert.firedAtMs),
    resolved_at: ndt(alert.resolvedAtMs),
    updated_at: dt(alert.updatedAtMs),
    value: finiteOrNull(alert.value),
    threshold: Number.isFinite(alert.threshold) ? alert.threshold : 0,
    baseline: finiteOrNull(alert.baseline),
    peak: finiteOrNull(alert.peak),
    context: alert.context === null ? '' : JSON.stringify(alert.context),
  };
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

function numberOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function alertOf(row: Row): Alert {
  const context = String(row.context ?? '');
  return {
    id: String(row.alert_id),
    key: String(row.alert_key),
    ruleId: String(row.rule_id),
    ruleName: String(row.rule_name),
    kind: String(row.kind) as RuleKind,
    severity: String(row.severity) as Severity,
    distribution: String(row.distribution_id),
    country: String(row.country),
    state: String(row.state) as AlertState,
    pendingAtMs: Number(row.pending_at_ms),
    firedAtMs: ms(row.fired_at_ms ?? null),
    resolvedAtMs: ms(row.resolved_at_ms ?? null),
    updatedAtMs: Number(row.updated_at_ms),
    value: numberOrNull(row.value),
    threshold: Number(row.threshold),
    baseline: numberOrNull(row.baseline),
    peak: numberOrNull(row.peak),
    context: context === '' ? null : (JSON.parse(context) as AlertContext),
  };
}

function deliveryRow(d: Delivery, version: number): Row {
  return {
    delivery_id: d.id,
    version,
    alert_id: d.alertId,
    transition: d.transition,
    webhook_id: d.webhookId,
    webhook_name: d.webhookName,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode ?? 0,
    last_error: d.lastError,
    created_at: dt(d.createdAtMs),
    last_attempt_at: ndt(d.lastAttemptAtMs),
    next_attempt_at: ndt(d.nextAttemptAtMs),
    delivered_at: ndt(d.deliveredAtMs),
    payload: d.payload,
  };
}

function deliveryOf(row: Row): Delivery {
  const code = Number(row.last_status_code);
  return {
    id: String(row.delivery_id),
    alertId: String(row.alert_id),
    transition: String(row.transition) as NotifiedTransition,
    webhookId: String(row.webhook_id),
    webhookName: String(row.webhook_name),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    lastStatusCode: code === 0 ? null : code,
    lastError: String(row.last_error),
    createdAtMs: Number(row.created_at_ms),
    lastAttemptAtMs: ms(row.last_attempt_at_ms ?? null),
    nextAttemptAtMs: ms(row.next_attempt_at_ms ?? null),
    deliveredAtMs: ms(row.delivered_at_ms ?? null),
    payload: String(row.payload),
  };
}
