import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawBatch } from '../../processor/batch.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { batchToken } from '../../processor/storage/batch-token.js';
import type { WriteBatch } from '../../processor/storage/clickhouse-writer.js';
import {
  layoutChangeProblem,
  logFormatOf,
  FileLogConfigRegistry,
  RETIRED_LAYOUT_KEEP_MS,
  type LogConfigRecord,
} from '../../processor/registry/log-config-registry.js';

const OLD_FIELDS = ['timestamp', 'sc-status', 'x-host-header', 'x-edge-request-id'];
const NEW_FIELDS = ['timestamp', 'sc-status', 'x-host-header', 'x-edge-request-id', 'c-country'];
const SAME_COUNT = ['timestamp', 'sc-status', 'x-host-header', 'c-country'];

const dirs: string[] = [];
function registry(): FileLogConfigRegistry {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-registry-'));
  dirs.push(dir);
  return new FileLogConfigRegistry(dir);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const record = (fields: readonly string[], samplingRate = 100): LogConfigRecord => ({
  name: 'rt',
  arn: 'arn:aws:cloudfront::000000000000:realtime-log-config/rt',
  samplingRate,
  fields,
  streamName: 's',
  streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
  roleArn: 'arn:aws:iam::000000000000:role/r',
});

// Canonical order: timestamp, sc-status, x-edge-request-id, x-host-header (, c-country).
const oldLine = (i: number) => `1700000000.${String(i).padStart(3, '0')}\t200\treq-${i}\td111.cloudfront.net\n`;
const newLine = (i: number) => `1700000001.${String(i).padStart(3, '0')}\t403\treq-n${i}\td111.cloudfront.net\tUS\n`;

function batchOf(payloads: string[]): RawBatch {
  const records = payloads.map((p, i) => ({ data: Buffer.from(p), sequenceNumber: String(100 + i), arrivalMs: 0 }));
  return { stream: 's', shardId: 'shardId-1', firstSequence: '100', lastSequence: String(99 + payloads.length), records };
}

describe('log-config registry: layouts across a field change', () => {
  it('keeps the previous layout when the field set changes, and follows the sampling rate', async () => {
    const reg = registry();
    await reg.put(record(OLD_FIELDS, 100), 1_000);
    const changed = await reg.put(record(NEW_FIELDS, 25), 2_000);
    expect(changed.fields).toEqual(layoutOf(NEW_FIELDS).names);
    expect(changed.retiredLayouts).toEqual([{ fields: layoutOf(OLD_FIELDS).names, samplingRate: 100, retiredAtMs: 1_000 + 1_000 }]);
    // Another process (a CLI) reads the same file.
    const other = new FileLogConfigRegistry(path.dirname(reg.file));
    const format = logFormatOf(other.forStream('s')!, 3_000);
    expect(format.samplingRate).toBe(25);
    expect(format.previous?.map((p) => [p.layout.names.length, p.samplingRate])).toEqual([[4, 100]]);
    // Retired layouts expire after the stream's retention.
    expect(logFormatOf(other.forStream('s')!, 2_000 + RETIRED_LAYOUT_KEEP_MS).previous).toBeUndefined();
  });

  it('refuses a change to another field set of the same count, current or still in the stream', async () => {
    const current = record(OLD_FIELDS);
    expect(layoutChangeProblem(current, SAME_COUNT)).toMatch(/4 fields, as the current one.*new stream/);
    expect(layoutChangeProblem(current, NEW_FIELDS)).toBeNull();
    expect(layoutChangeProblem(current, [...OLD_FIELDS].reverse())).toBeNull();
    const reg = registry();
    await reg.put(current, 1_000);
    const changed = await reg.put(record(NEW_FIELDS), 2_000);
    // Back to four fields, but not the four of the retired layout.
    expect(layoutChangeProblem(changed, SAME_COUNT, 3_000)).toMatch(/as an earlier layout/);
    expect(layoutChangeProblem(changed, OLD_FIELDS, 3_000)).toBeNull();
  });
});

describe('BatchProcessor across a field change', () => {
  it('parses records of the old and the new layout by their field count, each write with one layout', async () => {
    const writes: WriteBatch[] = [];
    const reg = registry();
    await reg.put(record(OLD_FIELDS, 100), Date.now() - 1_000);
    await reg.put(record(NEW_FIELDS, 50));
    const processor = new BatchProcessor({
      sink: { write: (b) => (writes.push(b), Promise.resolve()) },
      sourceKind: 'kinesis',
      resolveDistribution: () => 'E111',
      formatOf: (stream) => logFormatOf(reg.forStream(stream)!),
    });
    await processor.handle(batchOf([oldLine(1), oldLine(2), newLine(1), 'garbage\tline\n', newLine(2)]));
    const token = batchToken('s', 'shardId-1', '100', '104');
    expect(writes.map((w) => [w.token, w.layout?.names.length, w.rows.length, w.deadLetters.length])).toEqual([
      [token, 5, 2, 1],
      [`${token}:fields-4`, 4, 2, 0],
    ]);
    const [current, previous] = writes;
    expect(current!.rows.map((r) => [r.enriched.derived.sampling_rate, r.enriched.derived.country])).toEqual([
      [50, 'US'],
      [50, 'US'],
    ]);
    expect(previous!.rows.map((r) => r.enriched.derived.sampling_rate)).toEqual([100, 100]);
    expect(current!.deadLetters[0]!.reason).toMatch(/got 2.*5 or 4 fields/);
    expect(processor.counts()).toEqual({ records: 4, deadLetters: 1, batches: 1 });
  });

  it('writes a batch holding only records of the retired layout with that layout', async () => {
    const writes: WriteBatch[] = [];
    const processor = new BatchProcessor({
      sink: { write: (b) => (writes.push(b), Promise.resolve()) },
      sourceKind: 'kinesis',
      resolveDistribution: () => '',
      formatOf: () => ({ layout: layoutOf(NEW_FIELDS), samplingRate: 50, previous: [{ layout: layoutOf(OLD_FIELDS), samplingRate: 100 }] }),
    });
    await processor.handle(batchOf([oldLine(1), oldLine(2)]));
    expect(writes.map((w) => [w.token, w.layout?.names.length, w.rows.length])).toEqual([[batchToken('s', 'shardId-1', '100', '101'), 4, 2]]);
  });

  it('with one layout, writes once as before', async () => {
    const writes: WriteBatch[] = [];
    const processor = new BatchProcessor({
      sink: { write: (b) => (writes.push(b), Promise.resolve()) },
      sourceKind: 'kinesis',
      resolveDistribution: () => '',
      formatOf: () => ({ layout: layoutOf(OLD_FIELDS), samplingRate: 100 }),
    });
    await processor.handle(batchOf([oldLine(1), newLine(1)]));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.deadLetters[0]!.reason).toBe('expected 4 fields, got 5');
  });
});
