/**
 * `edgewatch ingest`: Kinesis → Kafka, one process of a scale-out deployment.
 */
import { startIngestRole } from '../ingest-role.js';
import { runScaleOutCommand } from './scale-out-command.js';

const HELP = `usage: edgewatch ingest

Reads the Kinesis stream (EDGEWATCH_KINESIS_*; locally the embedded Kinesis and the edge simulator)
and publishes each shard's records as ranges to the Kafka topic EDGEWATCH_KAFKA_TOPIC (default
edgewatch.raw) on EDGEWATCH_KAFKA_BROKERS, checkpointing a range only once Kafka acknowledged it.
Run 'edgewatch process' to store what it publishes. See README.md, "Scale-out with Kafka".`;

export function run(argv: string[]): Promise<number> {
  return runScaleOutCommand(
    { name: 'ingest', help: HELP, start: startIngestRole, banner: (config, role) => `edgewatch ingest is publishing to Kafka topic ${config.kafka.topic} (health: ${role.url}/healthz)` },
    argv,
  );
}
