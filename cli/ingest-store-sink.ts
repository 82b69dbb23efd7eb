/**
 * `edgewatch ingest` without Kafka: each range is parsed, enriched and inserted into ClickHouse in this
 * process (as `edgewatch start` does, without the API) with the deduplication token of its range, so
 * several ingest workers sharing a ClickHouse server store every record once. Without
 * EDGEWATCH_CLICKHOUSE_URL it uses the embedded ClickHouse of its data dir (one worker).
 */
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { preloadGeoDatabase } from '../processor/enrich/geoip.js';
import { layoutOfConfig } from '../processor/registry/log-config-registry.js';
import { openRegistries, refreshRegistriesEvery } from '../processor/registry/open-registries.js';
import { runMigrations } from '../processor/storage/migrations.js';
import type { Config } from './config.js';
import type { IngestSink } from './ingest-sink.js';
import type { Logger } from './logger.js';
import { migrateSharedSchema } from './shared-schema.js';
import { ensureStreamLogConfig } from './stream-log-config.js';
import { clickHouseFromConfig, writerFromConfig } from './clickhouse-from-config.js';

const REGISTRY_REFRESH_MS = 5_000;

export async function startStoreIngestSink(config: Config, logger: Logger): Promise<IngestSink> {
  const log = (component: string) => logger.child({ component });
  preloadGeoDatabase();
  const { url } = config.clickhouse;
  const clickhouse = clickHouseFromConfig(config, url);
  // Workers sharing a server start together and must not run the same migration at once.
  const migrations = url === undefined ? await runMigrations(clickhouse, config.clickhouse) : await migrateSharedSchema(clickhouse, config.clickhouse, log('storage'));
  log('storage').info({ mode: clickhouse.mode, database: clickhouse.database, ...migrations }, 'ClickHouse ready');

  const registries = await openRegistries(config.dataDir, clickhouse);
  const { distributions, logConfigs } = registries;
  await ensureStreamLogConfig(config, logConfigs);
  if (config.kinesis.local) {
    await distributions.addMissing(DEMO_DISTRIBUTIONS.map(({ id, domainName, aliases, comment }) => ({ id, domainName, aliases, comment: comment ?? '' })));
  }
  const writer = writerFromConfig(clickhouse, config, logger);
  const processor = new BatchProcessor({
    sink: writer,
    sourceKind: 'kinesis',
    resolveDistribution: distributions.resolveDomain,
    formatOf: (stream) => {
      const logConfig = logConfigs.forStream(stream);
      if (!logConfig) throw new Error(`no real-time log config is known for stream ${stream} (${logConfigs.location})`);
      return { layout: layoutOfConfig(logConfig), samplingRate: logConfig.samplingRate };
    },
  });
  const stopRefresh = refreshRegistriesEvery(registries, REGISTRY_REFRESH_MS, (err) => log('registry').warn({ err }, 'cannot refresh the registries; keeping the last snapshot'));

  return {
    description: `ClickHouse ${url === undefined ? '(embedded)' : 'server'} database ${clickhouse.database}`,
    handler: processor.handle,
    limits: { maxBatchRecords: config.batch.maxRecords, maxBatchBytes: config.batch.maxBytes },
    stats: () => {
      const counts = processor.counts();
      const writes = writer.stats();
      return {
        records: counts.records,
        deadLetters: counts.deadLetters,
        lastWriteAtMs: writes.lastInsertAtMs,
        lastErrorAtMs: writes.lastErrorAtMs,
        writeErrors: writes.insertErrors,
        unknownValues: Object.fromEntries([...processor.unknownValues()].map(([field, values]) => [field, Object.fromEntries(values)])),
      };
    },
    stop: async () => {
      stopRefresh();
      await writer.stop();
      await clickhouse.close();
    },
  };
}
