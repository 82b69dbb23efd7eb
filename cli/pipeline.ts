/**
 * Composition of the whole pipeline in one process: local or AWS Kinesis → KinesisSource →
 * BatchProcessor → ClickHouseWriter → ClickHouse, plus the edge simulator and the API server.
 * `npm start` and the end-to-end tests run exactly this.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AlertService } from '../api/alerts/alert-service.js';
import { AlertStore } from '../api/alerts/alert-store.js';
import { LiveAlertSource } from '../api/alerts/live-alert-source.js';
import { RollupAlertSource } from '../api/alerts/rollup-alert-source.js';
import { alertLeadershipFromConfig } from './alert-leadership.js';
import type { ApiTokens } from '../api/auth/token-sources.js';
import { healthStatus, type HealthReport } from '../api/health.js';
import { LiveHub } from '../api/live/live-hub.js';
import { LiveTap } from '../api/live/live-tap.js';
import { generateToken } from '../api/auth/token-store.js';
import { removeServerInfo, writeServerInfo } from '../ingest/import/server-handoff.js';
import { layoutOf } from '../processor/fields/layout.js';
import { ServerImportJobs } from './import-jobs.js';
import type { CheckpointStore } from '../ingest/checkpoints/checkpoint-store.js';
import { FileCheckpointStore } from '../ingest/checkpoints/file-checkpoint-store.js';
import { kinesisShardHealth } from './kinesis-read-setup.js';
import { connectKinesis } from './kinesis-from-config.js';
import { KinesisSource } from '../ingest/kinesis/kinesis-source.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import type { EdgeSimulator } from '../ingest/simulator/edge-simulator.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { preloadGeoDatabase } from '../processor/enrich/geoip.js';
import { logFormatOf } from '../processor/registry/log-config-registry.js';
import { openRegistries, refreshRegistriesEvery } from '../processor/registry/open-registries.js';
import type { ClickHouseWriter } from '../processor/storage/clickhouse-writer.js';
import type { ClickHouse } from '../processor/storage/clickhouse.js';
import { runMigrations } from '../processor/storage/migrations.js';
import type { Config } from './config.js';
import { buildEdgewatchApp, closeApp, loadTokens } from './api-app.js';
import { createEdgeSimulator } from './edge-simulator.js';
import { createControlPlane, learnStreamLogConfig } from './control-plane.js';
import { ensureStreamLogConfig } from './stream-log-config.js';
import type { Logger } from './logger.js';
import { clickHouseFromConfig, writerFromConfig } from './clickhouse-from-config.js';

export interface RunningPipeline {
  readonly config: Config;
  readonly clickhouse: ClickHouse;
  readonly processor: BatchProcessor;
  readonly writer: ClickHouseWriter;
  readonly source: KinesisSource;
  readonly simulator: EdgeSimulator | null;
  /** Endpoint of the embedded Kinesis, when it runs. */
  readonly localKinesisEndpoint: string | null;
  readonly app: FastifyInstance;
  /** The live view: per-second counters and sampled records, fed by the source before batching. */
  readonly live: { readonly hub: LiveHub; readonly tap: LiveTap };
  /** Alert evaluation and notifications; null when EDGEWATCH_ALERTS is off. */
  readonly alerts: AlertService | null;
  /** Who may call the API; `generatedAdmin` is set when the admin token was generated under the data dir. */
  readonly apiTokens: ApiTokens;
  /** Base URL of the API server once listening. */
  readonly url: string;
  health(): HealthReport;
  /** Drains and stops every part in order; nothing acknowledged is lost. */
  stop(): Promise<void>;
}

/** Registry refresh: picks up changes another process (a CLI, another replica) made to the registries. */
const REGISTRY_REFRESH_MS = 5_000;

export interface PipelineHooks {
  /** Wraps the checkpoint store (fault-injection tests kill the process between insert and commit). */
  readonly wrapCheckpoints?: (store: CheckpointStore) => CheckpointStore;
}

