/**
 * The `process` role under faults, on the real broker and a ClickHouse reached by URL:
 * - ClickHouse goes away: consumption pauses, nothing is committed, the batch under way is retried,
 *   and everything lands exactly once when ClickHouse is back;
 * - graceful shutdown: a member that stops commits what it stored and leaves the group at once (the
 *   other member takes its partitions long before the session timeout would have passed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { startProcessRole, type RunningProcessor } from '../../cli/process-role.js';
import type { KafkaAdmin, KafkaClient, KafkaPublisher } from '../../ingest/kafka/kafka-client.js';
import { encodeRangeMessage } from '../../ingest/kafka/range-message.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import type { RawBatch } from '../../processor/batch.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { brokers, describeKafka, quietLogger, ROOT, testKafkaClient, uniqueName, waitFor } from './kafka-test-kit.js';

const CLICKHOUSE_PORT = 46411;
const generator = createTrafficGenerator({ seed: 23, distributions: DEMO_DISTRIBUTIONS, layout: layoutOf(DEFAULT_LOCAL_FIELD_NAMES), startMs: Date.now() - 3_600_000 });
let clock = Date.now() - 3_600_000;
let sequence = 10_000n;

/** A range of the local stream, as `edgewatch ingest` publishes it. */
function nextRange(shardId: string, records: number): RawBatch {
  clock += 60_000;
  const list = generator.linesAt(clock, records, 60_000).map((line) => ({ data: Buffer.from(line), sequenceNumber: String((sequence += 1n)), arrivalMs: Date.now() }));
  return { stream: 'edgewatch-local', shardId, firstSequence: list[0]!.sequenceNumber, lastSequence: list.at(-1)!.sequenceNumber, records: list };
}

/** The ClickHouse stand-in as a server process of its own, so it can really go away. */
async function startClickHouseProcess(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), 'test/support/clickhouse-http-fixture.ts', '--port', String(CLICKHOUSE_PORT), '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(`127.0.0.1:${CLICKHOUSE_PORT}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`ClickHouse stand-in exited with ${code}`)));
  });
  return child;
}

