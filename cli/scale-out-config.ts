/**
 * What scale-out mode (`edgewatch ingest` and `edgewatch process` meeting in Kafka) requires of the
 * configuration, checked before anything starts.
 */
import type { Config } from './config.js';

/** Scale-out mode is configured incompletely; the message says what to set. */
export class ScaleOutConfigError extends Error {
  override readonly name = 'ScaleOutConfigError';
}

export function requireKafkaBrokers(config: Config, command: string): readonly string[] {
  const brokers = config.kafka.brokers;
  if (brokers === undefined) {
    throw new ScaleOutConfigError(
      `${command} runs in scale-out mode and needs Kafka: set EDGEWATCH_KAFKA_BROKERS (host:port,…). ` +
        `Without Kafka, 'edgewatch start' runs ingest and processing in one process.`,
    );
  }
  return brokers;
}

/** The ClickHouse server's URL a scale-out role needs; `why` says what the role uses it for and what else to run. */
export function requireClickHouseServer(config: Config, why: string): string {
  const url = config.clickhouse.url;
  if (url === undefined) throw new ScaleOutConfigError(why);
  return url;
}
