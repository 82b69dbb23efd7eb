/**
 * Alerting as a pipeline stage: every `evalIntervalMs` (and when a pending alert's time is up) it
 * reads the measures of every distribution
 * from its source (in-process counters in embedded mode, rollups on a ClickHouse server), evaluates
 * the rules, moves alerts pending → firing → resolved, persists each transition and notifies the
 * webhooks. Rules and webhooks are kept in memory and written through to ClickHouse when changed.
 *
 * Order of writes for one evaluation, so that a crash at any point sends nothing twice and loses
 * nothing: new alerts (pending) first, then the deliveries of firing/resolved transitions (their ids
 * derive from alert, transition and webhook), then the alerts' new states. After a restart the
 * active alerts are loaded back: one still firing does not fire again, and a transition seen again
 * maps to deliveries that exist already.
 */
import { randomBytes } from 'node:crypto';
import { alertKey, NO_CONTRIBUTORS, type Alert, type AlertContext, type AlertContributors } from './alert-model.js';
import { BASELINE_CHUNK_MS, emptySpan, spanKey, type CountryMeasures, type DistributionMeasures, type SpanRequest } from './alert-measures.js';
import { defaultRules, KIND_INFO, RuleValidationError, rulesFor, validateRuleSpec, type AlertRule, type RuleSpec } from './alert-rules.js';
import type { AlertSource, SourceSnapshot } from './alert-source.js';
import { AlertStateMachine, type Candidate, type Transition } from './alert-state-machine.js';
import type { AlertListQuery, AlertStore, DeliveryListQuery } from './alert-store.js';
import { dashboardLink } from './dashboard-link.js';
import { observe, observeCountry, SIGNAL_DESCRIPTION, SIGNAL_OF_KIND, type Observation } from './rule-conditions.js';
import type { Delivery, Webhook, WebhookFormat } from './webhook-model.js';
import { WebhookNotifier, type AlertLogger, type WebhookNotifierOptions } from './webhook-notifier.js';
import { checkLiteralHost, WebhookTargetRefused } from './webhook-target.js';

export interface AlertServiceOptions {
  readonly store: AlertStore;
  readonly source: AlertSource & { start?(): void; stop?(): void };
  /** Time between evaluations; default 5000 ms. */
  readonly evalIntervalMs?: number;
  readonly logger: AlertLogger;
  /** Base of absolute dashboard links in notifications (the server's public URL); null: relative links. */
  readonly publicUrl?: () => string | null;
  /** Webhook delivery settings (retries, timeouts). */
  readonly delivery?: Pick<WebhookNotifierOptions, 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs' | 'timeoutMs' | 'concurrency' | 'allowPrivateNetworks'>;
  /** Evaluations see this much of the condition time short of `forS`/`holdS` as reached; default half the interval, at most 1 s. */
  readonly toleranceMs?: number;
  readonly now?: () => number;
}

export interface AlertServiceStatus {
  readonly mode: 'live' | 'rollup';
  readonly evalIntervalMs: number;
  readonly evaluatedAt: string | null;
  /** The last evaluation's error, until one succeeds. */
  readonly lastError: string | null;
}

export interface WebhookSpec {
  readonly name: string;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly secret: string;
  readonly enabled: boolean;
}

/** A request to change alerting that cannot be done; the API answers 400 naming `field`, or 404. */
export class AlertConfigError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'limit',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AlertConfigError';
  }
}

export const MAX_RULES = 500;
/** Evaluations are at least this far apart. */
const MIN_EVAL_DELAY_MS = 200;
export const MAX_WEBHOOKS = 50;
/** How far before the window a traffic drop's contributors are looked for. */
const DROP_CONTEXT_MS = 300_000;

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function emptyMeasures(coveredMs: number): DistributionMeasures {
  return { window: emptySpan(coveredMs), baseline: emptySpan(0), countries: new Map() };
}

function emptyCountry(m: DistributionMeasures): CountryMeasures {
  return {
    window: { geoBlocked: 0, sampledGeoBlocked: 0, coveredMs: m.window.coveredMs },
    baseline: { geoBlocked: 0, sampledGeoBlocked: 0, coveredMs: m.baseline.coveredMs, medianPerS: m.baseline.coveredMs >= BASELINE_CHUNK_MS ? 0 : null },
  };
}

