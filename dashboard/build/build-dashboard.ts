/**
 * Builds the dashboard with vite when its build is missing or stale. Staleness is judged by a hash
 * of every input (sources, index.html, vite config, public files, the lockfile) stored next to the
 * output, not by file times, which a fresh clone or checkout resets. The output is built beside
 * dist/ and swapped in whole, so a server never serves half a build.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DASHBOARD_DIST, DASHBOARD_ROOT } from './dashboard-paths.js';

const HASH_FILE = '.build-hash';
const INPUT_DIRS = ['src', 'public'];
const INPUT_FILES = ['index.html', 'vite.config.ts', '../package-lock.json'];

export interface DashboardBuild {
  readonly built: boolean;
  readonly dir: string;
  readonly ms: number;
}

function* filesUnder(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

/** Hash of everything the build reads. */
export function dashboardInputsHash(root = DASHBOARD_ROOT): string {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap((d) => [...filesUnder(path.join(root, d))]), ...INPUT_FILES.map((f) => path.join(root, f)).filter((f) => fs.existsSync(f))];
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function dashboardIsCurrent(dist = DASHBOARD_DIST): boolean {
  try {
    return fs.existsSync(path.join(dist, 'index.html')) && fs.readFileSync(path.join(dist, HASH_FILE), 'utf8').trim() === dashboardInputsHash();
  } catch {
    return false;
  }
}

export class DashboardBuildError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DashboardBuildError';
  }
}

/** Builds dashboard/dist (always with `force`, else only when stale). */
export async function buildDashboard(options: { readonly force?: boolean } = {}): Promise<DashboardBuild> {
  const started = Date.now();
  if (options.force !== true && dashboardIsCurrent()) return { built: false, dir: DASHBOARD_DIST, ms: Date.now() - started };
  const inputs = dashboardInputsHash();
  const staging = path.join(DASHBOARD_ROOT, `.dist-${process.pid}-${Date.now()}`);
  try {
    // Loaded only when a build is needed: vite is a large import.
    const { build } = await import('vite');
    await build({ configFile: path.join(DASHBOARD_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    fs.writeFileSync(path.join(staging, HASH_FILE), `${inputs}\n`);
    swapIn(staging);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new DashboardBuildError(`building the dashboard failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { built: true, dir: DASHBOARD_DIST, ms: Date.now() - started };
}

/** Replaces dist/ with `staging`; another process finishing the same build first is fine. */
function swapIn(staging: string): void {
  const retired = `${staging}-old`;
  try {
    if (fs.existsSync(DASHBOARD_DIST)) fs.renameSync(DASHBOARD_DIST, retired);
  } catch {
    // Moved away by a concurrent build.
  }
  try {
    fs.renameSync(staging, DASHBOARD_DIST);
  } catch (err) {
    // A concurrent build put its dist/ in place between the two renames: keep it if it is current.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!dashboardIsCurrent()) throw err;
  }
  fs.rmSync(retired, { recursive: true, force: true });
}
