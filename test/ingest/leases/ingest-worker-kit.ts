/**
 * `edgewatch ingest` workers as real child processes sharing Kinesis (kinesalite), a lease table
 * (dynalite) and ClickHouse (the embedded engine behind its HTTP interface), all served by the test
 * process; plus the traffic and the counts the multi-worker tests compare.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisRecordWriter } from '../../../ingest/kinesis/kinesis-writer.js';
import { DEMO_DISTRIBUTIONS } from '../../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../../ingest/simulator/traffic-model.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../../processor/fields/catalogue.js';
import { layoutOf } from '../../../processor/fields/layout.js';
import type { ClickHouse } from '../../../processor/storage/clickhouse.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface IngestWorker {
  readonly id: string;
  readonly child: ChildProcess;
  output(): string;
  /** Exit code; 137 after SIGKILL. */
  readonly exited: Promise<number>;
}

export interface WorkerEnvironment {
  readonly dir: string;
  readonly stream: string;
  readonly kinesisEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly leaseTable: string;
  readonly leaseDurationMs: number;
  readonly clickhouseUrl: string;
  readonly database: string;
}

export function spawnIngestWorker(env: WorkerEnvironment, id: string): IngestWorker {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'ingest'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      EDGEWATCH_DATA_DIR: path.join(env.dir, id),
      PORT: '0',
      AWS_REGION: 'us-east-1',
      EDGEWATCH_LOCAL_KINESIS: '0',
      EDGEWATCH_KINESIS_STREAM: env.stream,
      EDGEWATCH_KINESIS_ENDPOINT: env.kinesisEndpoint,
      EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
      EDGEWATCH_LOG_FIELDS: DEFAULT_LOCAL_FIELD_NAMES.join(','),
      EDGEWATCH_CLICKHOUSE_URL: env.clickhouseUrl,
      EDGEWATCH_CLICKHOUSE_DATABASE: env.database,
      EDGEWATCH_LEASE_TABLE: env.leaseTable,
      EDGEWATCH_DYNAMODB_ENDPOINT: env.dynamoEndpoint,
      EDGEWATCH_WORKER_ID: id,
      EDGEWATCH_LEASE_DURATION_MS: String(env.leaseDurationMs),
      EDGEWATCH_BATCH_MAX_RECORDS: '2000',
      EDGEWATCH_BATCH_MAX_AGE_MS: '1000',
      EDGEWATCH_LOG_LEVEL: 'info',
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      const keep = process.env.EDGEWATCH_TEST_OUTPUT_DIR;
      if (keep !== undefined && keep !== '') {
        fs.mkdirSync(keep, { recursive: true });
        fs.writeFileSync(path.join(keep, `ingest-${id}.log`), output);
      }
      resolve(code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 128));
    });
  });
  return { id, child, output: () => output, exited };
}

/** Writes CloudFront lines (one record each, every one a distinct x-edge-request-id) into the stream. */
export function createTraffic(client: KinesisClient, stream: string, seed: number) {
  const writer = new KinesisRecordWriter({ client, streamName: stream });
  const startMs = Date.now() - 3_600_000;
  const generator = createTrafficGenerator({ seed, distributions: DEMO_DISTRIBUTIONS, layout: layoutOf(DEFAULT_LOCAL_FIELD_NAMES), startMs });
  let sent = 0;
  let wave = 0;
  return {
    sent: () => sent,
    async write(records: number): Promise<void> {
      wave++;
      const lines = generator.linesAt(startMs + wave * 10_000, records, 10_000);
      await writer.putRecords(lines.map((line) => Buffer.from(line)));
      sent += lines.length;
    },
  };
}

export async function storedCounts(clickhouse: ClickHouse, database: string): Promise<{ rows: number; distinct: number }> {
  const [row] = await clickhouse.query<{ rows: string; distinct_ids: string }>(
    `SELECT count() AS rows, uniqExact(x_edge_request_id) AS distinct_ids FROM ${database}.requests`,
  );
  return { rows: Number(row?.rows ?? 0), distinct: Number(row?.distinct_ids ?? 0) };
}
