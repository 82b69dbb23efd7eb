import { rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter, KinesisWriteError, StreamNotFoundError } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { listShardIds, makeTempDir, payloads, readWholeShard, createActiveStream } from './kinesis-test-kit.js';

const PORT = 45103;
let dir: string;
let kinesis: LocalKinesis;
let client: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('kinesis-writer');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: PORT, streamName: 'writer', shardCount: 4 });
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
});

afterAll(async () => {
  client.destroy();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Forwarded {
  readonly status: number;
  readonly body: string;
}

function forward(path: string, headers: IncomingHttpHeaders, body: string): Promise<Forwarded> {
  const url = new URL(kinesis.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface PutRecordsBody {
  Records: unknown[];
}
interface PutRecordsReply {
  FailedRecordCount?: number;
  Records: Record<string, unknown>[];
}

/**
 * Kinesis behaviour kinesalite lacks, injected on the wire in front of it: the first PutRecords call is
 * throttled as a whole, the next `partialCalls` calls store only every other record and report the rest
 * as ProvisionedThroughputExceededException, like a hot shard does.
 */
async function startThrottlingProxy(partialCalls: number): Promise<{ endpoint: string; sentRecordCounts: number[]; server: Server }> {
  const sentRecordCounts: number[] = [];
  let putCalls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      void (async () => {
        const isPut = req.headers['x-amz-target'] === 'Kinesis_20131202.PutRecords';
        if (!isPut) {
          const out = await forward(req.url ?? '/', req.headers, body);
          res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' }).end(out.body);
          return;
        }
        putCalls += 1;
        const input = JSON.parse(body) as PutRecordsBody;
        sentRecordCounts.push(input.Records.length);
        if (putCalls === 1) {
          const error = { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for stream' };
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(error));
          return;
        }
        if (putCalls > 1 + partialCalls) {
          const out = await forward(req.url ?? '/', req.headers, body);
          res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' }).end(out.body);
          return;
        }
        const kept = input.Records.filter((_, i) => i % 2 === 0);
        const out = await forward(req.url ?? '/', req.headers, JSON.stringify({ ...input, Records: kept }));
        const stored = (JSON.parse(out.body) as PutRecordsReply).Records;
        const merged = input.Records.map((_, i) =>
          i % 2 === 0
            ? (stored[i / 2] ?? {})
            : { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
        );
        const reply: PutRecordsReply = { FailedRecordCount: input.Records.length - kept.length, Records: merged };
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(reply));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, sentRecordCounts, server };
}

async function readStream(streamName: string): Promise<string[]> {
  const texts: string[] = [];
  for (const shardId of await listShardIds(client, streamName)) {
    texts.push(...(await readWholeShard(client, streamName, shardId)).map((r) => r.text));
  }
  return texts;
}

describe('KinesisRecordWriter', () => {
  it('writes more than one PutRecords call holds, every record readable, spread over the shards', async () => {
    const writer = new KinesisRecordWriter({ client, streamName: 'writer' });
    const sent = payloads(0, 1234);
    await writer.putRecords(sent);

    const read = await readStream('writer');
    expect(read.sort()).toEqual(sent.map((p) => p.toString()).sort());
    // Random partition keys: every shard gets some of 1234 records.
    for (const shardId of await listShardIds(client, 'writer')) {
      expect((await readWholeShard(client, 'writer', shardId)).length).toBeGreaterThan(0);
    }
  });

  it('splits large payloads into calls under the 5 MB request limit', async () => {
    const writer = new KinesisRecordWriter({ client, streamName: 'writer' });
    const big = Array.from({ length: 12 }, (_, i) => Buffer.alloc(900 * 1024, `big-${i}|`));
    const before = (await readStream('writer')).length;
    await writer.putRecords(big);
    expect((await readStream('writer')).length).toBe(before + 12);
  });

  it('retries a throttled call, then only the entries that failed, until all are stored', async () => {
    const proxy = await startThrottlingProxy(2);
    // No SDK-level retry, so the writer's own retry is what is tested.
    const viaProxy = createKinesisClient({ region: 'us-east-1', endpoint: proxy.endpoint, maxAttempts: 1 });
    try {
      await createActiveStream(client, 'throttled', 1);
      const writer = new KinesisRecordWriter({ client: viaProxy, streamName: 'throttled', backoff: { baseMs: 10, maxMs: 50 } });
      const sent = payloads(0, 40);
      await writer.putRecords(sent);
      // whole call throttled (40), half of 40 failed (40), half of 20 failed (20), the last 10.
      expect(proxy.sentRecordCounts).toEqual([40, 40, 20, 10]);
      const read = await readStream('throttled');
      expect(read.sort()).toEqual(sent.map((p) => p.toString()).sort());
    } finally {
      viaProxy.destroy();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });

  it('gives up after its attempts with an error that says how many records are left', async () => {
    const proxy = await startThrottlingProxy(100);
    const viaProxy = createKinesisClient({ region: 'us-east-1', endpoint: proxy.endpoint, maxAttempts: 1 });
    try {
      await createActiveStream(client, 'hot', 1);
      const writer = new KinesisRecordWriter({ client: viaProxy, streamName: 'hot', maxAttempts: 3, backoff: { baseMs: 10, maxMs: 50 } });
      const error = await writer.putRecords(payloads(0, 40)).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(KinesisWriteError);
      expect(error).toMatchObject({
        streamName: 'hot',
        attempts: 3,
        failedRecords: 10,
        errorCodes: { ProvisionedThroughputExceededException: 10 },
      });
    } finally {
      viaProxy.destroy();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });

  it('refuses a payload larger than a Kinesis record', async () => {
    const writer = new KinesisRecordWriter({ client, streamName: 'writer' });
    await expect(writer.putRecords([Buffer.alloc(1024 * 1024 + 1)])).rejects.toThrow(RangeError);
  });

  it('throws StreamNotFoundError naming the stream when it does not exist', async () => {
    const writer = new KinesisRecordWriter({ client, streamName: 'no-such-stream' });
    const error = await writer.putRecords(payloads(0, 3)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe('no-such-stream');
    expect((error as StreamNotFoundError).message).toContain('no-such-stream');
  });
});
