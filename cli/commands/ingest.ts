/**
 * `edgewatch ingest`: Kinesis → Kafka, one process of a scale-out deployment.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { startIngestRole } from '../ingest-role.js';
import { createLogger } from '../logger.js';
import { runUntilSignal } from '../run-until-signal.js';
import { ScaleOutConfigError } from '../scale-out-config.js';

const HELP = `usage: edgewatch ingest

Reads the Kinesis stream (EDGEWATCH_KINESIS_*; locally the embedded Kinesis and the edge simulator)
and publishes each shard's records as ranges to the Kafka topic EDGEWATCH_KAFKA_TOPIC (default
edgewatch.raw) on EDGEWATCH_KAFKA_BROKERS, checkpointing a range only once Kafka acknowledged it.
Run 'edgewatch process' to store what it publishes. See README.md, "Scale-out with Kafka".`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig();
  const root = createLogger(config.logLevel);
  let ingest;
  try {
    ingest = await startIngestRole(config, root);
  } catch (err) {
    if (!(err instanceof ScaleOutConfigError)) throw err;
    process.stderr.write(`edgewatch ingest: ${err.message}\n`);
    return 2;
  }
  process.stdout.write(`\nedgewatch ingest is publishing to Kafka topic ${config.kafka.topic} (health: ${ingest.url}/healthz)\nPress Ctrl-C to stop.\n\n`);
  return runUntilSignal(ingest, root.child({ component: 'cli' }), 'ingest');
}
