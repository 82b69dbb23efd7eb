/**
 * `edgewatch parse` and `edgewatch replay` with EDGEWATCH_CLICKHOUSE_URL: the stream's log config and
 * the domain → distribution map come from the server's registry tables, as the roles read them, not
 * from the files under the data dir (which they still use without a server). A server whose schema
 * is not migrated is a clear error with exit code 2.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { defaultLocalLogConfig } from '../../cli/stream-log-config.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { FileDistributionRegistry } from '../../processor/registry/distribution-registry.js';
import { FileLogConfigRegistry } from '../../processor/registry/log-config-registry.js';
import { openRegistries } from '../../processor/registry/open-registries.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REFERENCE = fs.readFileSync(path.join(ROOT, 'test/fixtures/reference-records.tsv'), 'utf8');
const REFERENCE_FIELDS = FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name);

const CLICKHOUSE_PORT = 48100;
const KINESIS_PORT = 48101;
// Nothing listens here: a server that does not answer.
const SILENT_PORT = 48149;
const DATABASE = 'cli_registries';
const STREAM = 'edgewatch-local';
const DOMAIN = 'd111111abcdef8.cloudfront.net';

// The server's log config and the data dir's differ in fields, sampling rate and distribution.
const SERVER_FIELDS = ['x-host-header', 'cs-uri-stem', 'sc-status', 'c-ip', 'timestamp'];
const FILE_FIELDS = ['timestamp', 'sc-status', 'x-host-header', 'cs-method'];
const VALUES: Record<string, string> = {
  timestamp: '1700000000.123',
  'c-ip': '192.0.2.7',
  'sc-status': '503',
  'cs-uri-stem': '/index.html',
  'cs-method': 'GET',
  'x-host-header': DOMAIN,
};

/** One log line of a field set, in its canonical order. */
function lineOf(fields: readonly string[]): string {
  return layoutOf(fields)
    .names.map((name) => VALUES[name] ?? '-')
    .join('\t');
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-cli-registries-'));
let fixture: ClickHouseHttpFixture;
let ch: ClickHouse;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without blocking this process: the ClickHouse endpoint it talks to runs here. */
function edgewatch(args: string[], input: string, env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), ...args], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

function serverEnv(dataDir: string, database: string = DATABASE, url: string = fixture.url): Record<string, string> {
  return { EDGEWATCH_DATA_DIR: dataDir, EDGEWATCH_CLICKHOUSE_URL: url, EDGEWATCH_CLICKHOUSE_DATABASE: database };
}

function embeddedEnv(dataDir: string): Record<string, string | undefined> {
  return { EDGEWATCH_DATA_DIR: dataDir, EDGEWATCH_CLICKHOUSE_URL: undefined, EDGEWATCH_CLICKHOUSE_DATABASE: undefined };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A data dir whose registry files hold a log config and a distribution other than the server's. */
async function dataDirWithFiles(name: string): Promise<string> {
  const dataDir = path.join(root, name);
  const config = loadConfig({ EDGEWATCH_DATA_DIR: dataDir });
  await new FileLogConfigRegistry(dataDir).put({ ...defaultLocalLogConfig(config), fields: FILE_FIELDS, samplingRate: 50 });
  await new FileDistributionRegistry(dataDir).put({ id: 'E1FILEDIST', domainName: DOMAIN, aliases: [], comment: 'in the data dir' });
  return dataDir;
}

beforeAll(async () => {
  fixture = await startClickHouseHttpFixture({ dataDir: path.join(root, 'clickhouse'), port: CLICKHOUSE_PORT });
  ch = createClickHouse({ mode: 'server', url: fixture.url, database: DATABASE, maxExecutionTimeS: 60 });
  const config = loadConfig({ EDGEWATCH_DATA_DIR: path.join(root, 'writer'), EDGEWATCH_CLICKHOUSE_URL: fixture.url, EDGEWATCH_CLICKHOUSE_DATABASE: DATABASE });
  await runMigrations(ch, config.clickhouse);
  // What a role (or the admin API) registered in the server.
  const { logConfigs, distributions } = await openRegistries(config.dataDir, ch);
  await logConfigs.put({ ...defaultLocalLogConfig(config), name: 'edge-shared', fields: SERVER_FIELDS, samplingRate: 25 });
  await distributions.put({ id: 'E2SERVERDIST', domainName: DOMAIN, aliases: [], comment: 'in the server' });
}, 240_000);

afterAll(async () => {
  await ch?.close();
  await fixture?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('edgewatch parse with a ClickHouse server', () => {
  it("parses with the server's log config (field layout, sampling rate) and resolves the distribution from its map", async () => {
    const dataDir = await dataDirWithFiles('parse');
    const result = await edgewatch(['parse'], `${lineOf(SERVER_FIELDS)}\n${lineOf(FILE_FIELDS)}\n`, serverEnv(dataDir));
    expect(result.code, result.stderr).toBe(0);
    const [row, ...more] = jsonLines(result.stdout);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      timestamp: '2023-11-14T22:13:20.123Z',
      c_ip: '192.0.2.7',
      sc_status: 503,
      cs_uri_stem: '/index.html',
      x_host_header: DOMAIN,
      sampling_rate: 25,
      distribution_id: 'E2SERVERDIST',
    });
    // The data dir's layout is not the stream's: its line is a dead letter.
    expect(jsonLines(result.stderr)).toEqual([{ line: 2, reason: 'expected 5 fields, got 4', input: lineOf(FILE_FIELDS) }]);
  });

  it('keeps to the files under the data dir without a server', async () => {
    const dataDir = await dataDirWithFiles('parse-embedded');
    const result = await edgewatch(['parse'], `${lineOf(FILE_FIELDS)}\n`, embeddedEnv(dataDir));
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ cs_method: 'GET', sc_status: 503, sampling_rate: 50, distribution_id: 'E1FILEDIST' })]);
  });

  it('lets --fields and --sampling-rate override the server log config, still resolving from its map', async () => {
    const dataDir = await dataDirWithFiles('parse-flags');
    const result = await edgewatch(['parse', '--fields', FILE_FIELDS.join(','), '--sampling-rate', '10'], `${lineOf(FILE_FIELDS)}\n`, serverEnv(dataDir));
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ cs_method: 'GET', sampling_rate: 10, distribution_id: 'E2SERVERDIST' })]);
  });
});

