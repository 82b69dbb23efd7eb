/**
 * A local S3-compatible server for tests: moto in server mode, installed once (pinned) from PyPI
 * into a virtual environment under .cache/moto/ (git-ignored), started on a given port.
 *
 * `motoAvailability()` says whether it can run here: under CI=true a missing python3 is an error
 * (tests must not skip in CI); elsewhere tests skip with the reason printed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const MOTO_VERSION = '5.1.18';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VENV = path.join(ROOT, '.cache', 'moto', 'venv');
const STAMP = path.join(VENV, 'edgewatch-installed-version');
const SERVER_BIN = path.join(VENV, 'bin', 'moto_server');

export type MotoAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function install(): MotoAvailability {
  if (fs.existsSync(SERVER_BIN) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === MOTO_VERSION) return { ok: true };
  const python = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (python.error !== undefined || python.status !== 0) return { ok: false, reason: 'python3 with the venv module is not installed' };
  fs.mkdirSync(path.dirname(VENV), { recursive: true });
  const venv = spawnSync('python3', ['-m', 'venv', VENV], { encoding: 'utf8' });
  if (venv.status !== 0) return { ok: false, reason: `python3 -m venv failed: ${venv.stderr}` };
  const pip = spawnSync(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', `moto[server]==${MOTO_VERSION}`], { encoding: 'utf8', timeout: 600_000 });
  if (pip.status !== 0) throw new Error(`installing moto ${MOTO_VERSION} from PyPI failed:\n${pip.stderr}`);
  fs.writeFileSync(STAMP, `${MOTO_VERSION}\n`);
  return { ok: true };
}

/** Installs moto on first use. Throws under CI=true when it cannot run. */
export function motoAvailability(): MotoAvailability {
  const availability = install();
  if (!availability.ok) {
    if (process.env.CI === 'true') throw new Error(`moto (local S3) is required in CI: ${availability.reason}`);
    process.stderr.write(`\n*** SKIPPING S3 import tests: ${availability.reason} (they run in CI) ***\n\n`);
  }
  return availability;
}

export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startMotoServer(port: number): Promise<MotoServer> {
  const child: ChildProcess = spawn(SERVER_BIN, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}):\n${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
