/**
 * One contract for both registry backends: the JSON files under the data dir (embedded mode) and the
 * tables of a ClickHouse server (the embedded engine behind its HTTP interface). Each case opens two
 * instances sharing the same store, as two processes or replicas would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutOf } from '../../processor/fields/layout.js';
import { logFormatOf, RETIRED_LAYOUT_KEEP_MS, type LogConfigRecord } from '../../processor/registry/log-config-registry.js';
import { openRegistries, type Registries } from '../../processor/registry/open-registries.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';
import { DEFAULT_RETENTION } from '../storage/storage-env.js';

const CLICKHOUSE_PORT = 47710;
const OLD_FIELDS = ['timestamp', 'sc-status', 'x-host-header', 'x-edge-request-id'];
const NEW_FIELDS = ['timestamp', 'sc-status', 'x-host-header', 'x-edge-request-id', 'c-country'];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-registries-'));
let fixture: ClickHouseHttpFixture;
const clients: ClickHouse[] = [];
let databases = 0;

beforeAll(async () => {
  fixture = await startClickHouseHttpFixture({ dataDir: path.join(root, 'clickhouse'), port: CLICKHOUSE_PORT });
}, 60_000);

afterAll(async () => {
  for (const ch of clients) await ch.close();
  await fixture?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

interface Backend {
  readonly name: string;
  /** Two instances over one fresh store. */
  open(): Promise<[Registries, Registries]>;
}

const backends: Backend[] = [
  {
    name: 'files under the data dir',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(root, 'files-'));
      const a = await openRegistries(dir, null);
      const b = await openRegistries(dir, null);
      expect(a.logConfigs.location).toBe(path.join(dir, 'log-configs.json'));
      return [a, b];
    },
  },
  {
    name: 'ClickHouse server tables',
    open: async () => {
      const database = `registries_${++databases}`;
      const [chA, chB] = [0, 1].map(() => createClickHouse({ mode: 'server', url: fixture.url, database, maxExecutionTimeS: 30 }));
      clients.push(chA!, chB!);
      await runMigrations(chA!, DEFAULT_RETENTION);
      // Nothing of these registries is on disk in this mode.
      const dir = fs.mkdtempSync(path.join(root, 'unused-'));
      const a = await openRegistries(dir, chA!);
      const b = await openRegistries(dir, chB!);
      expect(a.logConfigs.location).toBe(`ClickHouse table ${database}.registry_log_configs`);
      return [a, b];
    },
  },
];

const record = (name: string, fields: readonly string[], samplingRate = 100): LogConfigRecord => ({
  name,
  arn: `arn:aws:cloudfront::000000000000:realtime-log-config/${name}`,
  samplingRate,
  fields,
  streamName: `stream-${name}`,
  streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/stream-${name}`,
  roleArn: 'arn:aws:iam::000000000000:role/r',
});

describe.each(backends)('registries: $name', (backend) => {
  it('log configs: put, get, by stream; a field change keeps both layouts; delete', async () => {
    const [{ logConfigs: reg }] = await backend.open();
    const stored = await reg.put(record('rt', [...OLD_FIELDS].reverse(), 100), 1_000);
    // Fields in canonical order.
    expect(stored.fields).toEqual(layoutOf(OLD_FIELDS).names);
    expect(reg.get('rt')).toEqual(stored);
    expect(reg.forStream('stream-rt')).toEqual(stored);
    expect(reg.forStream('arn:aws:kinesis:us-east-1:000000000000:stream/stream-rt')?.name).toBe('rt');
    await expect(reg.put(record('bad', OLD_FIELDS, 0))).rejects.toThrow(/sampling rate/);

    const changed = await reg.put(record('rt', NEW_FIELDS, 25), 2_000);
    expect(changed.fields).toEqual(layoutOf(NEW_FIELDS).names);
    expect(changed.retiredLayouts).toEqual([{ fields: layoutOf(OLD_FIELDS).names, samplingRate: 100, retiredAtMs: 2_000 }]);
    const format = logFormatOf(reg.get('rt')!, 3_000);
    expect(format.samplingRate).toBe(25);
    expect(format.previous?.map((p) => [p.layout.names.length, p.samplingRate])).toEqual([[4, 100]]);
    expect(logFormatOf(reg.get('rt')!, 2_000 + RETIRED_LAYOUT_KEEP_MS).previous).toBeUndefined();
    expect(reg.list().map((c) => c.name)).toEqual(['rt']);

    expect(await reg.remove('rt')).toBe(true);
    expect(await reg.remove('rt')).toBe(false);
    expect(reg.get('rt')).toBeUndefined();
    await reg.refresh();
    expect(reg.list()).toEqual([]);
  });

  it('log configs: a write by one instance is seen by the other after refresh, and builds on it', async () => {
    const [a, b] = await backend.open();
    await a.logConfigs.put(record('shared', OLD_FIELDS, 50), 1_000);
    await b.logConfigs.refresh();
    expect(b.logConfigs.forStream('stream-shared')?.samplingRate).toBe(50);
    // The other instance changes the fields: the layout the first one stored is kept as retired.
    const changed = await b.logConfigs.put(record('shared', NEW_FIELDS, 50), 2_000);
    expect(changed.retiredLayouts?.map((r) => r.fields.length)).toEqual([4]);
    await a.logConfigs.refresh();
    expect(a.logConfigs.get('shared')).toEqual(changed);
    await a.logConfigs.remove('shared');
    await b.logConfigs.refresh();
    expect(b.logConfigs.get('shared')).toBeUndefined();
  });

  it('distributions: put, get, domain → distribution, add missing, delete, seen by the other instance', async () => {
    const [a, b] = await backend.open();
    const one = { id: 'E1REGISTRY0001', domainName: 'd111111abcdef8.cloudfront.net', aliases: ['www.example.com'], comment: 'one' };
    const two = { id: 'E1REGISTRY0002', domainName: 'd222222abcdef8.cloudfront.net', aliases: [], comment: '' };
    await a.distributions.put(one);
    expect(a.distributions.get(one.id)).toEqual(one);
    expect(a.distributions.resolveDomain('D111111ABCDEF8.cloudfront.net')).toBe(one.id);
    expect(a.distributions.resolveDomain('unknown.cloudfront.net')).toBe('');
    expect(a.distributions.resolveDomain(null)).toBe('');
    expect(await a.distributions.addMissing([{ ...one, comment: 'not replaced' }, two])).toBe(1);
    expect(a.distributions.get(one.id)?.comment).toBe('one');

    const resolve = b.distributions.resolveDomain;
    expect(resolve(two.domainName)).toBe('');
    await b.distributions.refresh();
    // The function handed to the parser follows the refreshed snapshot.
    expect(resolve(two.domainName)).toBe(two.id);
    expect(b.distributions.list().map((d) => d.id).sort()).toEqual([one.id, two.id]);

    await b.distributions.put({ ...one, domainName: 'd333333abcdef8.cloudfront.net' });
    expect(await b.distributions.remove(two.id)).toBe(true);
    expect(await b.distributions.remove(two.id)).toBe(false);
    await a.distributions.refresh();
    expect(a.distributions.resolveDomain('d333333abcdef8.cloudfront.net')).toBe(one.id);
    expect(a.distributions.resolveDomain(one.domainName)).toBe('');
    expect(a.distributions.get(two.id)).toBeUndefined();
    expect(a.distributions.list()).toEqual([{ ...one, domainName: 'd333333abcdef8.cloudfront.net' }]);
  });
});
