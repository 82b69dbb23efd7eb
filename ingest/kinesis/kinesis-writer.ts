/**
 * Writes payloads into a Kinesis stream with PutRecords (the edge simulator and `replay` use it).
 */
import { randomUUID } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { RecordSink } from '../source.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { StreamNotFoundError, classifyKinesisError, kinesisErrorName } from './kinesis-errors.js';

export { StreamNotFoundError } from './kinesis-errors.js';

// PutRecords limits: 500 entries and 5 MB per call, 1 MB per entry, partition keys included (reference §6.2).
export const MAX_RECORDS_PER_PUT = 500;
export const MAX_BYTES_PER_PUT = 5 * 1024 * 1024;
export const MAX_BYTES_PER_RECORD = 1024 * 1024;

// Entry-level error codes that a later attempt can clear.
const RETRIABLE_ENTRY_CODES = new Set(['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException']);

export interface KinesisRecordWriterOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Attempts per PutRecords chunk before giving up; default 8. */
  readonly maxAttempts?: number;
  /** Default 100 ms doubling up to 5 s. */
  readonly backoff?: BackoffPolicy;
}

/** PutRecords could not get every record accepted. */
export class KinesisWriteError extends Error {
  override readonly name = 'KinesisWriteError';
  readonly streamName: string;
  readonly attempts: number;
  /** Records of the chunk still not accepted. */
  readonly failedRecords: number;
  /** Error code → count, from the last attempt. */
  readonly errorCodes: Readonly<Record<string, number>>;

  constructor(
    message: string,
    context: { streamName: string; attempts: number; failedRecords: number; errorCodes: Record<string, number> },
    options?: ErrorOptions,
  ) {
    super(`${message} (stream "${context.streamName}", ${context.failedRecords} records, ${context.attempts} attempts)`, options);
    this.streamName = context.streamName;
    this.attempts = context.attempts;
    this.failedRecords = context.failedRecords;
    this.errorCodes = context.errorCodes;
  }
}

export class KinesisRecordWriter implements RecordSink {
  private readonly client: KinesisClient;
  private readonly streamName: string;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;

  constructor(opts: KinesisRecordWriterOptions) {
    this.client = opts.client;
    this.streamName = opts.streamName;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.backoff = opts.backoff ?? { baseMs: 100, maxMs: 5_000 };
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${this.maxAttempts}`);
    }
  }

  async putRecords(payloads: readonly Buffer[]): Promise<void> {
    for (const chunk of this.chunks(payloads)) await this.putChunk(chunk);
  }

  /** Splits into PutRecords-sized chunks, in order. */
  private *chunks(payloads: readonly Buffer[]): Generator<PutRecordsRequestEntry[]> {
    let chunk: PutRecordsRequestEntry[] = [];
    let chunkBytes = 0;
    for (const [index, payload] of payloads.entries()) {
      // CloudFront's partition key is undocumented; a random key spreads records evenly over the shards.
      const partitionKey = randomUUID();
      const size = payload.byteLength + Buffer.byteLength(partitionKey);
      if (size > MAX_BYTES_PER_RECORD) {
        throw new RangeError(`payload ${index} is ${payload.byteLength} bytes; a Kinesis record holds at most ${MAX_BYTES_PER_RECORD} bytes`);
      }
      if (chunk.length === MAX_RECORDS_PER_PUT || chunkBytes + size > MAX_BYTES_PER_PUT) {
        yield chunk;
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push({ Data: payload, PartitionKey: partitionKey });
      chunkBytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  private async putChunk(entries: PutRecordsRequestEntry[]): Promise<void> {
    let pending = entries;
    let errorCodes: Record<string, number> = {};
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: pending }));
        if (!out.FailedRecordCount) return;
        const failed = this.failedEntries(pending, out.Records);
        errorCodes = failed.errorCodes;
        lastError = undefined;
        const permanent = Object.keys(errorCodes).filter((code) => !RETRIABLE_ENTRY_CODES.has(code));
        if (permanent.length > 0) {
          throw new KinesisWriteError(
            `PutRecords rejected records with ${permanent.join(', ')}`,
            this.context(attempt, failed.entries.length, errorCodes),
          );
        }
        pending = failed.entries;
      } catch (err) {
        if (err instanceof KinesisWriteError) throw err;
        const kind = classifyKinesisError(err);
        if (kind === 'stream-not-found') throw new StreamNotFoundError(this.streamName, { cause: err });
        errorCodes = { [kinesisErrorName(err)]: pending.length };
        if (kind !== 'throttled' && kind !== 'transient') {
          throw new KinesisWriteError('PutRecords failed', this.context(attempt, pending.length, errorCodes), { cause: err });
        }
        lastError = err;
      }
      if (attempt >= this.maxAttempts) {
        throw new KinesisWriteError(
          'PutRecords gave up on throttled or failed records',
          this.context(attempt, pending.length, errorCodes),
          lastError === undefined ? undefined : { cause: lastError },
        );
      }
      await sleep(backoffDelayMs(attempt, this.backoff));
    }
  }

  /** The entries whose result carries an error code, in order; all of them if the response is malformed. */
  private failedEntries(
    sent: PutRecordsRequestEntry[],
    results: readonly { ErrorCode?: string | undefined }[] | undefined,
  ): { entries: PutRecordsRequestEntry[]; errorCodes: Record<string, number> } {
    if (results?.length !== sent.length) return { entries: sent, errorCodes: { MalformedResponse: sent.length } };
    const entries: PutRecordsRequestEntry[] = [];
    const errorCodes: Record<string, number> = {};
    results.forEach((result, i) => {
      const entry = sent[i];
      if (result.ErrorCode === undefined || entry === undefined) return;
      entries.push(entry);
      errorCodes[result.ErrorCode] = (errorCodes[result.ErrorCode] ?? 0) + 1;
    });
    return { entries, errorCodes };
  }

  private context(
    attempts: number,
    failedRecords: number,
    errorCodes: Record<string, number>,
  ): { streamName: string; attempts: number; failedRecords: number; errorCodes: Record<string, number> } {
    return { streamName: this.streamName, attempts, failedRecords, errorCodes };
  }
}
