import { describe, expect, it } from 'vitest';
import { ClickHouseError } from '@clickhouse/client';
import { batchToken } from '../../processor/storage/batch-token.js';
import { BoundedQueue } from '../../processor/storage/bounded-queue.js';
import { ClickHouseTimeoutError, QueueFullError, classifyError, clickHouseCodeOf } from '../../processor/storage/errors.js';

const chError = (code: number, type: string): ClickHouseError => new ClickHouseError({ message: `${type} happened`, code: String(code), type });

describe('classifyError', () => {
  it('reads the code of ClickHouseError and of chdb raw-insert errors', () => {
    expect(clickHouseCodeOf(chError(252, 'TOO_MANY_PARTS'))).toBe(252);
    expect(clickHouseCodeOf(Object.assign(new Error('Code: 41. …'), { code: 'CHDB_INSERT', clickhouseCode: 41 }))).toBe(41);
    expect(clickHouseCodeOf(new Error('wrapper', { cause: chError(241, 'MEMORY_LIMIT_EXCEEDED') }))).toBe(241);
    expect(clickHouseCodeOf(new Error('plain'))).toBeUndefined();
  });

  it('retries overload, timeouts and network failures', () => {
    expect(classifyError(chError(252, 'TOO_MANY_PARTS'))).toBe('retriable');
    expect(classifyError(chError(159, 'TIMEOUT_EXCEEDED'))).toBe('retriable');
    expect(classifyError(chError(241, 'MEMORY_LIMIT_EXCEEDED'))).toBe('retriable');
    expect(classifyError(chError(242, 'TABLE_IS_READ_ONLY'))).toBe('retriable');
    expect(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('retriable');
    expect(classifyError(new ClickHouseTimeoutError(1000))).toBe('retriable');
    expect(classifyError(new QueueFullError(10))).toBe('retriable');
  });

  it('never retries data errors', () => {
    expect(classifyError(chError(27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'))).toBe('data');
    expect(classifyError(chError(6, 'CANNOT_PARSE_TEXT'))).toBe('data');
    expect(classifyError(chError(53, 'TYPE_MISMATCH'))).toBe('data');
    expect(classifyError(Object.assign(new Error('x'), { clickhouseCode: 41 }))).toBe('data');
  });

  it('leaves schema problems and code-less errors unknown, whatever their message says', () => {
    expect(classifyError(chError(60, 'UNKNOWN_TABLE'))).toBe('unknown');
    expect(classifyError(new Error('Timeout error. ECONNRESET TOO_MANY_PARTS'))).toBe('unknown');
  });
});

describe('batchToken', () => {
  it('is a stable sha256 of the source range', () => {
    const token = batchToken('logs', 'shardId-000000000001', '100', '200');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(batchToken('logs', 'shardId-000000000001', '100', '200')).toBe(token);
    expect(batchToken('logs', 'shardId-000000000001', '100', '201')).not.toBe(token);
  });

  it('keeps the parts apart', () => {
    expect(batchToken('a|b', 'c', '1', '2')).not.toBe(batchToken('a', 'b|c', '1', '2'));
  });
});

describe('BoundedQueue', () => {
  it('runs at most `concurrency` tasks, first in first out, and measures the wait', async () => {
    const queue = new BoundedQueue(1);
    const order: number[] = [];
    let release: () => void = () => {};
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => order.push(1)));
    const second = queue.run(() => Promise.resolve(order.push(2)));
    const third = queue.run(() => Promise.resolve(order.push(3)));
    expect(queue.stats()).toMatchObject({ running: 1, queued: 2 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all([first, second, third]);
    expect(order).toEqual([1, 2, 3]);
    const stats = queue.stats();
    expect(stats).toMatchObject({ running: 0, queued: 0, completed: 3 });
    expect(stats.waitMsTotal).toBeGreaterThan(0);
  });

  it('rejects beyond maxQueued with QueueFullError and keeps going after a failed task', async () => {
    const queue = new BoundedQueue(1, 1);
    let release: () => void = () => {};
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const second = queue.run(() => Promise.reject(new Error('boom')));
    await expect(queue.run(() => Promise.resolve(3))).rejects.toBeInstanceOf(QueueFullError);
    release();
    await first;
    await expect(second).rejects.toThrow('boom');
    await expect(queue.run(() => Promise.resolve(4))).resolves.toBe(4);
    expect(queue.stats().rejected).toBe(1);
    await queue.onIdle();
  });
});
