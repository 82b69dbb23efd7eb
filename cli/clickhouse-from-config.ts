/**
 * The ClickHouse client and batch writer every command builds from its configuration: embedded
 * (chdb in the data dir) unless a server URL is given, inserts into a cluster as configured.
 */
import { createClickHouse, type ClickHouse } from '../processor/storage/clickhouse.js';
import { ClickHouseWriter, type WriterLogger } from '../processor/storage/clickhouse-writer.js';
import type { Config } from './config.js';

/** `url` overrides the configured server (a role that has checked it already passes it). */
export function clickHouseFromConfig(config: Config, url: string | undefined = config.clickhouse.url): ClickHouse {
  const { database, maxExecutionTimeS, username, password } = config.clickhouse;
  return createClickHouse(
    url === undefined ? { mode: 'embedded', dataDir: config.dataDir, database, maxExecutionTimeS } : { mode: 'server', url, username, password, database, maxExecutionTimeS },
  );
}

export function writerFromConfig(clickhouse: ClickHouse, config: Config, logger?: WriterLogger): ClickHouseWriter {
  return new ClickHouseWriter(clickhouse, {
    maxInFlight: config.batch.maxInsertsInFlight,
    ...(logger === undefined ? {} : { logger }),
    ...(config.clickhouse.cluster === undefined ? {} : { clusterInsert: config.clickhouse.clusterInsert }),
  });
}
