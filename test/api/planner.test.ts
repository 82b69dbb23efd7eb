import { describe, expect, it } from 'vitest';
import { chooseInterval } from '../../api/query/intervals.js';
import { planQuery } from '../../api/query/planner.js';

const M = 60_000;
const H = 3_600_000;
const T = Date.UTC(2026, 10, 1);

describe('planQuery', () => {
  it('cuts a range into raw edges, minute and hour segments that tile it exactly', () => {
    const plan = planQuery({ fromMs: T + 10 * M + 5_000, toMs: T + 5 * H + 3 * M + 1_000, rollupAllowed: true });
    expect(plan.kind).toBe('rollup');
    expect(plan.segments).toEqual([
      { table: 'requests', fromMs: T + 10 * M + 5_000, toMs: T + 11 * M },
      { table: 'requests_1m', fromMs: T + 11 * M, toMs: T + H },
      { table: 'requests_1h', fromMs: T + H, toMs: T + 5 * H },
      { table: 'requests_1m', fromMs: T + 5 * H, toMs: T + 5 * H + 3 * M },
      { table: 'requests', fromMs: T + 5 * H + 3 * M, toMs: T + 5 * H + 3 * M + 1_000 },
    ]);
  });

  it('uses only the hour rollup for an hour-aligned range', () => {
    expect(planQuery({ fromMs: T, toMs: T + 30 * 24 * H, rollupAllowed: true }).segments).toEqual([{ table: 'requests_1h', fromMs: T, toMs: T + 30 * 24 * H }]);
  });

  it('keeps minute buckets off the hour rollup and second buckets off every rollup', () => {
    expect(planQuery({ fromMs: T, toMs: T + 2 * H, rollupAllowed: true, bucketMs: 5 * M }).segments).toEqual([{ table: 'requests_1m', fromMs: T, toMs: T + 2 * H }]);
    expect(planQuery({ fromMs: T, toMs: T + 2 * H, rollupAllowed: true, bucketMs: 10_000 }).kind).toBe('raw');
  });

  it('answers the whole UTC days of a dim plan from the day rollup, hours and minutes around them', () => {
    const from = T - 2 * H - 30 * M - 5_000;
    const to = T + 30 * 24 * H + 3 * H + 7 * M + 1_000;
    const plan = planQuery({ fromMs: from, toMs: to, rollupAllowed: true, dimension: 'country' });
    expect(plan).toEqual({
      kind: 'rollup',
      dimension: 'country',
      segments: [
        { table: 'requests', fromMs: from, toMs: T - 2 * H - 30 * M },
        { table: 'requests_1m_dim', fromMs: T - 2 * H - 30 * M, toMs: T - 2 * H },
        { table: 'requests_1h_dim', fromMs: T - 2 * H, toMs: T },
        { table: 'requests_1d_dim', fromMs: T, toMs: T + 30 * 24 * H },
        { table: 'requests_1h_dim', fromMs: T + 30 * 24 * H, toMs: T + 30 * 24 * H + 3 * H },
        { table: 'requests_1m_dim', fromMs: T + 30 * 24 * H + 3 * H, toMs: T + 30 * 24 * H + 3 * H + 7 * M },
        { table: 'requests', fromMs: T + 30 * 24 * H + 3 * H + 7 * M, toMs: to },
      ],
    });
  });

  it('keeps buckets that are not whole days, and the full rollups, off the day rollup', () => {
    const tables = (bucketMs: number | undefined, dimension: string | undefined): string[] =>
      planQuery({ fromMs: T, toMs: T + 30 * 24 * H, rollupAllowed: true, bucketMs, dimension }).segments.map((s) => s.table);
    expect(tables(3 * H, 'all')).toEqual(['requests_1h_dim']);
    expect(tables(24 * H, 'all')).toEqual(['requests_1d_dim']);
    expect(tables(undefined, undefined)).toEqual(['requests_1h']);
  });

  it('reads hours instead of days where the one-source rule must apply per hour', () => {
    const plan = planQuery({ fromMs: T, toMs: T + 30 * 24 * H, rollupAllowed: true, dimension: 'all', dayRowsAllowed: false });
    expect(plan.segments).toEqual([{ table: 'requests_1h_dim', fromMs: T, toMs: T + 30 * 24 * H }]);
  });

  it('reads raw rows when filters need them or the range holds no whole minute', () => {
    expect(planQuery({ fromMs: T, toMs: T + H, rollupAllowed: false })).toEqual({ kind: 'raw', segments: [{ table: 'requests', fromMs: T, toMs: T + H }] });
    expect(planQuery({ fromMs: T + 1_000, toMs: T + M + 500, rollupAllowed: true }).kind).toBe('raw');
  });
});

describe('chooseInterval', () => {
  it('picks about 240 buckets and refuses too many', () => {
    expect(chooseInterval(H, undefined)).toBe('1m');
    expect(chooseInterval(15 * M, undefined)).toBe('5s');
    expect(chooseInterval(24 * H, undefined)).toBe('15m');
    expect(chooseInterval(30 * 24 * H, undefined)).toBe('3h');
    expect(() => chooseInterval(30 * 24 * H, '1m')).toThrow(/interval/);
  });
});
