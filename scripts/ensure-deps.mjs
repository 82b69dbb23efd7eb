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

function npm(args, stdio = 'inherit') {
  return spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: root, stdio, encoding: 'utf8' });
}

if (mtime(installed) < 0 || mtime(installed) < mtime(lock)) {
  console.error('edgewatch: installing dependencies (npm ci)…');
  // chdb lists native builds for every platform as optional dependencies; where a registry does not
  // serve some of them, the lockfile lacks them and `npm ci` refuses it, while `npm install` skips
  // the missing optional packages and still installs exactly the locked versions.
  const ci = npm(['ci'], 'pipe');
  if (ci.status !== 0) {
    console.error('edgewatch: npm ci refused the lockfile; installing the locked versions with npm install…');
    const install = npm(['install', '--no-save']);
    if (install.status !== 0) {
      console.error(`edgewatch: npm install failed; npm ci said:\n${ci.stdout}${ci.stderr}`);
      process.exit(install.status ?? 1);
    }
  }
}
