#!/usr/bin/env node
// Builds the Helm CLI once into .cache/helm/ from the Go module proxy (`go install`), so the chart
// can be linted and rendered without a system-wide helm. Prints the binary's path on stdout.
// Exit codes: 0 built or already there, 3 Go is not installed, 1 the build failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HELM_VERSION = 'v3.22.0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(root, '.cache', 'helm', HELM_VERSION);
const helm = path.join(binDir, process.platform === 'win32' ? 'helm.exe' : 'helm');

function main() {
  if (fs.existsSync(helm)) {
    process.stdout.write(`${helm}\n`);
    return 0;
  }
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    process.stderr.write('ensure-helm: Go is not installed; it is needed to build helm (go install helm.sh/helm/v3/cmd/helm)\n');
    return 3;
  }
  process.stderr.write(`ensure-helm: building helm ${HELM_VERSION} with ${go.stdout.trim()} (once, into .cache/helm/)…\n`);
  fs.mkdirSync(binDir, { recursive: true });
  const build = spawnSync('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0 || !fs.existsSync(helm)) {
    process.stderr.write(`ensure-helm: go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION} failed (exit ${build.status})\n`);
    return 1;
  }
  process.stdout.write(`${helm}\n`);
  return 0;
}

process.exitCode = main();
