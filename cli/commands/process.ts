/**
 * `edgewatch process`: Kafka → ClickHouse, one consumer-group member of a scale-out deployment.
 */
import { startProcessRole } from '../process-role.js';
import { runScaleOutCommand } from './scale-out-command.js';

const HELP = `usage: edgewatch process

Joins the consumer group EDGEWATCH_KAFKA_GROUP on EDGEWATCH_KAFKA_BROKERS, reads the topic
EDGEWATCH_KAFKA_TOPIC (ranges from 'edgewatch ingest', or raw CloudFront lines with
EDGEWATCH_KAFKA_TOPIC_FORMAT=lines), and stores every record in the ClickHouse server at
EDGEWATCH_CLICKHOUSE_URL, committing offsets only once the rows are stored. Start as many as the topic
has partitions. See README.md, "Scale-out with Kafka".`;

export function run(argv: string[]): Promise<number> {
  return runScaleOutCommand(
    { name: 'process', help: HELP, start: startProcessRole, banner: (config, role) => `edgewatch process is a member of consumer group ${config.kafka.groupId} (health: ${role.url}/healthz)` },
    argv,
  );
}
