/**
 * `edgewatch serve` in scale-out mode: the API and dashboard against the ClickHouse server that the
 * processors write, with no ingest. Stats come from ClickHouse; the live view (/api/v1/live) from the
 * live feed topic, which every processor publishes per-second counter cells and sampled records to
 * and every serve replica reads whole (cli/live-feed-consumer.ts); live filters the cells cannot
 * answer are announced to the processors, which apply them and publish their counts
 * (cli/live-filter-announcer.ts). Alerts evaluate the server's
 * rollups, on one replica at a time with a lease table (cli/alert-leadership.ts). Any number of
 * replicas can run behind a load balancer.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AlertService } from '../api/alerts/alert-service.js';
import { AlertStore } from '../api/alerts/alert-store.js';
import { RollupAlertSource } from '../api/alerts/rollup-alert-source.js';
import type { ApiTokens } from '../api/auth/token-sources.js';
import { generateToken } from '../api/auth/token-store.js';
import { healthStatus, type HealthReport } from '../api/health.js';
import { LiveHub } from '../api/live/live-hub.js';
import { createKafkajsClient } from '../ingest/kafka/kafkajs-client.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { layoutOf } from '../processor/fields/layout.js';
import { openRegistries, refreshRegistriesEvery } from '../processor/registry/open-registries.js';
import type { ClickHouse } from '../processor/storage/clickhouse.js';
import { alertLeadershipFromConfig } from './alert-leadership.js';
import { buildEdgewatchApp, closeApp, loadTokens } from './api-app.js';
import { clickHouseFromConfig, writerFromConfig } from './clickhouse-from-config.js';
import type { Config } from './config.js';
import { createControlPlane } from './control-plane.js';
import { ServerImportJobs } from './import-jobs.js';
import { LiveFeedConsumer } from './live-feed-consumer.js';
import { LiveFilterAnnouncer } from './live-filter-announcer.js';
import { ensureLiveFeedTopic, LIVE_FEED_MAX_MESSAGE_BYTES } from './live-feed-topic.js';
import type { Logger } from './logger.js';
import { requireClickHouseServer, requireKafkaBrokers } from './scale-out-config.js';
import { migrateSharedSchema } from './shared-schema.js';
import { ensureStreamLogConfig } from './stream-log-config.js';

export interface RunningServe {
  readonly config: Config;
  readonly clickhouse: ClickHouse;
  readonly app: FastifyInstance;
  /** The live view, fed by the live feed topic. */
  readonly live: { readonly hub: LiveHub; readonly feed: LiveFeedConsumer };
  /** Alert evaluation and notifications; null when EDGEWATCH_ALERTS is off. */
  readonly alerts: AlertService | null;
  readonly apiTokens: ApiTokens;
  /** Base URL of the API server. */
  readonly url: string;
  health(): HealthReport;
  /** Resolves with the error when the live feed's consumer fails for good. */
  readonly failed: Promise<Error>;
  /** Stops alerts, imports and the live feed, ends live streams, closes the server and clients. */
  stop(): Promise<void>;
}

const REGISTRY_REFRESH_MS = 5_000;

