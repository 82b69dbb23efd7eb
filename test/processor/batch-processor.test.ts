import { describe, expect, it } from 'vitest';
import type { RawBatch } from '../../processor/batch.js';
import { BatchProcessor, type BatchSink } from '../../processor/batch-processor.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { batchToken } from '../../processor/storage/batch-token.js';
import type { WriteBatch } from '../../processor/storage/clickhouse-writer.js';
import { DataError } from '../../processor/storage/errors.js';

// Canonical order: timestamp, sc-status, x-edge-request-id, x-host-header.
const layout = layoutOf(['timestamp', 'sc-status', 'x-host-header', 'x-edge-request-id']);
const line = (i: number, status = '200'): string => `1700000000.${String(i).padStart(3, '0')}\t${status}\treq-${i}\td111.cloudfront.net\n`;

function batchOf(payloads: string[]): RawBatch {
  const records = payloads.map((p, i) => ({ data: Buffer.from(p), sequenceNumber: String(100 + i), arrivalMs: 0 }));
  return { stream: 's', shardId: 'shardId-1', firstSequence: '100', lastSequence: String(99 + payloads.length), records };
}

/** An in-memory sink: records what it is asked to write, failing the first write when told to. */
function sink(failFirstWith?: Error): BatchSink & { writes: WriteBatch[] } {
  const writes: WriteBatch[] = [];
  return {
    writes,
    write(batch) {
      writes.push(batch);
      if (failFirstWith && writes.length === 1) return Promise.reject(failFirstWith);
      return Promise.resolve();
    },
  };
}

const options = (target: BatchSink) => ({
  sink: target,
  sourceKind: 'kinesis',
  resolveDistribution: (domain: string | null) => (domain === 'd111.cloudfront.net' ? 'E111' : ''),
  formatOf: () => ({ layout, samplingRate: 10 }),
  now: () => 1_700_000_000_000,
});

describe('BatchProcessor', () => {
  it('writes rows and dead letters of a batch in one write, with the token of its range', async () => {
    const target = sink();
    const processor = new BatchProcessor(options(target));
    await processor.handle(batchOf([line(1), 'garbage\n', line(2, '000')]));
    expect(target.writes).toHaveLength(1);
    const [write] = target.writes;
    expect(write!.token).toBe(batchToken('s', 'shardId-1', '100', '102'));
    expect(write!.layout).toBe(layout);
    expect(write!.rows.map((r) => [r.sequenceNumber, r.enriched.derived.distribution_id, r.enriched.derived.sampling_rate])).toEqual([
      ['100', 'E111', 10],
      ['102', 'E111', 10],
    ]);
    expect(write!.rows[0]!.rawBytes).toBeDefined();
    expect(write!.deadLetters).toMatchObject([{ sequenceNumber: '101', input: 'garbage', reason: 'expected 4 fields, got 1', source: 'kinesis', stream: 's' }]);
    expect(processor.counts()).toEqual({ records: 2, deadLetters: 1, batches: 1 });
  });

  it('keeps every line of a batch ClickHouse refuses as a dead letter, under a token of its own', async () => {
    const target = sink(new DataError('t', 'edgewatch.requests', Object.assign(new Error('Cannot parse input'), { code: 27 })));
    const processor = new BatchProcessor(options(target));
    await processor.handle(batchOf([line(1), line(2)]));
    expect(target.writes).toHaveLength(2);
    const fallback = target.writes[1]!;
    expect(fallback.token).toBe(`${target.writes[0]!.token}:rejected`);
    expect(fallback.rows).toEqual([]);
    expect(fallback.deadLetters.map((d) => d.input)).toEqual([line(1).trimEnd(), line(2).trimEnd()]);
    expect(fallback.deadLetters[0]!.reason).toMatch(/storage rejected the batch/);
    expect(processor.counts()).toEqual({ records: 0, deadLetters: 2, batches: 1 });
  });

  it('passes other storage failures to the source, which retries the same range', async () => {
    const target = sink(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const processor = new BatchProcessor(options(target));
    await expect(processor.handle(batchOf([line(1)]))).rejects.toThrow(/ECONNREFUSED/);
    expect(processor.counts().batches).toBe(0);
  });
});
