/**
 * `npx edgewatch schema`: the DDL the migrations run, single node or ON CLUSTER.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function schema(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'schema', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('edgewatch schema', () => {
  it('prints the single-node DDL by default and the cluster form with --cluster', () => {
    const single = schema([]);
    expect(single.status, single.stderr).toBe(0);
    expect(single.stdout).toMatch(/^-- 001_database\n[\s\S]*?^CREATE DATABASE IF NOT EXISTS edgewatch;/m);
    expect(single.stdout).not.toMatch(/ON CLUSTER|Distributed/);

    const cluster = schema(['--cluster', 'prod', '--database', 'cdn']);
    expect(cluster.status, cluster.stderr).toBe(0);
    expect(cluster.stdout).toMatch(/CREATE TABLE IF NOT EXISTS cdn\.requests_local ON CLUSTER prod/);
    expect(cluster.stdout).toMatch(/ENGINE = Distributed\(prod, cdn, requests_local, cityHash64\(x_edge_request_id\)\)/);
  });

  it('refuses names that are not plain identifiers', () => {
    const bad = schema(['--cluster', 'prod; DROP']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cluster must be a plain identifier/);
  });
});
