/**
 * docs/deploy.md: has the sections an operator needs, and its sizing tables are exactly what the
 * planner prints for the command written above each table (so they change when the planner does).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const guide = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');

/** Each `npx edgewatch plan --table …` command in the guide with the Markdown table after it. */
function sizingTables(): { args: string[]; table: string }[] {
  const found: { args: string[]; table: string }[] = [];
  for (const match of guide.matchAll(/`npx edgewatch plan (--table [^`]+)`:\n\n((?:\|.*\|\n)+)/g)) {
    found.push({ args: match[1]!.split(/\s+/), table: match[2]! });
  }
  return found;
}

describe('docs/deploy.md', () => {
  it('covers topology, sizing, scaling, upgrades and migrations, backup and retention, and security', () => {
    const headings = [...guide.matchAll(/^##+ (.+)$/gm)].map((m) => m[1]);
    for (const heading of ['Topology', 'AWS side: `infra/aws/`', 'Sizing', 'Scaling each tier', 'Upgrades and schema migrations', 'Backup and retention', 'Security checklist']) {
      expect(headings).toContain(heading);
    }
    for (const topic of ['IAM least privilege', 'TLS to ClickHouse', 'Kafka', 'Tokens', 'edgewatch schema --cluster']) expect(guide).toContain(topic);
  });

  it('has sizing tables made with the planner, as the commands above them print them today', () => {
    const tables = sizingTables();
    expect(tables.length).toBeGreaterThanOrEqual(2);
    for (const { args, table } of tables) {
      const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'plan', ...args], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(table, `regenerate with: npx edgewatch plan ${args.join(' ')}`).toBe(result.stdout);
    }
  });
});
