/**
 * `edgewatch schema [--cluster NAME] [--database NAME]`: prints the DDL the migrations run, for a
 * single node or, with a cluster, in its ON CLUSTER form — for review before a rollout, or to apply
 * by hand where the processes may not run DDL.
 */
import { parseArgs } from 'node:util';
import { renderMigrations } from '../../processor/storage/migrations.js';
import { loadConfig } from '../config.js';

const HELP = `usage: edgewatch schema [--cluster NAME] [--database NAME]

Prints every migration's statements, in order, as 'edgewatch process' and 'edgewatch start' would
run them (retention days from EDGEWATCH_*_TTL_DAYS).

  --cluster    render for a ClickHouse cluster of remote_servers (default EDGEWATCH_CLICKHOUSE_CLUSTER):
               replicated *_local tables with Distributed tables over them, every statement ON CLUSTER
  --database   database name (default EDGEWATCH_CLICKHOUSE_DATABASE or edgewatch)`;

export function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { cluster: { type: 'string' }, database: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return Promise.resolve(0);
  }
  const config = loadConfig();
  const database = values.database ?? config.clickhouse.database;
  const cluster = values.cluster ?? config.clickhouse.cluster;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    process.stderr.write(`edgewatch schema: --database must be a plain identifier, got ${JSON.stringify(database)}\n`);
    return Promise.resolve(2);
  }
  let text: string;
  try {
    const migrations = renderMigrations(database, { ...config.clickhouse, ...(cluster === undefined ? {} : { cluster }) });
    text = migrations.map((m) => `-- ${String(m.version).padStart(3, '0')}_${m.name}\n${m.statements.map((s) => `${s};\n`).join('\n')}`).join('\n');
  } catch (err) {
    process.stderr.write(`edgewatch schema: ${(err as Error).message}\n`);
    return Promise.resolve(2);
  }
  process.stdout.write(text);
  return Promise.resolve(0);
}
