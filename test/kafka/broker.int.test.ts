/**
 * The local broker script (`npm run kafka:start` / `kafka:status` / `kafka:stop`) on ports of its own:
 * it starts a KRaft broker that serves requests and writes a pid file, and stops it cleanly. (That a
 * restart keeps the data is shown by the scale-out test, which restarts the shared broker under load.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { probeKafka } from '../../infra/kafka/api-versions-probe.js';
import { brokerFiles, stopKafkaBroker } from '../../infra/kafka/broker.js';
import { createKafkajsClient } from '../../ingest/kafka/kafkajs-client.js';
import { describeKafka, quietLogger, ROOT } from './kafka-test-kit.js';

const PORT = 46404;
const CONTROLLER_PORT = 46405;

function kafkaCli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), 'infra/kafka/kafka-cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

describeKafka('local broker script', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-kafka-cli-'));
  const where = ['--dir', dir, '--port', String(PORT), '--controller-port', String(CONTROLLER_PORT)];

  afterAll(async () => {
    await stopKafkaBroker(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts a broker that serves requests and stops it cleanly', async () => {
    const start = await kafkaCli('start', ...where);
    expect(start.status, start.stderr).toBe(0);
    expect(start.stdout).toContain(`EDGEWATCH_KAFKA_BROKERS=127.0.0.1:${PORT}`);
    const files = brokerFiles(dir);
    const pid = Number(fs.readFileSync(files.pid, 'utf8'));
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('kafka.Kafka');
    expect(fs.readFileSync(files.properties, 'utf8')).toContain('offsets.topic.replication.factor=1');
    expect(await probeKafka('127.0.0.1', PORT)).toBe(true);
    expect((await kafkaCli('status', '--dir', dir)).status).toBe(0);

    const client = createKafkajsClient({ brokers: [`127.0.0.1:${PORT}`], clientId: 'edgewatch-test', logger: quietLogger });
    const admin = await client.admin();
    await admin.ensureTopic({ topic: 'served', partitions: 2 });
    const publisher = client.publisher();
    await publisher.send('served', [{ key: 'k', value: Buffer.from('stored'), headers: {} }]);
    await publisher.close();
    expect([...(await admin.endOffsets('served')).values()].reduce((sum, offset) => sum + Number(offset), 0)).toBe(1);
    await admin.close();

    const stop = await kafkaCli('stop', '--dir', dir);
    expect(stop.status, stop.stderr).toBe(0);
    expect(fs.existsSync(files.pid)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await probeKafka('127.0.0.1', PORT)).toBe(false);
    expect((await kafkaCli('status', '--dir', dir)).status).toBe(1);
    // A controlled shutdown, not a kill: the broker logged it.
    expect(fs.readFileSync(files.serverLog, 'utf8')).toMatch(/shut down completely|shutting down/i);
  });
});
