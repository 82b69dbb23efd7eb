/**
 * Import from S3 through @aws-sdk/client-s3 against a local S3-compatible server (moto): a prefix
 * in the standard-log key layout is listed page by page, objects outside --from/--to are skipped by
 * their key's date, and the rest is downloaded and stored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeImport } from '../../ingest/import/import-request.js';
import { createS3Client, parseS3Uri, S3Lister } from '../../ingest/import/s3-lister.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { motoAvailability, startMotoServer, type MotoServer } from '../support/moto-server.js';
import { IMPORT_LAYOUT, realtimeLines, standardLog } from './import-fixtures.js';

const PORT = 47210;
const HOUR_MS = 3_600_000;
const available = motoAvailability();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-s3-import-'));
let moto: MotoServer;
let s3: S3Client;
let ch: ClickHouse;
let writer: ClickHouseWriter;

// Credentials come from the default chain: the environment here.
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_REGION = 'us-east-1';

const baseHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 10 * HOUR_MS;
const keyHour = (ms: number): string => new Date(ms).toISOString().slice(0, 13).replace('T', '-');

describe.skipIf(!available.ok)('import from S3 (moto)', () => {
  beforeAll(async () => {
    moto = await startMotoServer(PORT);
    s3 = createS3Client({ endpoint: moto.endpoint });
    await s3.send(new CreateBucketCommand({ Bucket: 'cf-logs' }));
    // Five hours of standard logs, two objects per hour, and an object of another distribution elsewhere.
    for (let h = 0; h < 5; h++) {
      const hourMs = baseHour + h * HOUR_MS;
      for (const unique of ['a1b2', 'c3d4']) {
        const lines = realtimeLines(50, hourMs + HOUR_MS - 1000, HOUR_MS - 2000, h * 10 + unique.length + (unique === 'a1b2' ? 1 : 2));
        await s3.send(new PutObjectCommand({ Bucket: 'cf-logs', Key: `standard/EDFDVBD6EXAMPLE.${keyHour(hourMs)}.${unique}.gz`, Body: zlib.gzipSync(standardLog(lines)) }));
      }
    }
    await s3.send(new PutObjectCommand({ Bucket: 'cf-logs', Key: `other/E999.${keyHour(baseHour)}.zz.gz`, Body: zlib.gzipSync(standardLog(realtimeLines(5, baseHour + 1000, 500))) }));
    ch = createClickHouse({ mode: 'embedded', dataDir: path.join(dir, 'data'), database: 'edgewatch', maxExecutionTimeS: 120 });
    await runMigrations(ch, { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 });
    writer = new ClickHouseWriter(ch);
  });

  afterAll(async () => {
    s3?.destroy();
    await writer?.stop();
    await ch?.close();
    await moto?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists a prefix across pages and leaves out keys outside the time range', async () => {
    const lister = new S3Lister({ client: s3, location: parseS3Uri('s3://cf-logs/standard/')!, fromMs: baseHour + HOUR_MS, toMs: baseHour + 3 * HOUR_MS, pageSize: 3 });
    const keys: string[] = [];
    for await (const object of lister.list()) {
      keys.push(object.name);
      expect(object.etag).toMatch(/^[0-9a-f]{32}$/);
      expect(object.distributionId).toBe('EDFDVBD6EXAMPLE');
    }
    expect(keys).toEqual([1, 1, 2, 2].map((h, i) => `EDFDVBD6EXAMPLE.${keyHour(baseHour + h * HOUR_MS)}.${i % 2 === 0 ? 'a1b2' : 'c3d4'}.gz`));
  });

  it('imports the objects of a prefix, skips them on a re-run', async () => {
    const env = {
      clickhouse: ch,
      sink: writer,
      resolveDistribution: () => '',
      defaultLayout: IMPORT_LAYOUT,
      defaultSamplingRate: 100,
      s3: { endpoint: moto.endpoint },
    };
    const request = { inputs: ['s3://cf-logs/standard/'], concurrency: 3, fromMs: baseHour + HOUR_MS, toMs: baseHour + 4 * HOUR_MS };
    const summary = await executeImport(request, env);
    expect(summary.failed).toEqual([]);
    expect(summary.objectsTotal).toBe(6);
    expect(summary.lines).toBe(300);
    const rows = await ch.query<{ n: string; d: string; s: string; h: string }>(
      "SELECT count() AS n, any(distribution_id) AS d, any(source) AS s, uniqExact(toStartOfHour(timestamp)) AS h FROM edgewatch.requests",
    );
    expect(rows[0]).toMatchObject({ d: 'EDFDVBD6EXAMPLE', s: 'standard' });
    expect(Number(rows[0]?.n)).toBe(300);
    expect(Number(rows[0]?.h)).toBe(3);
    const ledger = await ch.query<{ uri: string; etag: string; size: string }>('SELECT uri, etag, size FROM edgewatch.imported_objects FINAL WHERE finished = 1');
    expect(ledger).toHaveLength(6);
    expect(ledger.every((r) => r.uri.startsWith('s3://cf-logs/standard/EDFDVBD6EXAMPLE.') && /^[0-9a-f]{32}$/.test(r.etag) && Number(r.size) > 0)).toBe(true);

    const again = await executeImport(request, env);
    expect(again).toMatchObject({ objectsSkipped: 6, lines: 0 });
  });
});
