/**
 * Prometheus metrics at GET /metrics, on a registry of this app's own (several apps can share a
 * process, as tests do): HTTP requests by route template, method and status, and the pipeline's
 * figures read from its health report and work queues at each scrape.
 */
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthReport, HealthSource } from '../health.js';
import { registerKinesisShardMetrics } from './kinesis-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus registry: route plugins add their own metrics to it. */
    metricsRegistry: Registry;
  }
}

/** A work queue's figures (structurally a processor BoundedQueue's `stats()`). */
export interface QueueFigures {
  readonly running: number;
  readonly queued: number;
  /** Total time tasks have waited for a slot. */
  readonly waitMsTotal: number;
  /** Tasks turned away because the queue was full. */
  readonly rejected?: number;
}

export interface MetricsOptions {
  /** Queues in front of ClickHouse (insert slots, the query queue) by name, read at each scrape. */
  readonly queues?: () => Readonly<Record<string, QueueFigures>>;
  /** Node.js process figures (CPU, memory, event-loop delay). On in the server; tests leave it off. */
  readonly processMetrics?: boolean;
}

const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Requests that matched no route share one label value, so junk paths cannot grow the series. */
const UNMATCHED_ROUTE = 'unmatched';

/** Sets a counter to a total kept elsewhere (the pipeline counts; the registry reports). */
function setTotal(counter: Counter, value: number, labels?: Record<string, string>): void {
  if (labels === undefined) counter.inc(value);
  else counter.inc(labels, value);
}

/**
 * The health report for one scrape: every collector of a scrape reads the same report, taken once;
 * outside a scrape each read takes a fresh one.
 */
class ScrapeSnapshot {
  private report: HealthReport | null = null;
  private scrapes = 0;

  constructor(private readonly health: HealthSource) {}

  get(): HealthReport {
    if (this.scrapes === 0) return this.health();
    this.report ??= this.health();
    return this.report;
  }

  async during<T>(scrape: () => Promise<T>): Promise<T> {
    if (this.scrapes++ === 0) this.report = null;
    try {
      return await scrape();
    } finally {
      if (--this.scrapes === 0) this.report = null;
    }
  }
}

function registerPipelineMetrics(registry: Registry, snapshot: ScrapeSnapshot, options: MetricsOptions): void {
  const report = (): HealthReport => snapshot.get();
  const registers = [registry];

  new Counter({
    name: 'edgewatch_records_ingested_total',
    help: 'Log records parsed and written to ClickHouse.',
    registers,
    collect() {
      this.reset();
      setTotal(this, report().recordsIngested);
    },
  });
  new Counter({
    name: 'edgewatch_dead_letters_total',
    help: 'Log records that could not be read, kept in the dead_letters table.',
    registers,
    collect() {
      this.reset();
      setTotal(this, report().deadLetters);
    },
  });
  new Counter({
    name: 'edgewatch_insert_errors_total',
    help: 'Failed ClickHouse insert attempts (retried or dead-lettered).',
    registers,
    collect() {
      this.reset();
      setTotal(this, report().insertErrors);
    },
  });
  new Counter({
    name: 'edgewatch_unknown_values_total',
    help: 'Values of enumerated log fields edgewatch does not know yet (kept as written), by field.',
    labelNames: ['field'],
    registers,
    collect() {
      this.reset();
      for (const [field, values] of Object.entries(report().unknownValues)) {
        setTotal(this, Object.values(values).reduce((a, b) => a + b, 0), { field });
      }
    },
  });
  new Gauge({
    name: 'edgewatch_pipeline_status',
    help: 'The pipeline status as /healthz reports it: 1 for the current status.',
    labelNames: ['status'],
    registers,
    collect() {
      const { status } = report();
      for (const s of ['starting', 'ok', 'degraded', 'stopping'] as const) this.set({ status: s }, s === status ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edgewatch_last_insert_timestamp_seconds',
    help: 'Time of the last successful ClickHouse insert (absent before the first).',
    registers,
    collect() {
      this.reset();
      const { lastInsertAt } = report();
      if (lastInsertAt !== null) this.set(Date.parse(lastInsertAt) / 1000);
    },
  });
  new Gauge({
    name: 'edgewatch_kinesis_shard_behind_latest_seconds',
    help: 'How far each shard reader is behind the tip of its Kinesis shard (MillisBehindLatest).',
    labelNames: ['shard_id'],
    registers,
    collect() {
      this.reset();
      for (const shard of report().shards) {
        if (shard.millisBehindLatest !== null) this.set({ shard_id: shard.shardId }, shard.millisBehindLatest / 1000);
      }
    },
  });
  new Counter({
    name: 'edgewatch_kinesis_shard_records_read_total',
    help: 'Records read from each Kinesis shard since start.',
    labelNames: ['shard_id'],
    registers,
    collect() {
      this.reset();
      for (const shard of report().shards) setTotal(this, shard.recordsRead, { shard_id: shard.shardId });
    },
  });

  registerKinesisShardMetrics(registry, report);

  const queues = options.queues;
  if (queues === undefined) return;
  new Gauge({
    name: 'edgewatch_queue_running',
    help: 'Tasks running in each work queue (ClickHouse inserts, queries).',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const [queue, figures] of Object.entries(queues())) this.set({ queue }, figures.running);
    },
  });
  new Gauge({
    name: 'edgewatch_queue_waiting',
    help: 'Tasks waiting for a slot in each work queue.',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const [queue, figures] of Object.entries(queues())) this.set({ queue }, figures.queued);
    },
  });
  new Counter({
    name: 'edgewatch_queue_wait_seconds_total',
    help: 'Total time tasks have waited for a slot in each work queue.',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const [queue, figures] of Object.entries(queues())) setTotal(this, figures.waitMsTotal / 1000, { queue });
    },
  });
  new Counter({
    name: 'edgewatch_queue_rejected_total',
    help: 'Tasks turned away because a work queue was full (answered with 503).',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const [queue, figures] of Object.entries(queues())) setTotal(this, figures.rejected ?? 0, { queue });
    },
  });
}

export interface AppMetrics {
  readonly registry: Registry;
  /** The registry in the Prometheus text format, the pipeline read once for the whole scrape. */
  scrape(): Promise<string>;
}

/** Creates the app's registry, counts every response, and adds the pipeline's figures. */
export function installMetrics(app: FastifyInstance, health: HealthSource, options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  app.decorate('metricsRegistry', registry);
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'edgewatch_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'edgewatch_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      route: request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE),
      method: request.method,
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  const snapshot = new ScrapeSnapshot(health);
  registerPipelineMetrics(registry, snapshot, options);
  return { registry, scrape: () => snapshot.during(() => registry.metrics()) };
}

/** GET /metrics in the Prometheus text format. Public like /healthz: it carries counters only. */
export function metricsRoute(metrics: AppMetrics): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get(
      '/metrics',
      {
        schema: {
          description: 'Prometheus metrics (text exposition format).',
          response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.scrape()),
    );
    done();
  };
}
