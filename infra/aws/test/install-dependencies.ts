/**
 * Vitest global setup of the infra/aws tests: infra/aws is its own npm package (aws-cdk-lib stays out
 * of the main install), so the first test run of a fresh clone installs its locked dependencies.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

export default function setup(): void {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(installed) >= 0 && mtime(installed) >= mtime(path.join(root, 'package-lock.json'))) return;
  process.stderr.write('infra/aws: installing its dependencies (npm ci)…\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm ci in infra/aws failed (exit ${result.status ?? result.signal})`);
}
