/**
 * What `edgewatch ingest`, `edgewatch process` and `edgewatch serve` share: help, configuration, a start that may refuse
 * the scale-out configuration (exit 2), a banner, and running until a signal.
 */
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { runUntilSignal, type StoppableRole } from '../run-until-signal.js';
import { ScaleOutConfigError } from '../scale-out-config.js';

export interface ScaleOutCommand<R extends StoppableRole & { readonly url: string }> {
  readonly name: 'ingest' | 'process' | 'serve';
  readonly help: string;
  start(config: Config, logger: Logger): Promise<R>;
  /** The line shown once the role runs. */
  banner(config: Config, role: R): string;
}

export async function runScaleOutCommand<R extends StoppableRole & { readonly url: string }>(command: ScaleOutCommand<R>, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  const config = loadConfig();
  const root = createLogger(config.logLevel);
  let role: R;
  try {
    role = await command.start(config, root);
  } catch (err) {
    if (!(err instanceof ScaleOutConfigError)) throw err;
    process.stderr.write(`edgewatch ${command.name}: ${err.message}\n`);
    return 2;
  }
  process.stdout.write(`\n${command.banner(config, role)}\nPress Ctrl-C to stop.\n\n`);
  return runUntilSignal(role, root.child({ component: 'cli' }), command.name);
}
