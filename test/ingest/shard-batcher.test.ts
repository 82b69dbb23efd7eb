import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../processor/batch.js';
import { ShardBatcher } from '../../ingest/kinesis/shard-batcher.js';
import type { BatchLimits, CutBatch } from '../../ingest/kinesis/shard-batcher.js';
import { compareSequenceNumbers } from '../../ingest/kinesis/sequence-numbers.js';

const LIMITS: BatchLimits = { maxBatchRecords: 3, maxBatchBytes: 100, maxBatchAgeMs: 1000 };

function record(seq: number, bytes = 10): RawRecord {
  return { data: new Uint8Array(bytes), sequenceNumber: String(1000 + seq), arrivalMs: 0 };
}

function ranges(batches: readonly CutBatch[]): string[] {
  return batches.map((b) => `${b.range.first}-${b.range.last}:${b.records.length}`);
}

describe('ShardBatcher', () => {
  it('cuts at the record limit', () => {
    const batcher = new ShardBatcher(LIMITS, null);
    const cut = [1, 2, 3, 4, 5, 6, 7].flatMap((i) => batcher.add(record(i), 0));
    expect(ranges(cut)).toEqual(['1001-1003:3', '1004-1006:3']);
    expect(batcher.pendingRecords).toBe(1);
  });

  it('cuts before a record that would pass the byte limit, and alone for an oversized record', () => {
    const batcher = new ShardBatcher(LIMITS, null);
    const cut = [batcher.add(record(1, 60), 0), batcher.add(record(2, 50), 0), batcher.add(record(3, 500), 0)].flat();
    expect(ranges(cut)).toEqual(['1001-1001:1', '1002-1002:1', '1003-1003:1']);
    expect(batcher.pendingRecords).toBe(0);
  });

  it('cuts by age counted from the first record of the batch', () => {
    const batcher = new ShardBatcher(LIMITS, null);
    batcher.add(record(1), 5000);
    batcher.add(record(2), 5900);
    expect(batcher.dueAtMs()).toBe(6000);
    expect(batcher.cutIfDue(5999)).toBeNull();
    expect(ranges([batcher.cutIfDue(6000)].filter((b) => b !== null))).toEqual(['1001-1002:2']);
    expect(batcher.dueAtMs()).toBeNull();
  });

  it('re-cuts the in-flight range exactly, whatever the limits, then batches normally', () => {
    const batcher = new ShardBatcher(LIMITS, { first: '1001', last: '1005' });
    const cut = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((i) => batcher.add(record(i), 0));
    expect(ranges(cut)).toEqual(['1001-1005:5', '1006-1008:3']);
    expect(cut[0]?.replayOf).toEqual({ first: '1001', last: '1005' });
    expect(cut[1]?.replayOf).toBeNull();
  });

  it('does not cut a replay by age, nor flush part of it at shutdown', () => {
    const batcher = new ShardBatcher(LIMITS, { first: '1001', last: '1005' });
    batcher.add(record(1), 0);
    batcher.add(record(2), 0);
    expect(batcher.dueAtMs()).toBeNull();
    expect(batcher.cutIfDue(1_000_000)).toBeNull();
    expect(batcher.cutForShutdown()).toBeNull();
    expect(batcher.replaying).toBe(true);
  });

  it('closes a replay whose last record has expired at the next record, and at shard end', () => {
    const batcher = new ShardBatcher(LIMITS, { first: '1001', last: '1005' });
    batcher.add(record(2), 0);
    const cut = batcher.add(record(7), 0);
    expect(ranges(cut)).toEqual(['1002-1002:1']);
    expect(cut[0]?.replayOf).toEqual({ first: '1001', last: '1005' });

    const ending = new ShardBatcher(LIMITS, { first: '1001', last: '1005' });
    ending.add(record(1), 0);
    const rest = ending.cutAtShardEnd();
    expect(rest?.range).toEqual({ first: '1001', last: '1001' });
    expect(rest?.replayOf).toEqual({ first: '1001', last: '1005' });
  });
});

describe('compareSequenceNumbers', () => {
  it('orders long decimal strings without losing precision', () => {
    const a = '49680690183688707542224886776950829882373352071658209282';
    const b = '49680690183688707542224886776950829882373352071658209283';
    expect(compareSequenceNumbers(a, b)).toBeLessThan(0);
    expect(compareSequenceNumbers(b, a)).toBeGreaterThan(0);
    expect(compareSequenceNumbers(a, a)).toBe(0);
    expect(compareSequenceNumbers('99', '100')).toBeLessThan(0);
  });
});