export async function startServeRole(config: Config, logger: Logger): Promise<RunningServe> {
  const started = Date.now();
  const brokers = requireKafkaBrokers(config, 'edgewatch serve');
  const clickhouseUrl = requireClickHouseServer(
    config,
    'edgewatch serve answers from the ClickHouse server the processors write: set EDGEWATCH_CLICKHOUSE_URL. ' +
      "Without a ClickHouse server, 'edgewatch start' runs the API with everything else in one process.",
  );
  const { kafka } = config;
  const log = (component: string) => logger.child({ component });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const apiTokens = loadTokens(config, generateToken());

  const clickhouse = clickHouseFromConfig(config, clickhouseUrl);
  const migrations = await migrateSharedSchema(clickhouse, config.clickhouse, log('storage'));
  log('storage').info({ mode: clickhouse.mode, database: clickhouse.database, ...migrations }, 'ClickHouse ready');

  const registries = await openRegistries(config.dataDir, clickhouse);
  const { distributions, logConfigs } = registries;
  if (config.kinesis.local) {
    await distributions.addMissing(DEMO_DISTRIBUTIONS.map(({ id, domainName, aliases, comment }) => ({ id, domainName, aliases, comment: comment ?? '' })));
  }
  const logConfig = await ensureStreamLogConfig(config, logConfigs);
  const stopRefresh = refreshRegistriesEvery(registries, REGISTRY_REFRESH_MS, (err) => log('registry').warn({ err }, 'cannot refresh the registries; keeping the last snapshot'));

  let announcer: LiveFilterAnnouncer | null = null;
  const liveHub = new LiveHub({
    feed: 'cells',
    // Filters counter cells cannot answer are applied by the processors (announced below).
    pushDown: true,
    onPushedFiltersChange: () => announcer?.changed(),
    onSubscriberError: (err, subscriber) => log('live').warn({ err, subscriber }, 'live subscriber failed and was removed'),
  });
  const client = createKafkajsClient({ brokers, clientId: `${kafka.clientId}-serve`, logger });
  await ensureLiveFeedTopic(client, kafka, logger);
  const announcePublisher = client.publisher({ compression: 'none' });
  const feed = new LiveFeedConsumer({
    client,
    topic: kafka.liveTopic,
    hub: liveHub,
    groupPrefix: `${kafka.clientId}-serve`,
    maxMessageBytes: LIVE_FEED_MAX_MESSAGE_BYTES,
    sessionTimeoutMs: kafka.sessionTimeoutMs,
    logger,
  });
  announcer = new LiveFilterAnnouncer({ publisher: announcePublisher, topic: kafka.liveFiltersTopic, replica: feed.groupId, filters: () => liveHub.pushedFilters(), logger });

  let publicUrl: string | null = config.alerts.publicUrl ?? null;
  const alerts = config.alerts.enabled
    ? new AlertService({
        store: new AlertStore(clickhouse),
        source: new RollupAlertSource({ clickhouse, maxExecutionTimeS: config.clickhouse.maxExecutionTimeS }),
        evalIntervalMs: config.alerts.evalIntervalMs,
        logger: log('alerts'),
        publicUrl: () => publicUrl,
        delivery: { allowPrivateNetworks: config.alerts.webhookAllowPrivate },
      })
    : null;
  const importWriter = writerFromConfig(clickhouse, config, logger);
  const imports = new ServerImportJobs({
    environment: {
      clickhouse,
      sink: importWriter,
      resolveDistribution: distributions.resolveDomain,
      defaultLayout: layoutOf(logConfig.fields),
      defaultSamplingRate: logConfig.samplingRate,
    },
    onError: (id, err) => log('import').error({ id, err }, 'import job failed'),
  });
  const controlPlane = createControlPlane(config, { clickhouse, kinesis: null, logConfigs, distributions, streamLogConfig: logConfig });

  let stopping = false;
  const health = (): HealthReport => {
    const uptimeS = Math.round((Date.now() - started) / 1000);
    const live = feed.stats();
    const inserts = importWriter.stats();
    return {
      // Degraded when the live feed has no partition 30 s after the start (Kafka unreachable).
      status: healthStatus({ stopping, uptimeS, shardCount: live.partitions, lastInsertAtMs: inserts.lastInsertAtMs, lastInsertErrorAtMs: inserts.lastErrorAtMs }),
      uptimeS,
      recordsIngested: 0,
      deadLetters: 0,
      lastInsertAt: inserts.lastInsertAtMs === null ? null : new Date(inserts.lastInsertAtMs).toISOString(),
      insertErrors: inserts.insertErrors,
      unknownValues: {},
      shards: live.partitions === 0 ? [] : [{ shardId: `${kafka.liveTopic} (live feed)`, millisBehindLatest: null, lastSequence: null, recordsRead: live.messages, finished: false }],
    };
  };

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
  });
  liveHub.start();
  await feed.start();
  announcer.start();
  // ── Alerts start and stop here, and only here: on the replica that holds the `alerts` lease when
  // EDGEWATCH_LEASE_TABLE is set (one evaluator, each notification sent once), else on this one. ──
  const alertRunner = alerts === null ? null : alertLeadershipFromConfig(config, alerts, logger);
  const startAlerts = async (): Promise<void> => alertRunner?.start();
  const stopAlerts = async (): Promise<void> => alertRunner?.stop();
  await startAlerts();
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  publicUrl ??= url;
  log('serve').info({ url, liveTopic: kafka.liveTopic, group: feed.groupId }, 'serving the API and dashboard');

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    stopRefresh();
    await stopAlerts();
    await imports.stop();
    await announcer.stop();
    await announcePublisher.close();
    await feed.stop();
    // Live streams end with a `closing` event before the server closes.
    liveHub.stop();
    await closeApp(app);
    await importWriter.stop();
    await clickhouse.close();
  };

  return { config, clickhouse, app, live: { hub: liveHub, feed }, alerts, apiTokens, url, health, failed: feed.failed, stop };
}
