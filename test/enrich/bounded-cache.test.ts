import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../processor/enrich/bounded-cache.js';

describe('BoundedCache', () => {
  it('never holds more than its cap', () => {
    const cache = new BoundedCache<number, number>(10);
    for (let i = 0; i < 1_000; i++) {
      cache.set(i, i * 2);
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    expect(cache.get(999)).toBe(1998);
    expect(cache.get(0)).toBeUndefined();
  });

  it('keeps entries that are read while newer ones arrive', () => {
    const cache = new BoundedCache<string, number>(4);
    cache.set('hot', 1);
    for (let i = 0; i < 100; i++) {
      cache.set(`cold-${i}`, i);
      expect(cache.get('hot')).toBe(1);
    }
  });

  it('overwrites an existing key in place', () => {
    const cache = new BoundedCache<string, number>(4);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('rejects a cap below 2', () => {
    expect(() => new BoundedCache(1)).toThrow(RangeError);
    expect(() => new BoundedCache(2.5)).toThrow(RangeError);
  });
});