export async function startPipeline(config: Config, logger: Logger, hooks: PipelineHooks = {}): Promise<RunningPipeline> {
  const started = Date.now();
  const log = (component: string) => logger.child({ component });
  fs.mkdirSync(config.dataDir, { recursive: true });
  // For `edgewatch import` on this machine: it finds the address and this token in server.json (0600).
  const localAdminToken = generateToken();
  const apiTokens = loadTokens(config, localAdminToken);
  preloadGeoDatabase();

  const clickhouse = clickHouseFromConfig(config);
  const migrations = await runMigrations(clickhouse, config.clickhouse);
  log('storage').info({ mode: clickhouse.mode, database: clickhouse.database, ...migrations }, 'ClickHouse ready');

  const registries = await openRegistries(config.dataDir, clickhouse);
  const { distributions, logConfigs } = registries;
  if (config.controlPlane.provider === 'aws' && !config.kinesis.local) await learnStreamLogConfig(config, logConfigs);
  const logConfig = await ensureStreamLogConfig(config, logConfigs);
  log('log-configs').info({ name: logConfig.name, stream: config.kinesis.streamName, fields: logConfig.fields.length, samplingRate: logConfig.samplingRate }, 'log config');
  if (config.kinesis.local) {
    await distributions.addMissing(DEMO_DISTRIBUTIONS.map(({ id, domainName, aliases, comment }) => ({ id, domainName, aliases, comment: comment ?? '' })));
  }
  const { local: localKinesis, client: kinesis, reading } = await connectKinesis(config, logger);

  const wrap = hooks.wrapCheckpoints ?? ((store: CheckpointStore) => store);
  // The writer, the source and the simulator name themselves in their log lines.
  const writer = writerFromConfig(clickhouse, config, logger);
  const formatOf = (stream: string) => {
    const logConfig = logConfigs.forStream(stream);
    if (!logConfig) throw new Error(`no real-time log config is known for stream ${stream} (${logConfigs.location})`);
    // With the layouts the config had before a field change, for records written before it.
    return logFormatOf(logConfig);
  };
  const processor = new BatchProcessor({
    sink: writer,
    sourceKind: 'kinesis',
    resolveDistribution: distributions.resolveDomain,
    formatOf,
  });
  const liveHub = new LiveHub({
    onSubscriberError: (err, subscriber) => log('live').warn({ err, subscriber }, 'live subscriber failed and was removed'),
  });
  const liveTap = new LiveTap({
    hub: liveHub,
    formatOf,
    resolveDistribution: distributions.resolveDomain,
    sourceKind: 'kinesis',
    onError: (err, context) => log('live').warn({ err, ...context }, 'live view cannot read records; ingestion is not affected'),
  });
  // Alerts: in-process counters fed by the live hub in embedded mode, the rollups on a ClickHouse server.
  let publicUrl: string | null = config.alerts.publicUrl ?? null;
  const alerts = config.alerts.enabled
    ? new AlertService({
        store: new AlertStore(clickhouse),
        source: clickhouse.mode === 'embedded' ? new LiveAlertSource({ hub: liveHub }) : new RollupAlertSource({ clickhouse, maxExecutionTimeS: config.clickhouse.maxExecutionTimeS }),
        evalIntervalMs: config.alerts.evalIntervalMs,
        logger: log('alerts'),
        publicUrl: () => publicUrl,
        delivery: { allowPrivateNetworks: config.alerts.webhookAllowPrivate },
      })
    : null;
  const source = new KinesisSource({
    client: kinesis,
    streamName: config.kinesis.streamName,
    checkpoints: wrap(new FileCheckpointStore(path.join(config.dataDir, 'checkpoints'))),
    handler: processor.handle,
    initialPosition: config.kinesis.initialPosition,
    maxBatchRecords: config.batch.maxRecords,
    maxBatchBytes: config.batch.maxBytes,
    maxBatchAgeMs: config.batch.maxAgeMs,
    pollIntervalMs: config.kinesis.pollIntervalMs,
    stopDeadlineMs: config.shutdownDeadlineMs,
    logger,
    onRecords: liveTap.tap,
    readBytesPerSecond: reading.readBytesPerSecond,
    fetchers: reading.fetchers,
  });

  const controlPlane = createControlPlane(config, { clickhouse, kinesis: localKinesis === null ? null : kinesis, logConfigs, distributions, streamLogConfig: logConfig });
  const simulator = createEdgeSimulator(
    config,
    kinesis,
    logConfig,
    started,
    logger,
    controlPlane.localState === null ? null : { state: controlPlane.localState, logConfigs },
  );

  let stopping = false;
  const health = (): HealthReport => {
    const writerStats = writer.stats();
    const counts = processor.counts();
    const shards = source.status();
    const uptimeS = Math.round((Date.now() - started) / 1000);
    return {
      status: healthStatus({
        stopping,
        uptimeS,
        shardCount: shards.length,
        lastInsertAtMs: writerStats.lastInsertAtMs,
        lastInsertErrorAtMs: writerStats.lastErrorAtMs,
      }),
      uptimeS,
      recordsIngested: counts.records,
      deadLetters: counts.deadLetters,
      lastInsertAt: writerStats.lastInsertAtMs === null ? null : new Date(writerStats.lastInsertAtMs).toISOString(),
      insertErrors: writerStats.insertErrors,
      unknownValues: Object.fromEntries([...processor.unknownValues()].map(([field, values]) => [field, Object.fromEntries(values)])),
      shards: shards.map((s) => kinesisShardHealth(config.kinesis.streamName, s)),
    };
  };

  const imports = new ServerImportJobs({
    environment: {
      clickhouse,
      sink: writerFromConfig(clickhouse, config, logger),
      resolveDistribution: distributions.resolveDomain,
      defaultLayout: layoutOf(logConfig.fields),
      defaultSamplingRate: logConfig.samplingRate,
    },
    onError: (id, err) => log('import').error({ id, err }, 'import job failed'),
  });
  const app = buildEdgewatchApp({
    config,
    logger,
    clickhouse,
    apiTokens,
    resolveDomain: distributions.resolveDomain,
    liveHub,
    alerts,
    imports,
    controlPlaneRoutes: controlPlane.routes,
    health,
    queues: () => {
      const inserts = writer.stats();
      const statements = Object.entries(clickhouse.queueStatsByName()).map(([name, stats]) => [`clickhouse_${name}`, stats] as const);
      return { clickhouse_insert: { running: inserts.inFlight, queued: inserts.waiting, waitMsTotal: inserts.waitMsTotal }, ...Object.fromEntries(statements) };
    },
  });
  liveHub.start();
  const alertLeadership = alerts === null ? null : alertLeadershipFromConfig(config, alerts, logger);
  await alertLeadership?.start();
  await source.start();
  await simulator?.start();
  const stopRefresh = refreshRegistriesEvery(registries, REGISTRY_REFRESH_MS, (err) => log('registry').warn({ err }, 'cannot refresh the registries; keeping the last snapshot'));
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  publicUrl ??= address;
  writeServerInfo(config.dataDir, { url: address, pid: process.pid, token: localAdminToken });

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    stopRefresh();
    // Order: stop producing, drain the source (flush + checkpoint), then storage, then the server.
    removeServerInfo(config.dataDir);
    await simulator?.stop();
    await imports.stop();
    await alertLeadership?.stop();
    await source.stop();
    reading.close();
    await writer.stop();
    // Live streams end with a `closing` event before the server closes.
    liveTap.stop();
    liveHub.stop();
    await closeApp(app);
    await localKinesis?.close();
    kinesis.destroy();
    await clickhouse.close();
  };

  return {
    config,
    clickhouse,
    processor,
    writer,
    source,
    simulator,
    localKinesisEndpoint: localKinesis?.endpoint ?? null,
    app,
    live: { hub: liveHub, tap: liveTap },
    alerts,
    apiTokens,
    url: address,
    health,
    stop,
  };
}
