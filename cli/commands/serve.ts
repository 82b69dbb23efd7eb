/**
 * `edgewatch serve`: the API and dashboard of a scale-out deployment (no ingest).
 */
import { adminTokenNotice } from '../admin-token-notice.js';
import { startServeRole } from '../serve-role.js';
import { runScaleOutCommand } from './scale-out-command.js';

const HELP = `usage: edgewatch serve

Serves the API and the dashboard from the ClickHouse server at EDGEWATCH_CLICKHOUSE_URL, which the
'edgewatch process' members write, and runs the alert rules on its rollups. The live view reads the
live feed topic EDGEWATCH_KAFKA_LIVE_TOPIC on EDGEWATCH_KAFKA_BROKERS, where every processor publishes
per-second counters and sampled records; every serve replica reads all of it. Run as many replicas as
the load needs behind a load balancer. See README.md, "Scale-out: serve".`;

export function run(argv: string[]): Promise<number> {
  return runScaleOutCommand(
    { name: 'serve', help: HELP, start: startServeRole, banner: (_config, role) =>
        `edgewatch serve: dashboard ${role.url}/  (health: ${role.url}/healthz, API docs: ${role.url}/docs)\n` +
        adminTokenNotice(role.apiTokens.generatedAdmin, process.stdout.isTTY === true).trimEnd(),
    },
    argv,
  );
}