export class AlertService {
  readonly #store: AlertStore;
  readonly #source: AlertServiceOptions['source'];
  readonly #logger: AlertLogger;
  readonly #now: () => number;
  readonly #evalIntervalMs: number;
  readonly #toleranceMs: number;
  readonly #notifierOptions: WebhookNotifierOptions;
  #machine: AlertStateMachine;
  #notifier: WebhookNotifier;
  readonly #allowPrivateNetworks: boolean;
  #rules: AlertRule[] = [];
  #webhooks: Webhook[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #state: 'idle' | 'running' | 'stopping' = 'idle';
  /** Active alerts as last read from the store while not running (what another replica evaluates). */
  #storedActive: Alert[] = [];
  /** Counts local changes of rules and webhooks: a reload that overlaps one is dropped. */
  #changes = 0;
  #evaluatedAtMs: number | null = null;
  #lastError: string | null = null;
  #lastErrorLogMs = 0;
  /** Transitions a failed write left unsaved (or unnotified): written again first next time. */
  #unsaved: Transition[] = [];

  constructor(options: AlertServiceOptions) {
    this.#store = options.store;
    this.#source = options.source;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#evalIntervalMs = options.evalIntervalMs ?? 5_000;
    this.#toleranceMs = options.toleranceMs ?? Math.min(1_000, this.#evalIntervalMs / 2);
    this.#machine = new AlertStateMachine({ toleranceMs: this.#toleranceMs });
    this.#allowPrivateNetworks = options.delivery?.allowPrivateNetworks ?? false;
    this.#notifierOptions = {
      store: options.store,
      webhooks: () => this.#webhooks,
      logger: options.logger,
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      // Deliveries run on the wall clock whatever clock evaluations are given (retries are real waits).
      ...options.delivery,
    };
    this.#notifier = new WebhookNotifier(this.#notifierOptions);
  }

  /** True between start() and stop(): this process evaluates the rules and sends notifications. */
  get running(): boolean {
    return this.#state === 'running';
  }

  get mode(): 'live' | 'rollup' {
    return this.#source.mode;
  }

  /**
   * Loads rules (adding the built-in defaults never written before), webhooks and active alerts;
   * resumes pending deliveries; starts the source and the evaluation timer. After stop() it may be
   * started again (a replica that becomes the alerts leader once more): everything is read anew
   * from the store, where the previous leader left it.
   */
  async start(options: { readonly timer?: boolean } = {}): Promise<void> {
    if (this.#state !== 'idle') return;
    const known = await this.#store.knownRuleIds();
    const missing = defaultRules(this.#now()).filter((rule) => !known.has(rule.id));
    await this.#changing(() => this.#store.saveRules(missing));
    this.#rules = await this.#store.listRules();
    this.#webhooks = await this.#store.listWebhooks();
    const active = await this.#store.activeAlerts();
    this.#machine = new AlertStateMachine({ toleranceMs: this.#toleranceMs });
    this.#machine.load(active);
    this.#unsaved = [];
    this.#notifier = new WebhookNotifier(this.#notifierOptions);
    await this.#notifier.start(active.map((a) => a.id));
    this.#source.start?.();
    this.#state = 'running';
    this.#logger.info({ mode: this.#source.mode, rules: this.#rules.length, webhooks: this.#webhooks.length, active: active.length, evalIntervalMs: this.#evalIntervalMs }, 'alerting started');
    if (options.timer !== false) this.#schedule();
  }

  /** Stops evaluating and sending (attempts in flight finish and are logged); start() may follow. */
  async stop(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
    this.#source.stop?.();
    await this.#notifier.stop();
    this.#storedActive = this.#machine.active();
    this.#state = 'idle';
  }

  /** Runs a write of rules or webhooks; a reload that overlaps it in any way is dropped. */
  async #changing(write: () => Promise<void>): Promise<void> {
    this.#changes++;
    try {
      await write();
    } finally {
      this.#changes++;
    }
  }

  /**
   * Reads rules, webhooks (and, while not running, the active alerts) from the store again: changes
   * made through another replica's API. A reload that overlaps a change made here is dropped.
   */
  async reload(): Promise<void> {
    const changes = this.#changes;
    const [rules, webhooks] = await Promise.all([this.#store.listRules(), this.#store.listWebhooks()]);
    const active = this.#state === 'running' ? null : await this.#store.activeAlerts();
    if (changes !== this.#changes) return;
    this.#rules = rules;
    this.#webhooks = webhooks;
    if (active !== null && this.#state !== 'running') this.#storedActive = active;
  }

  status(): AlertServiceStatus {
    return {
      mode: this.#source.mode,
      evalIntervalMs: this.#evalIntervalMs,
      evaluatedAt: this.#evaluatedAtMs === null ? null : new Date(this.#evaluatedAtMs).toISOString(),
      lastError: this.#lastError,
    };
  }

  #schedule(): void {
    if (this.#state !== 'running') return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const run = this.evaluate().catch((err: unknown) => this.#evaluationFailed(err));
      this.#running = run;
      void run.finally(() => {
        this.#running = null;
        this.#schedule();
      });
    }, this.nextDelayMs(this.#now()));
    this.#timer.unref();
  }

  /**
   * Time to the next evaluation: the interval, or sooner when a pending alert's `forS` ends before
   * it, so that a short pending time is confirmed when it is over rather than at the next interval.
   */
  nextDelayMs(nowMs: number): number {
    let delay = this.#evalIntervalMs;
    for (const alert of this.#machine.active()) {
      if (alert.state !== 'pending') continue;
      const rule = this.#rules.find((r) => r.id === alert.ruleId);
      if (rule === undefined) continue;
      delay = Math.min(delay, alert.pendingAtMs + rule.forS * 1000 - nowMs);
    }
    return Math.max(MIN_EVAL_DELAY_MS, delay);
  }

  #evaluationFailed(err: unknown): void {
    this.#lastError = err instanceof Error ? err.message : String(err);
    const now = this.#now();
    // One line a minute while it keeps failing (a ClickHouse server that is down).
    if (now - this.#lastErrorLogMs >= 60_000) {
      this.#lastErrorLogMs = now;
      this.#logger.warn({ err }, 'alert evaluation failed; retrying at the next interval');
    }
  }

  /** One evaluation at `nowMs` (the timer calls it; tests call it directly). Returns the transitions. */
  async evaluate(nowMs: number = this.#now()): Promise<Transition[]> {
    const enabled = this.#rules.filter((r) => r.enabled);
    const spans = uniqueSpans(enabled);
    const snapshot = spans.length === 0 ? { distributions: new Map(), notes: [] } : await this.#source.read(nowMs, spans, { countries: enabled.some((r) => r.perCountry) });
    const candidates = this.#candidates(snapshot);
    const byKey = new Map(candidates.map((c) => [c.key, c]));
    const transitions = this.#machine.step(nowMs, candidates);
    const withContext: Transition[] = [];
    for (const t of transitions) {
      if (t.to !== 'firing') {
        withContext.push(t);
        continue;
      }
      const candidate = byKey.get(t.alert.key);
      const context = await this.#context(t.alert, candidate, snapshot, nowMs);
      this.#machine.setContext(t.alert.id, context);
      withContext.push({ ...t, alert: { ...t.alert, context } });
    }
    const toSave = [...this.#unsaved, ...withContext];
    try {
      await this.#persist(toSave);
      this.#unsaved = [];
    } catch (err) {
      // Writing again is safe: deliveries that exist are not created twice, and alert rows are versions.
      this.#unsaved = toSave;
      throw err;
    }
    this.#evaluatedAtMs = nowMs;
    this.#lastError = null;
    for (const t of withContext) {
      if (t.to === 'firing' || t.to === 'resolved') {
        this.#logger.info({ alert: t.alert.id, rule: t.alert.ruleId, distribution: t.alert.distribution, country: t.alert.country, value: t.alert.value, threshold: t.alert.threshold }, `alert ${t.to}`);
      }
    }
    return withContext;
  }

  async #persist(transitions: readonly Transition[]): Promise<void> {
    if (transitions.length === 0) return;
    await this.#store.saveAlerts(transitions.filter((t) => t.from === null).map((t) => t.alert));
    for (const t of transitions) {
      if (t.to === 'firing' || t.to === 'resolved') await this.#notifier.notify(t.alert, t.to);
    }
    await this.#store.saveAlerts(transitions.filter((t) => t.from !== null).map((t) => t.alert));
  }

  #candidates(snapshot: SourceSnapshot): Candidate[] {
    const active = this.#machine.activeScopes();
    const distributions = new Set<string>([...snapshot.distributions.keys(), ...active.map((a) => a.distribution)]);
    const candidates: Candidate[] = [];
    for (const distribution of distributions) {
      const bySpan = snapshot.distributions.get(distribution);
      for (const rule of rulesFor(distribution, this.#rules)) {
        const m = bySpan?.get(spanKey(spanOf(rule))) ?? emptyMeasures(rule.windowS * 1000);
        if (!rule.perCountry) {
          candidates.push({ key: alertKey(rule.id, distribution, ''), rule, distribution, country: '', observation: observe(rule, m) });
          continue;
        }
        const countries = new Set<string>([...m.countries.keys()]);
        for (const a of active) if (a.ruleId === rule.id && a.distribution === distribution) countries.add(a.country);
        for (const country of countries) {
          const observation = observeCountry(rule, m.countries.get(country) ?? emptyCountry(m));
          candidates.push({ key: alertKey(rule.id, distribution, country), rule, distribution, country, observation });
        }
      }
    }
    return candidates;
  }

  async #context(alert: Alert, candidate: Candidate | undefined, snapshot: SourceSnapshot, nowMs: number): Promise<AlertContext> {
    const rule = candidate?.rule ?? this.#rules.find((r) => r.id === alert.ruleId);
    const info = KIND_INFO[alert.kind];
    const signal = SIGNAL_OF_KIND[alert.kind];
    const windowMs = (rule?.windowS ?? 60) * 1000;
    const [fromMs, toMs] = alert.kind === 'trafficDrop' ? [nowMs - windowMs - DROP_CONTEXT_MS, nowMs - windowMs] : [nowMs - windowMs, nowMs];
    const notes: string[] = [...snapshot.notes];
    let top: AlertContributors = NO_CONTRIBUTORS;
    try {
      top = await this.#source.contributors({
        distribution: alert.distribution,
        signal,
        fromMs,
        toMs,
        ...(alert.country === '' ? {} : { country: alert.country }),
        ...(alert.kind === 'originLatencyP95' ? { minLatencyMs: alert.threshold } : {}),
      });
    } catch (err) {
      notes.push('the top contributors could not be read');
      this.#logger.warn({ err, alert: alert.id }, 'cannot read the contributors of an alert');
    }
    const observation: Observation | undefined = candidate?.observation;
    for (const note of observation?.notes ?? []) if (note.startsWith('no baseline')) notes.push(note);
    const countries = alert.country !== '' ? [alert.country] : alert.kind === 'geoBlockedSpike' ? top.countries.map((c) => c.value) : [];
    return {
      metric: info.metric,
      unit: info.unit,
      contributorsOf: SIGNAL_DESCRIPTION[signal],
      windowS: rule?.windowS ?? windowMs / 1000,
      baselineS: info.usesBaseline ? (rule?.baselineS ?? null) : null,
      sampled: observation?.sampled ?? 0,
      top,
      link: dashboardLink({ kind: alert.kind, distribution: alert.distribution, countries }),
      source: this.#source.mode,
      notes,
    };
  }

  // Reads

  rules(): AlertRule[] {
    return [...this.#rules];
  }

  rule(id: string): AlertRule | undefined {
    return this.#rules.find((r) => r.id === id);
  }

  /** Active alerts with their latest values (in memory; as last read from the store when another replica evaluates). */
  activeAlerts(): Alert[] {
    return this.#state === 'running' ? this.#machine.active() : [...this.#storedActive];
  }

  listAlerts(query: AlertListQuery): Promise<Alert[]> {
    return this.#store.listAlerts(query);
  }

  getAlert(id: string): Promise<Alert | null> {
    const active = this.activeAlerts().find((a) => a.id === id);
    return active === undefined ? this.#store.getAlert(id) : Promise.resolve(active);
  }

  listDeliveries(query: DeliveryListQuery): Promise<Delivery[]> {
    return this.#store.listDeliveries(query);
  }

  webhooks(): Webhook[] {
    return [...this.#webhooks];
  }

  // Changes

  async createRule(spec: RuleSpec): Promise<AlertRule> {
    if (this.#rules.length >= MAX_RULES) throw new AlertConfigError('limit', 'rules', `at most ${MAX_RULES} rules`);
    const rule: AlertRule = { ...spec, id: newId('r'), updatedAt: new Date(this.#now()).toISOString() };
    checkRule(rule);
    await this.#changing(() => this.#store.saveRules([rule]));
    this.#rules = [...this.#rules, rule];
    return rule;
  }

  async updateRule(id: string, patch: Partial<RuleSpec>): Promise<AlertRule> {
    const current = this.#rules.find((r) => r.id === id);
    if (current === undefined) throw new AlertConfigError('not_found', 'id', `no alert rule ${id}`);
    const rule: AlertRule = { ...current, ...patch, id, updatedAt: new Date(this.#now()).toISOString() };
    checkRule(rule);
    await this.#changing(() => this.#store.saveRules([rule]));
    this.#rules = this.#rules.map((r) => (r.id === id ? rule : r));
    return rule;
  }

  async deleteRule(id: string): Promise<AlertRule> {
    const current = this.#rules.find((r) => r.id === id);
    if (current === undefined) throw new AlertConfigError('not_found', 'id', `no alert rule ${id}`);
    await this.#changing(() => this.#store.deleteRule(current));
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return current;
  }

  async createWebhook(spec: WebhookSpec): Promise<Webhook> {
    if (this.#webhooks.length >= MAX_WEBHOOKS) throw new AlertConfigError('limit', 'webhooks', `at most ${MAX_WEBHOOKS} webhooks`);
    const now = this.#now();
    const webhook: Webhook = { ...spec, id: newId('wh'), createdAtMs: now, updatedAtMs: now };
    checkWebhook(webhook, this.#allowPrivateNetworks);
    await this.#changing(() => this.#store.saveWebhook(webhook));
    this.#webhooks = [...this.#webhooks, webhook];
    return webhook;
  }

  async updateWebhook(id: string, patch: Partial<WebhookSpec>): Promise<Webhook> {
    const current = this.#webhooks.find((w) => w.id === id);
    if (current === undefined) throw new AlertConfigError('not_found', 'id', `no webhook ${id}`);
    const webhook: Webhook = { ...current, ...patch, id, updatedAtMs: this.#now() };
    checkWebhook(webhook, this.#allowPrivateNetworks);
    await this.#changing(() => this.#store.saveWebhook(webhook));
    this.#webhooks = this.#webhooks.map((w) => (w.id === id ? webhook : w));
    return webhook;
  }

  async deleteWebhook(id: string): Promise<Webhook> {
    const current = this.#webhooks.find((w) => w.id === id);
    if (current === undefined) throw new AlertConfigError('not_found', 'id', `no webhook ${id}`);
    await this.#changing(() => this.#store.deleteWebhook(current));
    this.#webhooks = this.#webhooks.filter((w) => w.id !== id);
    return current;
  }
}

function spanOf(rule: AlertRule): SpanRequest {
  return { windowMs: rule.windowS * 1000, baselineMs: rule.baselineS * 1000 };
}

function uniqueSpans(rules: readonly AlertRule[]): SpanRequest[] {
  const spans = new Map<string, SpanRequest>();
  for (const rule of rules) spans.set(spanKey(spanOf(rule)), spanOf(rule));
  return [...spans.values()];
}

function checkRule(rule: AlertRule): void {
  try {
    validateRuleSpec(rule);
  } catch (err) {
    if (err instanceof RuleValidationError) throw new AlertConfigError('invalid', err.field, err.message);
    throw err;
  }
}

/** Webhook URLs: http or https, at most 2048 characters, not an IP literal of a private network unless allowed. */
export function checkWebhook(webhook: Pick<Webhook, 'url' | 'name' | 'secret'>, allowPrivateNetworks = false): void {
  let url: URL;
  try {
    url = new URL(webhook.url);
  } catch {
    throw new AlertConfigError('invalid', 'url', 'url: must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AlertConfigError('invalid', 'url', 'url: must be an http or https URL');
  if (webhook.url.length > 2048) throw new AlertConfigError('invalid', 'url', 'url: at most 2048 characters');
  try {
    checkLiteralHost(url.hostname, allowPrivateNetworks);
    if (!allowPrivateNetworks && /^localhost\.?$/i.test(url.hostname)) throw new WebhookTargetRefused(url.hostname, '127.0.0.1', 'loopback');
  } catch (err) {
    if (err instanceof WebhookTargetRefused) throw new AlertConfigError('invalid', 'url', `url: ${err.message}`);
    throw err;
  }
  if (webhook.name.trim() === '' || /\p{Cc}/u.test(webhook.name)) throw new AlertConfigError('invalid', 'name', 'name: must be 1–100 characters without control characters');
  if (webhook.secret.length < 16) throw new AlertConfigError('invalid', 'secret', 'secret: at least 16 characters');
}
