import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { classifyError } from '../../processor/storage/errors.js';
import { listMigrations, runMigrations } from '../../processor/storage/migrations.js';
import { REQUEST_COLUMNS } from '../../processor/storage/row-encoder.js';
import { insertTarget, requestBodyInserter, type ColumnInfo } from '../../processor/storage/tsv-insert.js';
import { DEFAULT_RETENTION, embedded, migrated, scalar, tempDataDir } from './storage-env.js';

const dataDir = tempDataDir('clickhouse');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function createStatements(ch: ReturnType<typeof embedded>): Promise<Map<string, string>> {
  const rows = await ch.query<{ name: string; create_table_query: string }>(
    'SELECT name, create_table_query FROM system.tables WHERE database = {db:String} ORDER BY name',
    { db: ch.database },
  );
  return new Map(rows.map((r) => [r.name, r.create_table_query]));
}

async function showCreate(ch: ReturnType<typeof embedded>, table: string): Promise<string> {
  const rows = await ch.query<{ statement: string }>(`SHOW CREATE TABLE ${ch.database}.${table}`);
  return rows[0]?.statement ?? '';
}

describe('runMigrations', () => {
  it('creates every table once and changes nothing when run again', async () => {
    const ch = embedded(dataDir, 'mig_twice');
    const first = await runMigrations(ch, DEFAULT_RETENTION);
    expect(first.applied).toEqual(listMigrations().map((m) => m.version));
    const tables = await createStatements(ch);
    expect([...tables.keys()]).toEqual(
      expect.arrayContaining(['requests', 'dead_letters', 'requests_1m', 'requests_1m_mv', 'requests_1h', 'requests_1h_mv', 'requests_1m_dim', 'requests_1m_dim_mv', 'requests_1h_dim', 'requests_1h_dim_mv', 'schema_migrations']),
    );

    const second = await runMigrations(ch, DEFAULT_RETENTION);
    expect(second).toEqual({ applied: [], ttlChanged: [] });
    expect(await createStatements(ch)).toEqual(tables);
    const versions = await ch.query<{ version: number; name: string }>(`SELECT version, name FROM ${ch.database}.schema_migrations FINAL ORDER BY version`);
    expect(versions).toEqual(listMigrations().map((m) => ({ version: m.version, name: m.name })));
    await ch.close();
  });

  it('creates requests with exactly the encoder columns and the catalogue types', async () => {
    const ch = await migrated(dataDir, 'mig_columns');
    const columns = await ch.query<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'requests' ORDER BY position`, { db: ch.database });
    expect(columns.map((c) => c.name)).toEqual([...REQUEST_COLUMNS]);
    const typeOf = new Map(columns.map((c) => [c.name, c.type]));
    for (const field of FIELDS) expect(typeOf.get(field.column), field.column).toBe(field.clickhouseType);
    const engine = await showCreate(ch, 'requests');
    expect(engine).toContain('non_replicated_deduplication_window = 10000');
    await ch.close();
  });

  it('applies a changed TTL from configuration on the next run', async () => {
    const ch = await migrated(dataDir, 'mig_ttl');
    expect(await showCreate(ch, 'requests')).toContain('toIntervalDay(30)');
    expect(await showCreate(ch, 'requests_1h')).toContain('toIntervalDay(400)');

    const changed = await runMigrations(ch, { rawTtlDays: 7, minuteTtlDays: 14, hourTtlDays: 90, deadLetterTtlDays: 3 });
    expect(changed.ttlChanged.slice().sort()).toEqual(['dead_letters', 'requests', 'requests_1d_dim', 'requests_1h', 'requests_1h_dim', 'requests_1m', 'requests_1m_dim']);
    expect(await showCreate(ch, 'requests')).toContain('TTL toDateTime(timestamp) + toIntervalDay(7)');
    expect(await showCreate(ch, 'requests_1m')).toContain('TTL bucket + toIntervalDay(14)');
    expect(await showCreate(ch, 'requests_1h')).toContain('TTL bucket + toIntervalDay(90)');
    expect(await showCreate(ch, 'dead_letters')).toContain('TTL toDateTime(received_at) + toIntervalDay(3)');

    const again = await runMigrations(ch, { rawTtlDays: 7, minuteTtlDays: 14, hourTtlDays: 90, deadLetterTtlDays: 3 });
    expect(again.ttlChanged).toEqual([]);
    await ch.close();
  });

  it('rejects retention that is not a whole number of days', async () => {
    const ch = embedded(dataDir, 'mig_bad_ttl');
    await expect(runMigrations(ch, { rawTtlDays: 1.5, minuteTtlDays: 30, hourTtlDays: 400 })).rejects.toThrow(/rawTtlDays/);
    await expect(runMigrations(ch, { rawTtlDays: 30, minuteTtlDays: 0, hourTtlDays: 400 })).rejects.toThrow(/minuteTtlDays/);
    await ch.close();
  });
});

describe('createClickHouse', () => {
  it('refuses a database name that is not a plain identifier', () => {
    expect(() => embedded(dataDir, 'x; DROP TABLE y')).toThrow(/identifier/);
  });

  it('binds query parameters instead of pasting them into SQL', async () => {
    const ch = embedded(dataDir, 'default');
    const hostile = "x' OR 1=1 --\t\\N";
    const rows = await ch.query<{ s: string; n: number }>('SELECT {s:String} AS s, {n:UInt8} + 1 AS n', { s: hostile, n: 41 });
    expect(rows).toEqual([{ s: hostile, n: 42 }]);
    await ch.close();
  });

  it('sends max_execution_time with every statement', async () => {
    const ch = embedded(dataDir, 'default');
    expect(await scalar(ch, "SELECT getSetting('max_execution_time') AS v")).toBe(60);
    const rows = await ch.query<{ v: number }>("SELECT getSetting('max_execution_time') AS v", {}, { maxExecutionTimeS: 5 });
    expect(Number(rows[0]?.v)).toBe(5);
    await ch.close();
  });

  it('reports a payload ClickHouse cannot parse as a data error', async () => {
    const ch = await migrated(dataDir, 'bad_payload');
    const error = await ch.insertTsv(`${ch.database}.dead_letters`, Buffer.from('not-a-time\tx\n'), {}).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeDefined();
    expect(classifyError(error)).toBe('data');
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.dead_letters`)).toBe(0);
    await ch.close();
  });

  it('refuses table names that are not identifiers', async () => {
    const ch = embedded(dataDir, 'default');
    await expect(ch.insertTsv('t; DROP TABLE x', Buffer.from('1\n'), {})).rejects.toThrow(/identifier/);
    await ch.close();
  });
});

