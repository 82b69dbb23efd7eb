/**
 * The fault-injecting proxy itself: it forwards to kinesalite untouched, and injects by rule what
 * kinesalite never does, in the shapes the SDK parses into the real Kinesis errors.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { classifyKinesisError } from '../../ingest/kinesis/kinesis-errors.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { startLocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import type { LocalKinesis } from '../../ingest/kinesis/local-kinesis.js';
import { KinesisFaultProxy, faults } from '../support/kinesis-fault-proxy.js';
import { makeTempDir, payloads } from './kinesis-test-kit.js';

const STREAM = 'proxy-a';
const SHARD = 'shardId-000000000000';
let dir: string;
let kinesis: LocalKinesis;
let proxy: KinesisFaultProxy;
let client: KinesisClient;

beforeAll(async () => {
  dir = makeTempDir('fault-proxy');
  kinesis = await startLocalKinesis({ path: join(dir, 'kinesis'), port: 47101, streamName: STREAM, shardCount: 1 });
  proxy = await KinesisFaultProxy.start({ target: kinesis.endpoint, port: 47102 });
  // One SDK attempt: every injected fault reaches the caller.
  client = createKinesisClient({ region: 'us-east-1', endpoint: proxy.url, maxAttempts: 1 });
  await new KinesisRecordWriter({ client, streamName: STREAM }).putRecords(payloads(0, 5));
});

afterAll(async () => {
  client.destroy();
  await proxy.close();
  await kinesis.close();
  rmSync(dir, { recursive: true, force: true });
});

async function iterator(): Promise<string> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: SHARD, ShardIteratorType: 'TRIM_HORIZON' }));
  return out.ShardIterator ?? '';
}

async function errorOf(action: Promise<unknown>): Promise<unknown> {
  return action.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
}

describe('KinesisFaultProxy', () => {
  it('forwards untouched without rules, and knows the shard of each iterator', async () => {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: await iterator() }));
    expect(out.Records).toHaveLength(5);
    expect(out.MillisBehindLatest).toBe(0);
    expect(proxy.seen('GetRecords', STREAM, SHARD).at(-1)?.fault).toBeNull();
    expect(proxy.seen('GetRecords', STREAM, SHARD).at(-1)?.recordBytes).toBe(payloads(0, 5).reduce((n, p) => n + p.byteLength, 0));
  });

  it('answers with Kinesis errors the SDK names and the reader classifies', async () => {
    const cases = [
      [faults.throughputExceeded(), 'ProvisionedThroughputExceededException', 'throttled'],
      [faults.limitExceeded(), 'LimitExceededException', 'throttled'],
      [faults.expiredIterator(), 'ExpiredIteratorException', 'expired-iterator'],
      [faults.internalFailure(), 'InternalFailure', 'transient'],
      [faults.serviceUnavailable(), 'ServiceUnavailableException', 'transient'],
      [faults.resourceNotFound(), 'ResourceNotFoundException', 'stream-not-found'],
    ] as const;
    const shardIterator = await iterator();
    for (const [action, name, kind] of cases) {
      const rule = proxy.addRule({ operation: 'GetRecords', shardId: SHARD, times: 1, action });
      const err = await errorOf(client.send(new GetRecordsCommand({ ShardIterator: shardIterator })));
      expect((err as Error).name).toBe(name);
      expect(classifyKinesisError(err)).toBe(kind);
      expect(rule.hits).toBe(1);
      rule.remove();
    }
    // `times` used up: the next call goes through.
    expect((await client.send(new GetRecordsCommand({ ShardIterator: shardIterator }))).Records).toHaveLength(5);
  });

  it('drops connections, and applies rules only to their operation, shard and probability', async () => {
    proxy.addRule({ operation: 'GetRecords', times: 1, action: { kind: 'drop' } });
    const dropped = await errorOf(client.send(new GetRecordsCommand({ ShardIterator: await iterator() })));
    expect(classifyKinesisError(dropped)).toBe('transient');

    proxy.addRule({ operation: 'GetRecords', shardId: 'shardId-000000000009', action: faults.throughputExceeded() });
    proxy.addRule({ operation: 'GetRecords', probability: 0, action: faults.throughputExceeded() });
    proxy.addRule({ operation: 'ListShards', action: faults.throughputExceeded() });
    expect((await client.send(new GetRecordsCommand({ ShardIterator: await iterator() }))).Records).toHaveLength(5);
    proxy.clearRules();
  });

  it('rewrites MillisBehindLatest and adds latency', async () => {
    proxy.addRule({ operation: 'GetRecords', action: { kind: 'millis-behind-latest', value: 42_000 } });
    proxy.addRule({ operation: 'GetRecords', action: { kind: 'latency', ms: 50 } });
    const out = await client.send(new GetRecordsCommand({ ShardIterator: await iterator() }));
    expect(out.MillisBehindLatest).toBe(42_000);
    expect(out.Records).toHaveLength(5);
    const last = proxy.seen('GetRecords', STREAM).at(-1);
    expect(last?.fault).toBe('millis-behind-latest');
    proxy.clearRules();
  });
});
