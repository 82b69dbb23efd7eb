/**
 * Cluster mode's DDL: every migration rendered for a sample cluster is accepted by ClickHouse's own
 * parser (formatQuery in embedded ClickHouse) and pinned by a snapshot; the single-node DDL is what
 * it was and still runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterStatements, shardedTables } from '../../processor/storage/cluster-ddl.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { hitRecord } from './records.js';
import { renderMigrations, type RenderedMigration } from '../../processor/storage/migrations.js';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import { DEFAULT_RETENTION, embedded, migrated, scalar, tempDataDir } from './storage-env.js';

const CLUSTER = 'edgewatch_cluster';
const DATABASE = 'edgewatch';
const ROLLUPS = ['requests_1m', 'requests_1h', 'requests_1m_dim', 'requests_1h_dim', 'requests_1d_dim'];

function allStatements(migrations: readonly RenderedMigration[]): string[] {
  return migrations.flatMap((m) => m.statements);
}

/** The statements that create or drop `name` (exactly that name). */
function statementsAbout(statements: readonly string[], name: string): string[] {
  return statements.filter((s) => new RegExp(`^(CREATE|DROP) (TABLE|VIEW|MATERIALIZED VIEW) (IF (NOT )?EXISTS )?${DATABASE}\\.${name} `).test(s));
}

