#!/usr/bin/env node
// Keeps dependencies pointing downstream (ingest → processor → storage ← api ← dashboard):
// each top-level part may import only from the parts listed for it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWED = {
  processor: ['processor'],
  ingest: ['ingest', 'processor'],
  api: ['api', 'processor'],
  dashboard: ['dashboard', 'api'],
  cli: ['cli', 'ingest', 'processor', 'api', 'dashboard'],
  infra: ['infra', 'processor'],
};
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) yield full;
  }
}

const problems = [];
for (const [part, allowed] of Object.entries(ALLOWED)) {
  const dir = path.join(root, part);
  if (!fs.existsSync(dir)) continue;
  for (const file of sourceFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (!spec?.startsWith('.')) continue;
      const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
      if (target && target in ALLOWED && !allowed.includes(target)) {
        problems.push(`${path.relative(root, file)} imports ${spec}: ${part}/ may import only ${allowed.join(', ')}`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`import boundaries violated:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('import boundaries: ok');
