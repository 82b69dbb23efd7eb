#!/usr/bin/env node
// Fuzzes a running edgewatch API from its own contract (`/openapi.json`) with schemathesis: every
// operation gets generated and malformed input; a 5xx, an undocumented status or content type, or
// a response that does not match its schema is a finding.
//
//   EDGEWATCH_FUZZ_TOKEN=<bearer token> node scripts/schemathesis.mjs [--url http://127.0.0.1:8080]
//       [--max-examples 10] [--seed 20240601] [--workers 2] [--install-only]
//
// schemathesis is installed once, pinned, from PyPI into a virtual environment under
// .cache/schemathesis/ (git-ignored). Checks and per-operation settings: scripts/schemathesis.toml.
//
// Exit status: 0 no findings, 1 findings (or schemathesis failed), 2 bad usage,
// 3 python3 (with venv) is not available here, 4 the installation failed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMATHESIS_VERSION = '4.32.5';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(root, '.cache', 'schemathesis');
const venvDir = path.join(cacheDir, 'venv');
const stampFile = path.join(venvDir, 'edgewatch-installed-version');
const lockDir = path.join(cacheDir, 'install.lock');
const configFile = path.join(root, 'scripts', 'schemathesis.toml');
const stBin = path.join(venvDir, 'bin', 'st');
const venvPython = path.join(venvDir, 'bin', 'python');

const EXIT = { ok: 0, findings: 1, usage: 2, noPython: 3, installFailed: 4 };
/** A lock older than this was left by an installer that died. */
const STALE_LOCK_MS = 10 * 60_000;
/** The whole run is bounded even if the API stops answering. */
const RUN_TIMEOUT_MS = Number(process.env.SCHEMATHESIS_RUN_TIMEOUT_MS ?? 15 * 60_000);

/** Ends the run with an exit status, after `finally` blocks (the install lock) have run. */
class HarnessExit extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function fail(code, message) {
  throw new HarnessExit(code, message);
}

function parseArgs(argv) {
  const opts = { url: 'http://127.0.0.1:8080', maxExamples: '10', seed: '20240601', workers: '2', installOnly: false };
  const valueOf = (i, name) => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) fail(EXIT.usage, `${name} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--install-only') opts.installOnly = true;
    else if (arg === '--url') opts.url = valueOf(i++, arg);
    else if (arg === '--max-examples') opts.maxExamples = valueOf(i++, arg);
    else if (arg === '--seed') opts.seed = valueOf(i++, arg);
    else if (arg === '--workers') opts.workers = valueOf(i++, arg);
    else fail(EXIT.usage, `unknown argument ${arg}`);
  }
  for (const key of ['maxExamples', 'seed', 'workers']) {
    if (!/^\d{1,9}$/.test(opts[key])) fail(EXIT.usage, `${key} must be a whole number, got ${opts[key]}`);
  }
  if (!/^https?:\/\/[^/]+/.test(opts.url)) fail(EXIT.usage, `--url must be an http(s) URL, got ${opts.url}`);
  opts.url = opts.url.replace(/\/+$/, '');
  return opts;
}

function run(cmd, args, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...options });
}

function installedVersion() {
  try {
    return fs.existsSync(stBin) ? fs.readFileSync(stampFile, 'utf8').trim() : null;
  } catch {
    return null;
  }
}

function checkPython() {
  const version = run('python3', ['--version']);
  if (version.error || version.status !== 0) {
    fail(EXIT.noPython, 'python3 is not installed; the contract fuzzer needs Python 3.10+ with venv (Debian: apt-get install python3 python3-venv)');
  }
  const ensurepip = run('python3', ['-c', 'import ensurepip, venv']);
  if (ensurepip.status !== 0) {
    fail(EXIT.noPython, `${version.stdout.trim()} has no venv/ensurepip module (Debian: apt-get install python3-venv)`);
  }
}

/** Serialises installers (a test run and a hand run at once); a lock left by a dead process expires. */
async function withInstallLock(fn) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (age > STALE_LOCK_MS || Date.now() > deadline) fs.rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

async function ensureInstalled() {
  if (installedVersion() === SCHEMATHESIS_VERSION) return;
  checkPython();
  await withInstallLock(async () => {
    if (installedVersion() === SCHEMATHESIS_VERSION) return;
    console.error(`schemathesis: installing schemathesis ${SCHEMATHESIS_VERSION} into ${path.relative(root, venvDir)} (once)…`);
    fs.rmSync(venvDir, { recursive: true, force: true });
    const venv = run('python3', ['-m', 'venv', venvDir], { stdio: 'inherit' });
    if (venv.status !== 0) fail(EXIT.noPython, 'python3 -m venv failed (Debian: apt-get install python3-venv)');
    const pip = run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      stdio: 'inherit',
    });
    if (pip.status !== 0) fail(EXIT.installFailed, `pip could not install schemathesis==${SCHEMATHESIS_VERSION}`);
    fs.writeFileSync(stampFile, `${SCHEMATHESIS_VERSION}\n`);
  });
}

function fuzz(opts) {
  const token = process.env.EDGEWATCH_FUZZ_TOKEN;
  if (token === undefined || token === '') fail(EXIT.usage, 'set EDGEWATCH_FUZZ_TOKEN to a bearer token of the API under test');
  const args = [
    '--config-file', configFile,
    'run', `${opts.url}/openapi.json`,
    '--url', opts.url,
    '--phases', 'examples,coverage,fuzzing',
    '--max-examples', opts.maxExamples,
    '--seed', opts.seed,
    '--workers', opts.workers,
    '--wait-for-schema', '30',
    '--no-color',
  ];
  console.error(`schemathesis: st ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(stBin, args, {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        // Findings with non-ASCII payloads print instead of failing on the terminal's encoding.
        PYTHONIOENCODING: 'utf-8',
        // Hypothesis' own caches stay out of the working tree.
        HYPOTHESIS_STORAGE_DIRECTORY: path.join(cacheDir, 'hypothesis'),
        EDGEWATCH_FUZZ_TOKEN: token,
      },
    });
    const timer = setTimeout(() => {
      console.error(`schemathesis: no result after ${RUN_TIMEOUT_MS} ms; stopping it`);
      child.kill('SIGTERM');
    }, RUN_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      console.error(`schemathesis: cannot start ${stBin}: ${err.message}`);
      resolve(EXIT.findings);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal === null && code === 0 ? EXIT.ok : EXIT.findings);
    });
  });
}

try {
  const opts = parseArgs(process.argv.slice(2));
  await ensureInstalled();
  if (!opts.installOnly) process.exitCode = await fuzz(opts);
} catch (err) {
  if (!(err instanceof HarnessExit)) throw err;
  console.error(`schemathesis: ${err.message}`);
  process.exitCode = err.code;
}
