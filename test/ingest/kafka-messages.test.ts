/**
 * Pure parts of scale-out mode: a range as a Kafka message and back, the batch limits that keep a
 * range within one message, the cut log in committed-offset metadata, and dead letters as messages.
 */
import { describe, expect, it } from 'vitest';
import { decodeCut, encodeCut } from '../../ingest/kafka/cut-log.js';
import { DEAD_LETTER_HEADERS, deadLetterMessage } from '../../ingest/kafka/dead-letter-topic.js';
import { rangeLimitsFor } from '../../ingest/kafka/range-publisher.js';
import { decodeRangeMessage, encodeRangeMessage, MESSAGE_OVERHEAD_BYTES, RANGE_HEADERS, RangeMessageError } from '../../ingest/kafka/range-message.js';
import type { RawBatch } from '../../processor/batch.js';

const SEQ = '49680693061020056037440006999074985386408408288302465026';

function batch(records: number, bytes = 40): RawBatch {
  const list = Array.from({ length: records }, (_, i) => ({
    data: Buffer.from(`line ${i}\t${'x'.repeat(bytes)}\n`),
    sequenceNumber: (BigInt(SEQ) + BigInt(i * 7)).toString(),
    arrivalMs: 1_700_000_000_123 + i,
  }));
  return { stream: 'edgewatch-local', shardId: 'shardId-000000000003', firstSequence: list[0]!.sequenceNumber, lastSequence: list.at(-1)!.sequenceNumber, records: list };
}

describe('range messages', () => {
  it('round-trips a range: headers name it, the key is the shard, records keep bytes, order and arrival', () => {
    const original = batch(5);
    const message = encodeRangeMessage(original);
    expect(message.key).toBe('shardId-000000000003');
    expect(message.headers[RANGE_HEADERS.stream]).toBe('edgewatch-local');
    expect(message.headers[RANGE_HEADERS.firstSequence]).toBe(original.firstSequence);
    expect(message.headers[RANGE_HEADERS.lastSequence]).toBe(original.lastSequence);
    const decoded = decodeRangeMessage(message.headers, message.value);
    expect(decoded.stream).toBe(original.stream);
    expect(decoded.shardId).toBe(original.shardId);
    expect(decoded.records.map((r) => [Buffer.from(r.data).toString(), r.sequenceNumber, r.arrivalMs])).toEqual(
      original.records.map((r) => [Buffer.from(r.data).toString(), r.sequenceNumber, r.arrivalMs]),
    );
  });

  it('keeps any bytes, including non-UTF-8 and empty records', () => {
    const odd: RawBatch = {
      ...batch(1),
      records: [
        { data: Buffer.from([0xff, 0x00, 0x0a, 0xc3]), sequenceNumber: '1', arrivalMs: 5 },
        { data: new Uint8Array(0), sequenceNumber: '2', arrivalMs: 6 },
      ],
      firstSequence: '1',
      lastSequence: '2',
    };
    const message = encodeRangeMessage(odd);
    const decoded = decodeRangeMessage(message.headers, message.value);
    expect([...decoded.records[0]!.data]).toEqual([0xff, 0x00, 0x0a, 0xc3]);
    expect(decoded.records[1]!.data.length).toBe(0);
  });

  it('refuses messages that are not whole ranges of this format', () => {
    const message = encodeRangeMessage(batch(3));
    expect(() => decodeRangeMessage({}, message.value)).toThrow(RangeMessageError);
    expect(() => decodeRangeMessage({ ...message.headers, [RANGE_HEADERS.records]: '4' }, message.value)).toThrow(/holds 3 records/);
    expect(() => decodeRangeMessage(message.headers, message.value.subarray(0, message.value.length - 1))).toThrow(/cut short/);
    expect(() => decodeRangeMessage({ ...message.headers, [RANGE_HEADERS.lastSequence]: '1' }, message.value)).toThrow(/do not start and end/);
    expect(() => decodeRangeMessage(message.headers, null)).toThrow(/no value/);
  });

  it('limits ranges so that a full one fits a message, even with the longest sequence numbers', () => {
    const limits = rangeLimitsFor(1024 * 1024, { maxBatchRecords: 20_000, maxBatchBytes: 16 * 1024 * 1024 });
    expect(limits.maxBatchRecords).toBeLessThan(20_000);
    const recordBytes = Math.floor(limits.maxBatchBytes / limits.maxBatchRecords);
    const worst: RawBatch = {
      ...batch(1),
      records: Array.from({ length: limits.maxBatchRecords }, (_, i) => ({
        data: new Uint8Array(recordBytes),
        sequenceNumber: `9${String(i).padStart(127, '0')}`,
        arrivalMs: 0,
      })),
    };
    expect(encodeRangeMessage(worst).value.length + MESSAGE_OVERHEAD_BYTES).toBeLessThanOrEqual(1024 * 1024);
    // Large messages leave the configured batch limits alone where they fit.
    expect(rangeLimitsFor(64 * 1024 * 1024, { maxBatchRecords: 20_000, maxBatchBytes: 16 * 1024 * 1024 })).toEqual({
      maxBatchRecords: 20_000,
      maxBatchBytes: 16 * 1024 * 1024,
    });
    expect(() => rangeLimitsFor(10_000, { maxBatchRecords: 1, maxBatchBytes: 1 })).toThrow(RangeError);
  });
});

describe('cut log', () => {
  it('round-trips a cut and ignores metadata that is not a current cut', () => {
    const metadata = encodeCut({ first: '120', last: '999' });
    expect(decodeCut(metadata, '120')).toEqual({ first: '120', last: '999' });
    expect(decodeCut(metadata, null)).toEqual({ first: '120', last: '999' });
    // Stale: the offset is already past the cut.
    expect(decodeCut(metadata, '1000')).toBeNull();
    expect(decodeCut(null, '5')).toBeNull();
    expect(decodeCut('written by another tool', '5')).toBeNull();
    expect(decodeCut('edgewatch-cut/1:9-3', '1')).toBeNull();
    expect(decodeCut('edgewatch-cut/1:a-3', '1')).toBeNull();
  });
});

describe('dead letters as Kafka messages', () => {
  it('carry the raw line as value and the reason and position in headers', () => {
    const message = deadLetterMessage({
      line: 2,
      reason: 'sc-status: not a number',
      field: 'sc-status',
      input: 'bad\tline ✓',
      source: 'kinesis',
      stream: 'edgewatch-local',
      shardId: 'shardId-000000000001',
      sequenceNumber: SEQ,
      receivedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    expect(message.value.toString('utf8')).toBe('bad\tline ✓');
    expect(message.key).toBe('edgewatch-local/shardId-000000000001');
    expect(message.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: 'sc-status: not a number',
      [DEAD_LETTER_HEADERS.field]: 'sc-status',
      [DEAD_LETTER_HEADERS.sequence]: SEQ,
      [DEAD_LETTER_HEADERS.line]: '2',
      [DEAD_LETTER_HEADERS.receivedAt]: '2026-01-02T03:04:05.000Z',
    });
  });
});
