/**
 * `edgewatch ingest`: reads the Kinesis stream, one worker of a scale-out deployment.
 */
import { startIngestRole } from '../ingest-role.js';
import { runScaleOutCommand } from './scale-out-command.js';

const HELP = `usage: edgewatch ingest

Reads the Kinesis stream (EDGEWATCH_KINESIS_*; locally the embedded Kinesis and the edge simulator),
cuts each shard into ranges and checkpoints a range once it is durable downstream:
  - with EDGEWATCH_KAFKA_BROKERS, published to the Kafka topic EDGEWATCH_KAFKA_TOPIC (default
    edgewatch.raw); run 'edgewatch process' to store what it publishes;
  - without Kafka, parsed and stored in ClickHouse in this process (EDGEWATCH_CLICKHOUSE_URL, shared
    by every worker; the embedded ClickHouse of the data dir when unset).
With EDGEWATCH_LEASE_TABLE, several workers share the shards through DynamoDB leases
(EDGEWATCH_DYNAMODB_ENDPOINT, EDGEWATCH_WORKER_ID, EDGEWATCH_LEASE_DURATION_MS); without it this
worker reads every shard. See README.md, "Scale-out with Kafka" and "Several ingest workers".`;

export function run(argv: string[]): Promise<number> {
  return runScaleOutCommand(
    {
      name: 'ingest',
      help: HELP,
      start: startIngestRole,
      banner: (_config, role) => `edgewatch ingest is writing to ${role.sink.description} (health: ${role.url}/healthz)`,
    },
    argv,
  );
}
