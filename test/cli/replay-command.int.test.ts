/**
 * `npx edgewatch replay`: real lines of another field set → the stream, in the log config's layout.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { DEFAULT_LOCAL_FIELD_NAMES, F, FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REFERENCE = fs.readFileSync(path.join(ROOT, 'test/fixtures/reference-records.tsv'), 'utf8');
const REFERENCE_FIELDS = FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name);

function replay(args: string[], input: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatch.mjs'), 'replay', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

describe('edgewatch replay', () => {
  it('says what to start when no stream is reachable, and exits non-zero', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-replay-'));
    const result = await replay(['--fields', REFERENCE_FIELDS.join(',')], REFERENCE, { EDGEWATCH_DATA_DIR: dataDir, EDGEWATCH_LOCAL_KINESIS_PORT: '46031' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/npm start/);
  });

  it('writes lines converted to the stream layout', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-replay-'));
    const local = await startLocalKinesis({ path: path.join(dataDir, 'kinesis'), port: 46032, streamName: 'edgewatch-local', shardCount: 1 });
    try {
      const result = await replay(['--fields', [...REFERENCE_FIELDS].reverse().join(','), '--rate', '1000'], `${REFERENCE}broken\tline\n`, {
        EDGEWATCH_DATA_DIR: dataDir,
        EDGEWATCH_LOCAL_KINESIS_PORT: '46032',
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/replayed 2 lines/);
      expect(result.stderr).toMatch(/skipped 1/);

      const client = createKinesisClient({ region: 'us-east-1', endpoint: local.endpoint });
      const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: 'edgewatch-local' }));
      const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'edgewatch-local', ShardId: Shards[0]!.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
      client.destroy();
      expect(Records).toHaveLength(2);
      const parser = new LogParser(layoutOf(DEFAULT_LOCAL_FIELD_NAMES));
      const parsed = parser.parsePayload(Buffer.from(Records[0]!.Data!).toString('utf8'));
      expect(parsed.deadLetters).toEqual([]);
      const record = parsed.records[0]!;
      expect(record.values[F.x_edge_location]).toBe('SEA19-C2');
      expect(record.values[F.s_ip]).toBeNull();
      expect(record.values[F.cmcd_version]).toBeNull();
      expect(record.timestampMs).toBe(1600299221087);
    } finally {
      await local.close();
    }
  });
});
