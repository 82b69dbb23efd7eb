/**
 * Helpers shared by the Kinesis integration tests: temp dirs, a recording logger, direct shard reads.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RawBatch } from '../../processor/batch.js';
import type { SourceLogger } from '../../ingest/kinesis/source-logger.js';

/**
 * Creates a stream and waits until it is ACTIVE: CreateStream returns while the stream is CREATING,
 * and writes to it fail with ResourceNotFoundException until then.
 */
export async function createActiveStream(client: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  await waitFor(`stream ${streamName} ACTIVE`, async () => {
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `edgewatch-${prefix}-`));
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps every entry (set EDGEWATCH_TEST_LOG=1 to print them). */
export function createRecordingLogger(): SourceLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const print = process.env['EDGEWATCH_TEST_LOG'] === '1';
  const at =
    (level: LogEntry['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      entries.push({ level, fields, message });
      if (print) console.log(level, message, fields);
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls `condition` until true; fails with `what` after `timeoutMs` (a liveness bound, not a speed check). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function payloads(from: number, count: number, tag = 'rec'): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`${tag}-${from + i}\n`));
}

export function text(data: Uint8Array): string {
  return Buffer.from(data).toString('utf8');
}

export interface ShardRecord {
  readonly sequenceNumber: string;
  readonly text: string;
}

export async function listShardIds(client: KinesisClient, streamName: string): Promise<string[]> {
  const out = await client.send(new ListShardsCommand({ StreamName: streamName }));
  return (out.Shards ?? []).map((shard) => shard.ShardId ?? '');
}

/** Everything in a shard, in order, read directly (the ground truth the source is compared with). */
export async function readWholeShard(client: KinesisClient, streamName: string, shardId: string): Promise<ShardRecord[]> {
  const out: ShardRecord[] = [];
  const first = await client.send(
    new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  let iterator = first.ShardIterator;
  for (let emptyCalls = 0; iterator !== undefined && emptyCalls < 3; ) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    const records = page.Records ?? [];
    emptyCalls = records.length === 0 ? emptyCalls + 1 : 0;
    for (const record of records) out.push({ sequenceNumber: record.SequenceNumber ?? '', text: text(record.Data ?? new Uint8Array()) });
    iterator = page.NextShardIterator;
  }
  return out;
}

/** Records of the batches in delivery order, per shard. */
export function recordsByShard(batches: readonly RawBatch[]): Map<string, ShardRecord[]> {
  const byShard = new Map<string, ShardRecord[]>();
  for (const batch of batches) {
    const list = byShard.get(batch.shardId) ?? [];
    for (const record of batch.records) list.push({ sequenceNumber: record.sequenceNumber, text: text(record.data) });
    byShard.set(batch.shardId, list);
  }
  return byShard;
}

/** A batch's own range matches its records, which are in strictly increasing order. */
export function batchIsWellFormed(batch: RawBatch): boolean {
  const seqs = batch.records.map((r) => BigInt(r.sequenceNumber));
  return (
    seqs.length > 0 &&
    batch.firstSequence === batch.records[0]?.sequenceNumber &&
    batch.lastSequence === batch.records[batch.records.length - 1]?.sequenceNumber &&
    seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? s))
  );
}

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
