import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../ingest/kinesis/backoff.js';
import { classifyKinesisError } from '../../ingest/kinesis/kinesis-errors.js';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('message text is never looked at'), { name, ...extra });
}

describe('classifyKinesisError', () => {
  it('classifies by error name, system code and HTTP status', () => {
    expect(classifyKinesisError(named('ProvisionedThroughputExceededException'))).toBe('throttled');
    expect(classifyKinesisError(named('LimitExceededException'))).toBe('throttled');
    expect(classifyKinesisError(named('ExpiredIteratorException'))).toBe('expired-iterator');
    expect(classifyKinesisError(named('ResourceNotFoundException'))).toBe('stream-not-found');
    expect(classifyKinesisError(named('InternalFailureException'))).toBe('transient');
    expect(classifyKinesisError(named('Error', { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyKinesisError(named('TimeoutError'))).toBe('transient');
    expect(classifyKinesisError(named('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe('transient');
    expect(classifyKinesisError(named('AbortError'))).toBe('aborted');
    expect(classifyKinesisError(named('InvalidArgumentException', { $metadata: { httpStatusCode: 400 } }))).toBe('fatal');
    expect(classifyKinesisError(named('AccessDeniedException'))).toBe('fatal');
    expect(classifyKinesisError('not an error')).toBe('fatal');
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially up to the cap, never below half the bound', () => {
    const policy = { baseMs: 2000, maxMs: 20_000 };
    expect(backoffDelayMs(1, policy, () => 0)).toBe(1000);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(2000);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(4000);
    expect(backoffDelayMs(50, policy, () => 1)).toBe(20_000);
  });
});
