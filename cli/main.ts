/**
 * `edgewatch <command>`: the command-line entry point.
 */
import { ConfigError } from './config.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  start: { summary: 'run the whole pipeline and the dashboard in one process', load: () => import('./commands/start.js') },
  parse: { summary: 'parse CloudFront real-time log lines from stdin into JSON', load: () => import('./commands/parse.js') },
  replay: { summary: 'write CloudFront log lines from stdin into the configured Kinesis stream', load: () => import('./commands/replay.js') },
  import: { summary: 'load CloudFront standard or archived real-time logs from files or S3', load: () => import('./commands/import.js') },
  ingest: { summary: 'scale-out: read Kinesis and publish ranges to Kafka', load: () => import('./commands/ingest.js') },
  process: { summary: 'scale-out: consume Kafka as a group member and store into ClickHouse', load: () => import('./commands/process.js') },
  serve: { summary: 'scale-out: the API and dashboard on a ClickHouse server, live view from Kafka', load: () => import('./commands/serve.js') },
  plan: { summary: 'capacity plan: shards, workers, ClickHouse volume, monthly AWS cost', load: () => import('./commands/plan.js') },
  schema: { summary: 'print the ClickHouse DDL the migrations run (single node or ON CLUSTER)', load: () => import('./commands/schema.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: edgewatch <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'edgewatch <command> --help' for a command's options.`;
}

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`edgewatch: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const module = await command.load();
  return module.run(argv);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`edgewatch: ${err.message}\n`);
    else process.stderr.write(`edgewatch: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
