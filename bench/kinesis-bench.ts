/**
 * Kinesis read throughput of one ingest worker: eight shards of the local Kinesis (kinesalite, in a
 * process of its own so that the emulator's work does not count as the reader's) filled beforehand with simulator lines, read by KinesisSource holding every shard through
 * the DynamoDB lease table (dynalite, in this process), each batch checkpointed in the table. The
 * handler only counts, so the figure is the reading side alone (GetRecords, batching, conditional
 * checkpoint writes). Prints
 *
 *   kinesis_read_records_per_s N
 *
 * measured from the start of the source until every record was delivered and committed. Note that
 * each shard reader keeps to the per-shard read limit of Kinesis (2 MiB/s by default).
 * BENCH_KINESIS_RECORDS sets the number of records (default 80000). Standalone:
 * `node bin/run-ts.mjs bench/kinesis-bench.ts`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { sleep } from '../ingest/kinesis/backoff.js';
import { createKinesisClient } from '../ingest/kinesis/kinesis-client.js';
import { KinesisSource } from '../ingest/kinesis/kinesis-source.js';
import { KinesisRecordWriter } from '../ingest/kinesis/kinesis-writer.js';
import { createDynamoDbClient } from '../ingest/leases/dynamodb-client.js';
import { LeaseCoordinator } from '../ingest/leases/lease-coordinator.js';
import { DynamoDbLeaseTable } from '../ingest/leases/lease-table.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { layoutOf } from '../processor/fields/layout.js';
import { startLocalDynamoDb } from '../test/support/local-dynamodb.js';

const KINESIS_PORT = 47090;
const DYNAMO_PORT = 47091;
const SHARDS = 8;
const STREAM = 'bench-read';
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function runKinesisBench(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const records = Number(process.env.BENCH_KINESIS_RECORDS ?? 80_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-kinesis-bench-'));
  const kinesalite = spawn(
    process.execPath,
    [createRequire(import.meta.url).resolve('kinesalite/cli.js'), '--port', String(KINESIS_PORT), '--path', path.join(dir, 'kinesis'), '--createStreamMs', '0', '--shardLimit', '100'],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => kinesalite.once('exit', resolve));
  const dynamo = await startLocalDynamoDb(DYNAMO_PORT);
  const client = createKinesisClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${KINESIS_PORT}` });
  const dynamoClient = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  try {
    await createStream(client);
    const startMs = Date.now() - 3_600_000;
    const generator = createTrafficGenerator({ seed: 5, distributions: DEMO_DISTRIBUTIONS, layout: layoutOf(DEFAULT_LOCAL_FIELD_NAMES), startMs });
    const writer = new KinesisRecordWriter({ client, streamName: STREAM });
    for (let written = 0, second = 0; written < records; second++) {
      const count = Math.min(5_000, records - written);
      await writer.putRecords(generator.linesAt(startMs + second * 1_000, count, 1_000).map((line) => Buffer.from(line)));
      written += count;
    }

    const coordinator = new LeaseCoordinator({
      table: new DynamoDbLeaseTable({ client: dynamoClient, tableName: 'bench-leases', streamName: STREAM }),
      workerId: 'bench',
      leaseDurationMs: 10_000,
      logger: silent,
    });
    await coordinator.start();
    let delivered = 0;
    let allDelivered: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    const source = new KinesisSource({
      client,
      streamName: STREAM,
      checkpoints: coordinator.checkpoints,
      ownership: coordinator,
      handler: (batch) => {
        delivered += batch.records.length;
        if (delivered >= records) allDelivered();
        return Promise.resolve();
      },
      initialPosition: 'TRIM_HORIZON',
      maxBatchRecords: 5_000,
      maxBatchBytes: 8 * 1024 * 1024,
      maxBatchAgeMs: 200,
      pollIntervalMs: 200,
      logger: silent,
    });
    const started = performance.now();
    await source.start();
    await done;
    const seconds = (performance.now() - started) / 1000;
    await source.stop();
    await coordinator.stop();
    if (delivered !== records) throw new Error(`kinesis bench: ${delivered} records delivered, ${records} written`);
    out.write(`kinesis_read_records_per_s ${Math.round(records / seconds)}\n`);
  } finally {
    client.destroy();
    dynamoClient.destroy();
    await dynamo.close();
    kinesalite.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function createStream(client: KinesisClient): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: SHARDS }));
      break;
    } catch (err) {
      // The emulator is still starting.
      if (attempt > 100) throw err;
      await sleep(100);
    }
  }
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(50);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await runKinesisBench();
}
