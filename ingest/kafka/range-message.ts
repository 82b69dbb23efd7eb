/**
 * A source range (a RawBatch: contiguous records of one Kinesis shard) as one Kafka message, and back.
 *
 * Headers name the range (stream, shard, first and last sequence number), so a consumer derives the
 * insert deduplication token from the range itself, never from the Kafka offset: a range published
 * twice (ingest crashed between the broker's acknowledgement and its checkpoint) gets the same token.
 *
 * Value: per record `u32 data length | u8 sequence-number length | sequence number (ASCII) |
 * f64 arrival epoch ms | data`, records in shard order.
 */
import type { RawBatch, RawRecord } from '../../processor/batch.js';
import type { OutgoingMessage } from './kafka-client.js';

export const RANGE_FORMAT = 'kinesis-range/1';

export const RANGE_HEADERS = {
  format: 'edgewatch-format',
  stream: 'edgewatch-stream',
  shard: 'edgewatch-shard',
  firstSequence: 'edgewatch-first-sequence',
  lastSequence: 'edgewatch-last-sequence',
  records: 'edgewatch-records',
} as const;

/** Bytes a record adds to its data in the message value, at most (sequence numbers are ≤ 128 digits). */
export const MAX_RECORD_OVERHEAD_BYTES = 4 + 1 + 128 + 8;
/** Headers, key and batch framing of one message, generously. */
export const MESSAGE_OVERHEAD_BYTES = 4 * 1024;

/** A message on the raw topic that is not a range this version can read. */
export class RangeMessageError extends Error {
  override readonly name = 'RangeMessageError';
}

export function encodeRangeMessage(batch: RawBatch): OutgoingMessage {
  let size = 0;
  for (const record of batch.records) {
    if (record.sequenceNumber.length > 128) throw new RangeError(`sequence number longer than 128 digits: ${record.sequenceNumber}`);
    size += 4 + 1 + record.sequenceNumber.length + 8 + record.data.byteLength;
  }
  const value = Buffer.allocUnsafe(size);
  let at = 0;
  for (const record of batch.records) {
    at = value.writeUInt32BE(record.data.byteLength, at);
    at = value.writeUInt8(record.sequenceNumber.length, at);
    at += value.write(record.sequenceNumber, at, 'latin1');
    at = value.writeDoubleBE(record.arrivalMs, at);
    value.set(record.data, at);
    at += record.data.byteLength;
  }
  return {
    key: batch.shardId,
    value,
    headers: {
      [RANGE_HEADERS.format]: RANGE_FORMAT,
      [RANGE_HEADERS.stream]: batch.stream,
      [RANGE_HEADERS.shard]: batch.shardId,
      [RANGE_HEADERS.firstSequence]: batch.firstSequence,
      [RANGE_HEADERS.lastSequence]: batch.lastSequence,
      [RANGE_HEADERS.records]: String(batch.records.length),
    },
  };
}

function header(headers: Readonly<Record<string, string>>, name: string): string {
  const value = headers[name];
  if (value === undefined || value === '') throw new RangeMessageError(`header ${name} is missing`);
  return value;
}

/** The range a message carries; throws RangeMessageError when it is not a readable range message. */
export function decodeRangeMessage(headers: Readonly<Record<string, string>>, value: Buffer | null): RawBatch {
  const format = headers[RANGE_HEADERS.format];
  if (format !== RANGE_FORMAT) throw new RangeMessageError(`unknown message format ${JSON.stringify(format ?? null)} (expected ${RANGE_FORMAT})`);
  const stream = header(headers, RANGE_HEADERS.stream);
  const shardId = header(headers, RANGE_HEADERS.shard);
  const firstSequence = header(headers, RANGE_HEADERS.firstSequence);
  const lastSequence = header(headers, RANGE_HEADERS.lastSequence);
  const expected = Number(header(headers, RANGE_HEADERS.records));
  if (value === null) throw new RangeMessageError('message has no value');
  const records: RawRecord[] = [];
  let at = 0;
  while (at < value.length) {
    if (at + 5 > value.length) throw new RangeMessageError(`record ${records.length + 1} is cut short`);
    const length = value.readUInt32BE(at);
    const sequenceLength = value.readUInt8(at + 4);
    at += 5;
    if (at + sequenceLength + 8 + length > value.length) throw new RangeMessageError(`record ${records.length + 1} is cut short`);
    const sequenceNumber = value.toString('latin1', at, at + sequenceLength);
    at += sequenceLength;
    const arrivalMs = value.readDoubleBE(at);
    at += 8;
    records.push({ data: value.subarray(at, at + length), sequenceNumber, arrivalMs });
    at += length;
  }
  if (records.length !== expected) throw new RangeMessageError(`message holds ${records.length} records, its header says ${expected}`);
  if (records[0]?.sequenceNumber !== firstSequence || records[records.length - 1]?.sequenceNumber !== lastSequence) {
    throw new RangeMessageError('the records do not start and end at the sequence numbers in the headers');
  }
  return { stream, shardId, firstSequence, lastSequence, records };
}