async function kill(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

describeKafka('edgewatch process under faults', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-process-role-'));
  const url = `http://127.0.0.1:${CLICKHOUSE_PORT}`;
  let server: ChildProcess | null = null;
  let client: KafkaClient;
  let admin: KafkaAdmin;
  let publisher: KafkaPublisher;
  let clickhouse: ClickHouse;
  const roles: RunningProcessor[] = [];

  beforeAll(async () => {
    server = await startClickHouseProcess(path.join(dir, 'clickhouse'));
    client = testKafkaClient();
    admin = await client.admin();
    publisher = client.publisher();
  });
  afterAll(async () => {
    for (const role of roles) await role.stop().catch(() => undefined);
    await publisher?.close();
    await admin?.close();
    await clickhouse?.close();
    await kill(server, 'SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start(name: string, settings: { topic: string; groupId: string; database: string; sessionTimeoutMs: number }): Promise<RunningProcessor> {
    const config = loadConfig({
      EDGEWATCH_DATA_DIR: path.join(dir, name),
      PORT: '0',
      EDGEWATCH_CLICKHOUSE_URL: url,
      EDGEWATCH_CLICKHOUSE_DATABASE: settings.database,
      EDGEWATCH_KAFKA_BROKERS: brokers(),
      EDGEWATCH_KAFKA_TOPIC: settings.topic,
      EDGEWATCH_KAFKA_DLQ_TOPIC: `${settings.topic}.dlq`,
      EDGEWATCH_KAFKA_GROUP: settings.groupId,
      EDGEWATCH_KAFKA_PARTITIONS: '4',
      EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS: String(settings.sessionTimeoutMs),
      EDGEWATCH_SHUTDOWN_DEADLINE_MS: '20000',
      EDGEWATCH_SIMULATOR: '0',
    });
    return startProcessRole(config, quietLogger).then((role) => {
      roles.push(role);
      return role;
    });
  }

  async function committed(groupId: string, topic: string): Promise<string> {
    const offsets = await admin.committedOffsets(groupId, topic);
    return offsets.map((o) => `${o.partition}:${o.offset ?? '-'}`).join(',');
  }

  async function lag(groupId: string, topic: string): Promise<number> {
    const [ends, offsets] = await Promise.all([admin.endOffsets(topic), admin.committedOffsets(groupId, topic)]);
    let total = 0;
    for (const [partition, end] of ends) total += Number(BigInt(end) - BigInt(offsets.find((c) => c.partition === partition)?.offset ?? '0'));
    return total;
  }

  async function counts(database: string): Promise<{ rows: number; ids: number }> {
    clickhouse ??= createClickHouse({ mode: 'server', url, database: 'default', maxExecutionTimeS: 30 });
    const [row] = await clickhouse.query<{ rows: string; ids: string }>(`SELECT count() AS rows, uniqExact(x_edge_request_id) AS ids FROM ${database}.requests`);
    return { rows: Number(row?.rows ?? 0), ids: Number(row?.ids ?? 0) };
  }

  it('pauses and commits nothing while ClickHouse is away, then stores everything once', { timeout: 300_000 }, async () => {
    const topic = uniqueName('ch_down');
    const groupId = uniqueName('ch_down_group');
    const database = uniqueName('ch_down');
    const role = await start('ch-down', { topic, groupId, database, sessionTimeoutMs: 6_000 });
    let sent = 0;
    const publish = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const batch = nextRange(`shardId-00000000000${i % 4}`, 250);
        await publisher.send(topic, [encodeRangeMessage(batch)]);
        sent += batch.records.length;
      }
    };
    await publish(4);
    await waitFor('the first ranges stored', async () => ((await counts(database)).rows === sent ? true : undefined), 120_000);
    await waitFor('their offsets committed', async () => ((await lag(groupId, topic)) === 0 ? true : undefined));

    await kill(server, 'SIGKILL');
    server = null;
    await publish(4);
    await waitFor('consumption to pause', () => (role.storagePaused() ? true : undefined), 120_000);
    expect(role.health().status).toBe('degraded');
    const before = await committed(groupId, topic);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await committed(groupId, topic)).toBe(before);
    expect(await lag(groupId, topic)).toBeGreaterThan(0);
    expect(role.writer.stats().retries).toBeGreaterThan(0);

    server = await startClickHouseProcess(path.join(dir, 'clickhouse'));
    await waitFor('everything committed after ClickHouse returned', async () => ((await lag(groupId, topic)) === 0 ? true : undefined), 180_000);
    expect(role.storagePaused()).toBe(false);
    expect(await counts(database)).toEqual({ rows: sent, ids: sent });
  });

  it('a member that stops commits its work and leaves the group at once', { timeout: 300_000 }, async () => {
    const topic = uniqueName('leave');
    const groupId = uniqueName('leave_group');
    const database = uniqueName('leave');
    // A session timeout far longer than the test waits: only a clean leave lets the other member take over in time.
    const memberA = await start('leave-a', { topic, groupId, database, sessionTimeoutMs: 120_000 });
    const memberB = await start('leave-b', { topic, groupId, database, sessionTimeoutMs: 120_000 });
    await waitFor('both members to own partitions', () =>
      memberA.source.status().length > 0 && memberB.source.status().length > 0 && memberA.source.status().length + memberB.source.status().length === 4 ? true : undefined,
    60_000);
    let sent = 0;
    for (let i = 0; i < 8; i++) {
      const batch = nextRange(`shardId-00000000000${i % 4}`, 200);
      await publisher.send(topic, [encodeRangeMessage(batch)]);
      sent += batch.records.length;
    }
    await waitFor('both members to store', () => (memberA.processor.counts().records > 0 && memberB.processor.counts().records > 0 ? true : undefined), 120_000);

    const stoppedAt = Date.now();
    await memberA.stop();
    await waitFor('member B to own every partition', () => (memberB.source.status().length === 4 ? true : undefined), 60_000);
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    await waitFor('everything committed', async () => ((await lag(groupId, topic)) === 0 ? true : undefined), 120_000);
    expect(await counts(database)).toEqual({ rows: sent, ids: sent });
  });
});
