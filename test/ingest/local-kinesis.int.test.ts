import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { LocalKinesisPortInUseError, startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { listShardIds, makeTempDir, payloads, readWholeShard } from './kinesis-test-kit.js';

const PORT = 45105;
const BUSY_PORT = 45106;
let dir: string;

beforeAll(() => {
  dir = makeTempDir('local-kinesis');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('startLocalKinesis', () => {
  it('keeps the stream and its records across a restart', async () => {
    const path = join(dir, 'data');
    const first = await startLocalKinesis({ path, port: PORT, streamName: 'kept', shardCount: 2 });
    const client = createKinesisClient({ region: 'us-east-1', endpoint: first.endpoint });
    await new KinesisRecordWriter({ client, streamName: 'kept' }).putRecords(payloads(0, 20));
    client.destroy();
    await first.close();

    // Asking for another shard count does not recreate an existing stream.
    const second = await startLocalKinesis({ path, port: PORT, streamName: 'kept', shardCount: 5 });
    const again = createKinesisClient({ region: 'us-east-1', endpoint: second.endpoint });
    try {
      const shardIds = await listShardIds(again, 'kept');
      expect(shardIds).toHaveLength(2);
      let total = 0;
      for (const shardId of shardIds) total += (await readWholeShard(again, 'kept', shardId)).length;
      expect(total).toBe(20);
    } finally {
      again.destroy();
      await second.close();
    }
  });

  it('names the port and the environment variable when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(BUSY_PORT, '127.0.0.1', resolve));
    try {
      const error = await startLocalKinesis({ path: join(dir, 'busy'), port: BUSY_PORT, streamName: 's', shardCount: 1 }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(LocalKinesisPortInUseError);
      expect((error as Error).message).toContain(String(BUSY_PORT));
      expect((error as Error).message).toContain('EDGEWATCH_LOCAL_KINESIS_PORT');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