describe('TabSeparated inserts', () => {
  // Recent timestamps: rows past the table's TTL are dropped.
  const now = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(`${now}.001\tkinesis\tlogs\ts-1\t1\t1\t\\N\tr\ta\\tb\n${now}.002\tkinesis\tlogs\ts-1\t2\t2\tf\tr\t\\\\N\n`);

  it('go through a spool file that is removed afterwards, and keep their settings to themselves', async () => {
    const ch = await migrated(dataDir, 'ins_spool');
    await ch.insertTsv(`${ch.database}.dead_letters`, payload, { insert_deduplication_token: 'spool-token' });
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.dead_letters`)).toBe(2);
    const inputs = await ch.query<{ input: string; field: string | null }>(`SELECT input, field FROM ${ch.database}.dead_letters ORDER BY line`);
    expect(inputs).toEqual([{ input: 'a\tb', field: null }, { input: '\\N', field: 'f' }]);
    expect(fs.readdirSync(path.join(dataDir, 'clickhouse-spool'))).toEqual([]);
    const leaked = await ch.query<{ v: string }>("SELECT getSetting('insert_deduplication_token') AS v");
    expect(leaked).toEqual([{ v: '' }]);
    await ch.close();
  });

  it('also work as the request body of INSERT … FORMAT TabSeparated, the server path', async () => {
    const ch = await migrated(dataDir, 'ins_body');
    const columns = await ch.query<ColumnInfo>(
      "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'dead_letters' ORDER BY position",
      { db: ch.database },
    );
    const insert = requestBodyInserter(ch.client);
    await insert(insertTarget(`${ch.database}.dead_letters`, columns), payload, {}, new AbortController().signal);
    expect(await scalar(ch, `SELECT count() AS v FROM ${ch.database}.dead_letters`)).toBe(2);
    await ch.close();
  });
});

describe('the statement queue', () => {
  it('runs embedded statements one at a time, in order, and skips those whose caller gave up', async () => {
    const ch = embedded(dataDir, 'default');
    const gaveUp = new AbortController();
    const slow = ch.query<{ v: number }>('SELECT sleep(0.2) AS v');
    const abandoned = ch.query('SELECT 1 AS v', {}, { signal: gaveUp.signal });
    const next = ch.query<{ v: number }>('SELECT 2 AS v');
    expect(ch.queueStats()).toMatchObject({ running: 1, queued: 2 });
    gaveUp.abort();
    await expect(abandoned).rejects.toThrow();
    expect(await slow).toEqual([{ v: 0 }]);
    expect(await next).toEqual([{ v: 2 }]);
    const stats = ch.queueStats();
    expect(stats).toMatchObject({ running: 0, queued: 0 });
    expect(stats.waitMsTotal).toBeGreaterThan(0);
    await ch.close();
  });

  it('runs embedded reads and writes in two queues: neither waits for the other, and reads see every finished write', async () => {
    const ch = embedded(dataDir, 'default');
    await ch.command('CREATE TABLE lane_rows (v String) ENGINE = MergeTree ORDER BY v');
    const order: string[] = [];
    // A read of ~1.5 s (sleepEachRow sleeps per row), then a write sent after it.
    const slowRead = ch.query('SELECT sleepEachRow(0.5) AS v FROM numbers(3) SETTINGS max_block_size = 1').then(() => order.push('read'));
    await ch.command("INSERT INTO lane_rows VALUES ('first')");
    order.push('write');
    await slowRead;
    expect(order).toEqual(['write', 'read']);
    // A slow write, then a read sent after it: the read answers first, without the write's row.
    const slowWrite = ch
      .command("INSERT INTO lane_rows SELECT 'slow' FROM numbers(3) WHERE sleepEachRow(0.5) = 0 SETTINGS max_block_size = 1")
      .then(() => order.push('write'));
    expect(await scalar(ch, 'SELECT count() AS v FROM lane_rows')).toBe(1);
    order.push('read');
    await slowWrite;
    expect(order).toEqual(['write', 'read', 'read', 'write']);
    expect(await scalar(ch, 'SELECT count() AS v FROM lane_rows')).toBe(4);
    expect(Object.keys(ch.queueStatsByName())).toEqual(['reads', 'writes']);
    await ch.close();
  });
});
