/**
 * `npm run kafka:start` / `npm run kafka:stop` / `npm run kafka:status`: a local single-node Kafka
 * broker for scale-out runs. `start` returns once the broker serves requests and leaves it running
 * in the background; `stop` shuts it down cleanly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { probeKafka } from './api-versions-probe.js';
import { brokerFiles, startKafkaBroker, stopKafkaBroker } from './broker.js';
import { DEFAULT_KAFKA_VERSION, KafkaToolchainError, REPOSITORY_ROOT } from './kafka-libs.js';

const HELP = `usage: node bin/run-ts.mjs infra/kafka/kafka-cli.ts <start|stop|status> [options]

  --dir DIR               the broker's folder (config, KRaft log dir, logs); default data/kafka-broker
  --port N                client listener on 127.0.0.1; default 9092
  --controller-port N     KRaft controller listener; default port + 1
  --kafka-version V       Apache Kafka release fetched from Maven Central; default ${DEFAULT_KAFKA_VERSION}

Then point edgewatch at it: EDGEWATCH_KAFKA_BROKERS=127.0.0.1:9092`;

function portOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--${name} must be a port number, got ${value}`);
  return port;
}

/** `host:port` of the broker that last ran in `dir`, when it answers. */
async function runningBroker(dir: string): Promise<string | null> {
  const files = brokerFiles(dir);
  if (!fs.existsSync(files.ports)) return null;
  const { host, port } = JSON.parse(fs.readFileSync(files.ports, 'utf8')) as { host: string; port: number };
  return (await probeKafka(host, port)) ? `${host}:${port}` : null;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      'controller-port': { type: 'string' },
      'kafka-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help === true || command === undefined) {
    process.stdout.write(`${HELP}\n`);
    return values.help === true ? 0 : 2;
  }
  const dir = path.resolve(REPOSITORY_ROOT, values.dir ?? path.join('data', 'kafka-broker'));
  const log = (message: string): void => void process.stderr.write(`kafka: ${message}\n`);
  switch (command) {
    case 'start': {
      const running = await runningBroker(dir);
      if (running !== null) {
        log(`a broker already serves ${running} from ${dir}`);
        process.stdout.write(`EDGEWATCH_KAFKA_BROKERS=${running}\n`);
        return 0;
      }
      const port = portOf(values.port, 'port');
      const controllerPort = portOf(values['controller-port'], 'controller-port');
      const broker = await startKafkaBroker({
        dir,
        ...(port !== undefined ? { port } : {}),
        ...(controllerPort !== undefined ? { controllerPort } : {}),
        ...(values['kafka-version'] !== undefined ? { version: values['kafka-version'] } : {}),
        log,
      });
      process.stdout.write(`EDGEWATCH_KAFKA_BROKERS=${broker.brokers.join(',')}\n`);
      return 0;
    }
    case 'stop': {
      const stopped = await stopKafkaBroker(dir, undefined, log);
      log(stopped ? `broker in ${dir} stopped` : `no broker was running in ${dir}`);
      return 0;
    }
    case 'status': {
      const running = await runningBroker(dir);
      log(running !== null ? `broker serves ${running}` : `no broker of ${dir} answers`);
      return running !== null ? 0 : 1;
    }
    default:
      process.stderr.write(`unknown command ${command}\n\n${HELP}\n`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kafka: ${err instanceof KafkaToolchainError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
