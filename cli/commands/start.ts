/**
 * `edgewatch start`: the whole product in one process (what `npm start` runs).
 */
import { parseArgs } from 'node:util';
import { buildDashboard } from '../../dashboard/build/build-dashboard.js';
import { adminTokenNotice } from '../admin-token-notice.js';
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
  if (config.kafka.brokers !== undefined) {
    logger.warn('EDGEWATCH_KAFKA_BROKERS is set, but start runs every part in one process without Kafka; for scale-out run edgewatch ingest and edgewatch process');
  }
  // The dashboard is built on the first start and after its sources change.
  try {
    const dashboard = await buildDashboard();
    if (dashboard.built) logger.info({ dir: dashboard.dir, ms: dashboard.ms }, 'dashboard built');
  } catch (err) {
    logger.error({ err }, 'the dashboard could not be built; the API runs without it (see npm run build:dashboard)');
  }
  const pipeline = await startPipeline(config, root);
  const dashboardUrl = `${pipeline.url}/`;
  const tokenNotice = adminTokenNotice(pipeline.apiTokens.generatedAdmin, process.stdout.isTTY === true);
  process.stdout.write(`\nedgewatch is running: dashboard ${dashboardUrl}  (health: ${dashboardUrl}healthz, API docs: ${dashboardUrl}docs)\n${tokenNotice}Press Ctrl-C to stop.\n\n`);

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
