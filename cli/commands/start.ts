/**
 * `edgewatch start`: the whole product in one process (what `npm start` runs).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startPipeline } from '../pipeline.js';

const HELP = `usage: edgewatch start

Runs the edge simulator, local Kinesis, ingest, the processor, embedded ClickHouse and the API server
in one process. Configuration comes from EDGEWATCH_* environment variables (see README.md).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig();
  const root = createLogger(config.logLevel);
  const logger = root.child({ component: 'cli' });
  const pipeline = await startPipeline(config, root);
  const dashboardUrl = `${pipeline.url}/`;
  process.stdout.write(`\nedgewatch is running: dashboard ${dashboardUrl}  (health: ${dashboardUrl}healthz)\nPress Ctrl-C to stop.\n\n`);

  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        logger.error({ signal }, 'second signal: exiting without draining; the last batches will be replayed on the next start');
        process.exit(130);
      }
      logger.info({ signal }, 'stopping: draining batches in flight and checkpointing');
      pipeline.stop().then(
        () => {
          logger.info('stopped cleanly');
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