describe('edgewatch replay with a ClickHouse server', () => {
  it("writes lines converted to the server's log config layout", async () => {
    const dataDir = await dataDirWithFiles('replay');
    const local = await startLocalKinesis({ path: path.join(dataDir, 'kinesis'), port: KINESIS_PORT, streamName: STREAM, shardCount: 1 });
    try {
      const result = await edgewatch(['replay', '--fields', REFERENCE_FIELDS.join(','), '--rate', '1000'], REFERENCE, {
        ...serverEnv(dataDir),
        EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/replayed 2 lines into edgewatch-local \(log config edge-shared, sampling 25 %\)/);

      const client = createKinesisClient({ region: 'us-east-1', endpoint: local.endpoint });
      try {
        const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
        const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: Shards[0]!.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
        const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
        expect(Records).toHaveLength(2);
        const payload = Buffer.from(Records[0]!.Data!).toString('utf8');
        expect(payload.trimEnd().split('\t')).toHaveLength(SERVER_FIELDS.length);
        const parsed = new LogParser(layoutOf(SERVER_FIELDS)).parsePayload(payload);
        expect(parsed.deadLetters).toEqual([]);
        expect(parsed.records[0]!.timestampMs).toBe(1600299221087);
      } finally {
        client.destroy();
      }
    } finally {
      await local.close();
    }
  });
});

describe('a ClickHouse server without the registry tables', () => {
  const prefixed = /^edgewatch parse: /;
  const advice = /has no registry tables in database (\w+) .*schema is not migrated\. Start 'edgewatch process' or 'edgewatch serve' against it once/;

  it('parse and replay say the schema is not migrated and what to do, with exit code 2 and no stack trace', async () => {
    const dataDir = await dataDirWithFiles('unmigrated');
    // The database does not exist (UNKNOWN_DATABASE).
    const parse = await edgewatch(['parse'], `${lineOf(FILE_FIELDS)}\n`, serverEnv(dataDir, 'never_migrated'));
    expect(parse.code, parse.stderr).toBe(2);
    expect(parse.stderr).toMatch(advice);
    expect(parse.stderr).toMatch(prefixed);
    expect(parse.stderr).not.toMatch(/\n\s+at /);
    expect(parse.stdout).toBe('');

    // The database exists but the registry migration has not run (UNKNOWN_TABLE); replay stops before Kinesis.
    await ch.command('CREATE DATABASE IF NOT EXISTS half_migrated');
    const replay = await edgewatch(['replay', '--fields', REFERENCE_FIELDS.join(',')], REFERENCE, {
      ...serverEnv(dataDir, 'half_migrated'),
      EDGEWATCH_LOCAL_KINESIS_PORT: String(SILENT_PORT),
    });
    expect(replay.code, replay.stderr).toBe(2);
    expect(replay.stderr).toMatch(advice);
    expect(replay.stderr).toMatch(/^edgewatch replay: /);
    expect(replay.stderr).not.toMatch(/\n\s+at /);
  });

  it('a server that does not answer is named, with exit code 1', async () => {
    const dataDir = await dataDirWithFiles('silent');
    const result = await edgewatch(['parse'], '', serverEnv(dataDir, DATABASE, `http://127.0.0.1:${SILENT_PORT}`));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^edgewatch parse: no ClickHouse server answers at http://127\\.0\\.0\\.1:${SILENT_PORT}`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
