/**
 * `edgewatch process`: Kafka → ClickHouse, one consumer-group member of a scale-out deployment.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startProcessRole } from '../process-role.js';
import { runUntilSignal } from '../run-until-signal.js';
import { ScaleOutConfigError } from '../scale-out-config.js';

const HELP = `usage: edgewatch process

Joins the consumer group EDGEWATCH_KAFKA_GROUP on EDGEWATCH_KAFKA_BROKERS, reads the topic
EDGEWATCH_KAFKA_TOPIC (ranges from 'edgewatch ingest', or raw CloudFront lines with
EDGEWATCH_KAFKA_TOPIC_FORMAT=lines), and stores every record in the ClickHouse server at
EDGEWATCH_CLICKHOUSE_URL, committing offsets only once the rows are stored. Start as many as the topic
has partitions. See README.md, "Scale-out with Kafka".`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig();
  const root = createLogger(config.logLevel);
  let processor;
  try {
    processor = await startProcessRole(config, root);
  } catch (err) {
    if (!(err instanceof ScaleOutConfigError)) throw err;
    process.stderr.write(`edgewatch process: ${err.message}\n`);
    return 2;
  }
  process.stdout.write(`\nedgewatch process is a member of consumer group ${config.kafka.groupId} (health: ${processor.url}/healthz)\nPress Ctrl-C to stop.\n\n`);
  return runUntilSignal(processor, root.child({ component: 'cli' }), 'process');
}