describe('ClickHouse cluster DDL', () => {
  const dataDir = tempDataDir('cluster-ddl');
  let ch: ClickHouse;
  const cluster = renderMigrations(DATABASE, { ...DEFAULT_RETENTION, cluster: CLUSTER });
  const single = renderMigrations(DATABASE, DEFAULT_RETENTION);

  beforeAll(() => {
    ch = embedded(dataDir, 'cluster_ddl_check');
  });
  afterAll(async () => {
    await ch.close();
  });

  it("is accepted by ClickHouse's parser, statement by statement", async () => {
    const statements = allStatements(cluster);
    expect(statements.length).toBeGreaterThan(20);
    for (const statement of statements) {
      const rows = await ch.query<{ f: string }>('SELECT formatQuery({sql:String}) AS f', { sql: statement });
      expect(rows[0]?.f, statement).toBeTruthy();
    }
  });

  it('is pinned by a snapshot', async () => {
    const text = cluster.map((m) => `-- ${String(m.version).padStart(3, '0')}_${m.name}\n${m.statements.join(';\n\n')};\n`).join('\n');
    await expect(text).toMatchFileSnapshot('./__snapshots__/cluster-ddl.sql');
  });

  it('runs every statement but the one-off inserts ON CLUSTER', () => {
    for (const statement of allStatements(cluster)) {
      if (statement.startsWith('INSERT INTO')) continue;
      expect(statement, statement).toMatch(new RegExp(`\\bON CLUSTER ${CLUSTER}\\b`));
    }
  });

  it('shards requests, dead letters and the rollups: replicated local tables under Distributed ones', () => {
    const statements = allStatements(cluster);
    const sharded = shardedTables(allStatements(single), DATABASE);
    // standard_hours: kept by a view on requests (infra/clickhouse/041).
    // Also the copies 040 and 045 keep of the rollups while they rebuild them (dropped by each itself).
    const kept = [...sharded].filter((t) => !t.endsWith('_before_source') && !t.endsWith('_before_granules'));
    expect(kept.sort()).toEqual(['dead_letters', 'requests', 'standard_hours', ...ROLLUPS].sort());

    const requestsLocal = statementsAbout(statements, 'requests_local');
    expect(requestsLocal[0]).toMatch(/ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/edgewatch\/requests_local', '\{replica\}'\)/);
    expect(requestsLocal[0]).toMatch(/\breplicated_deduplication_window = 10000\b/);
    expect(requestsLocal[0]).not.toMatch(/non_replicated_deduplication_window/);
    expect(statementsAbout(statements, 'requests')[0]).toMatch(
      /AS edgewatch\.requests_local\s+ENGINE = Distributed\(edgewatch_cluster, edgewatch, requests_local, cityHash64\(x_edge_request_id\)\)$/,
    );
    expect(statementsAbout(statements, 'dead_letters')[0]).toMatch(/Distributed\(edgewatch_cluster, edgewatch, dead_letters_local, cityHash64\(stream, shard_id, sequence_number\)\)/);
    for (const rollup of ROLLUPS) {
      const created = statementsAbout(statements, `${rollup}_local`).filter((s) => s.startsWith('CREATE'));
      expect(created.at(-1), rollup).toMatch(/ENGINE = ReplicatedAggregatingMergeTree\('\/clickhouse\/tables\/\{shard\}\//);
    }
  });

  it('feeds the rollups on each shard: views read and write local tables', () => {
    const views = allStatements(cluster.filter((m) => m.version === 12)).filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views).toHaveLength(4);
    for (const view of views) {
      expect(view).toMatch(/ TO edgewatch\.requests_1[mh](_dim)?_local AS/);
      expect(view).toMatch(/FROM edgewatch\.requests(_1m|_1m_dim)?_local AS/);
    }
    const minute = views.find((v) => v.includes('requests_1m_mv'));
    expect(minute).toMatch(/FROM edgewatch\.requests_local AS src/);
  });

  it('replicates the small tables to every node under their own names', () => {
    const statements = allStatements(cluster);
    expect(statementsAbout(statements, 'schema_migrations')[0]).toMatch(
      /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/all\/edgewatch\/schema_migrations', '\{replica\}', applied_at\)/,
    );
    expect(statementsAbout(statements, 'alerts')[0]).toMatch(/ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/all\/edgewatch\/alerts', '\{replica\}', version\)/);
    expect(statements.some((s) => s.includes('schema_migrations_local'))).toBe(false);
  });

  it('drops both tables of a sharded table and keeps one-off inserts on the Distributed tables', () => {
    const v12 = cluster.find((m) => m.version === 12)?.statements ?? [];
    expect(v12).toContain(`DROP TABLE IF EXISTS edgewatch.requests_1m ON CLUSTER ${CLUSTER} SYNC`);
    expect(v12).toContain(`DROP TABLE IF EXISTS edgewatch.requests_1m_local ON CLUSTER ${CLUSTER} SYNC`);
    const rebuild = v12.find((s) => s.startsWith('INSERT INTO'));
    expect(rebuild).toMatch(/^INSERT INTO edgewatch\.requests_1m\n/);
    expect(rebuild).toMatch(/FROM edgewatch\.requests AS src/);
  });

  it('renders column changes on both tables and refuses statements it does not understand', () => {
    const layout = { cluster: CLUSTER, database: DATABASE };
    const sharded = new Set(['requests']);
    expect(clusterStatements(['ALTER TABLE edgewatch.requests ADD COLUMN extra String'], layout, sharded)).toEqual([
      `ALTER TABLE edgewatch.requests_local ON CLUSTER ${CLUSTER} ADD COLUMN extra String`,
      `ALTER TABLE edgewatch.requests ON CLUSTER ${CLUSTER} ADD COLUMN extra String`,
    ]);
    expect(clusterStatements(["ALTER TABLE edgewatch.requests ADD COLUMN source String DEFAULT 'x, y', MODIFY ORDER BY (a, source)"], layout, sharded)).toEqual([
      `ALTER TABLE edgewatch.requests_local ON CLUSTER ${CLUSTER} ADD COLUMN source String DEFAULT 'x, y', MODIFY ORDER BY (a, source)`,
      `ALTER TABLE edgewatch.requests ON CLUSTER ${CLUSTER} ADD COLUMN source String DEFAULT 'x, y'`,
    ]);
    expect(clusterStatements(['ALTER TABLE edgewatch.requests MODIFY TTL timestamp + INTERVAL 3 DAY'], layout, sharded)).toEqual([
      `ALTER TABLE edgewatch.requests_local ON CLUSTER ${CLUSTER} MODIFY TTL timestamp + INTERVAL 3 DAY`,
    ]);
    expect(() => clusterStatements(['RENAME TABLE edgewatch.a TO edgewatch.b'], layout, sharded)).toThrow(/unknown shape/);
    expect(() => clusterStatements(['CREATE TABLE edgewatch.t (a UInt8) ENGINE = Log'], layout, sharded)).toThrow(/MergeTree/);
    expect(() => clusterStatements([], { cluster: 'bad name', database: DATABASE }, sharded)).toThrow(/plain identifier/);
  });

  it('leaves the single-node DDL unchanged, and it still runs on embedded ClickHouse', async () => {
    expect(allStatements(single).some((s) => /ON CLUSTER|Replicated|Distributed|_local\b/.test(s))).toBe(false);
    const node = await migrated(dataDir, 'single_node');
    try {
      const engine = await node.query<{ engine: string }>("SELECT engine FROM system.tables WHERE database = 'single_node' AND name = 'requests'");
      expect(engine[0]?.engine).toBe('MergeTree');
      expect(await scalar(node, "SELECT count() AS v FROM system.tables WHERE database = 'single_node' AND name LIKE '%\\_local'")).toBe(0);
    } finally {
      await node.close();
    }
  });

  it('writes straight into the local tables when configured to', async () => {
    const node = await migrated(dataDir, 'local_insert');
    try {
      // A stand-in for a shard's local tables: same columns, no views.
      await node.command('CREATE TABLE local_insert.requests_local AS local_insert.requests');
      await node.command('CREATE TABLE local_insert.dead_letters_local AS local_insert.dead_letters');
      const writer = new ClickHouseWriter(node, { clusterInsert: 'local' });
      const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
      const rows = [0, 1, 2].map((i) => ({ enriched: hitRecord(minute + i, { x_edge_request_id: `local-${i}` }), shardId: 's', sequenceNumber: String(i) }));
      await writer.write({ token: 'local-insert', rows, deadLetters: [] });
      await writer.write({ token: 'local-insert', rows, deadLetters: [] });
      expect(await scalar(node, 'SELECT count() AS v FROM local_insert.requests_local')).toBe(3);
      expect(await scalar(node, 'SELECT count() AS v FROM local_insert.requests')).toBe(0);
    } finally {
      await node.close();
    }
  });
});
