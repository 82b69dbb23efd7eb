/**
 * The roles take their registries from the configuration: with EDGEWATCH_CLICKHOUSE_URL the log
 * config and the distributions an ingest worker (storing into ClickHouse) registers land in the
 * server's tables, where another worker sees them, and nothing is written under the data dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { startStoreIngestSink } from '../../cli/ingest-store-sink.js';
import { createLogger } from '../../cli/logger.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { openRegistries } from '../../processor/registry/open-registries.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';

const CLICKHOUSE_PORT = 47711;
const DATABASE = 'registry_roles';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-registry-roles-'));
let fixture: ClickHouseHttpFixture;
let ch: ClickHouse;

beforeAll(async () => {
  fixture = await startClickHouseHttpFixture({ dataDir: path.join(root, 'clickhouse'), port: CLICKHOUSE_PORT });
  ch = createClickHouse({ mode: 'server', url: fixture.url, database: DATABASE, maxExecutionTimeS: 30 });
}, 60_000);

afterAll(async () => {
  await ch?.close();
  await fixture?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('registries of a role with a ClickHouse server', () => {
  it('an ingest worker registers its log config and the demo distributions in the server, not in files', async () => {
    const dataDir = path.join(root, 'worker-1');
    const config = loadConfig({ EDGEWATCH_DATA_DIR: dataDir, EDGEWATCH_CLICKHOUSE_URL: fixture.url, EDGEWATCH_CLICKHOUSE_DATABASE: DATABASE, EDGEWATCH_LOG_SAMPLING_RATE: '40' });
    const sink = await startStoreIngestSink(config, createLogger('silent'));
    await sink.stop();
    expect(fs.existsSync(path.join(dataDir, 'log-configs.json'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'distributions.json'))).toBe(false);

    // Another worker, with another data dir, sees both.
    const other = await openRegistries(path.join(root, 'worker-2'), ch);
    expect(other.logConfigs.forStream(config.kinesis.streamName)?.samplingRate).toBe(40);
    const demo = DEMO_DISTRIBUTIONS[0]!;
    expect(other.distributions.resolveDomain(demo.domainName)).toBe(demo.id);
  }, 60_000);
});
