import { describe, expect, it } from 'vitest';
import { settleWithin } from '../../cli/settle-within.js';

describe('settleWithin', () => {
  it('says whether the work settled before the deadline, resolved or rejected', async () => {
    expect(await settleWithin(Promise.resolve(1), 1_000)).toBe(true);
    expect(await settleWithin(Promise.reject(new Error('closed twice')), 1_000)).toBe(true);
    expect(await settleWithin(new Promise(() => undefined), 20)).toBe(false);
  });
});
