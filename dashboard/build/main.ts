/**
 * `npm run build:dashboard`: builds dashboard/dist (`--if-stale`: only when its inputs changed).
 */
import { buildDashboard } from './build-dashboard.js';

const ifStale = process.argv.includes('--if-stale');
const result = await buildDashboard({ force: !ifStale });
process.stdout.write(result.built ? `dashboard built into ${result.dir} in ${result.ms} ms\n` : `dashboard is up to date (${result.dir})\n`);
