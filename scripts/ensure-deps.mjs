#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than the lockfile, so `npm start` and
// `npm test` work on a fresh clone.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

if (mtime(installed) < 0 || mtime(installed) < mtime(lock)) {
  console.error('edgewatch: installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('edgewatch: npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
}
