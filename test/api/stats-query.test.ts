/**
 * A stats statement reads each table once: the plan's segments of one table (minutes before and
 * after the hours, partial minutes at both ends) are one SELECT over their ranges, with every
 * range's parameters. That the answers equal raw rows' is pinned in stats-queries.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { planQuery } from '../../api/query/planner.js';
import { SUM_MEASURES } from '../../api/query/measures.js';
import { buildStatsQuery, timeBucketKey, type GroupKey } from '../../api/query/stats-query.js';

const HOUR = 3_600_000;
const FROM = Date.UTC(2026, 10, 1, 0, 30, 17);
const TO = Date.UTC(2026, 10, 1, 4, 0, 31, 500) + 5 * 60_000;

describe('stats statement', () => {
  it('reads each table of a plan once, over all of its segments', () => {
    const plan = planQuery({ fromMs: FROM, toMs: TO, rollupAllowed: true });
    expect(plan.segments.map((s) => s.table)).toEqual(['requests', 'requests_1m', 'requests_1h', 'requests_1m', 'requests']);
    const { sql } = buildStatsQuery({ database: 'edgewatch', plan, filters: { fromMs: FROM, toMs: TO, distributions: [] }, keys: [], digests: ['ttfb'], standardHoursInRange: false });
    const reads = (table: string) => sql.split('\n').filter((line) => line === `FROM edgewatch.${table}`).length;
    expect([reads('requests'), reads('requests_1m'), reads('requests_1h')]).toEqual([1, 1, 1]);
    expect(sql.match(/UNION ALL/g)).toHaveLength(2);
    // Every segment's range is a condition of its table's read.
    for (let i = 0; i < plan.segments.length; i++) {
      expect(sql).toContain(`{s${i}_from:`);
      expect(sql).toContain(`{s${i}_to:`);
    }
    expect(plan.segments[2]!.toMs - plan.segments[2]!.fromMs).toBe(3 * HOUR);
  });

  it('applies the per-hour source rule only when standard logs cover an hour of the range', () => {
    const plan = planQuery({ fromMs: FROM, toMs: TO, rollupAllowed: true });
    const filters = { fromMs: FROM, toMs: TO, distributions: [] };
    const none = buildStatsQuery({ database: 'edgewatch', plan, filters, keys: [], digests: [], standardHoursInRange: false }).sql;
    expect(none).not.toContain('standard_hours');
    expect(none.match(/source != 'standard'/g)).toHaveLength(3);
    const some = buildStatsQuery({ database: 'edgewatch', plan, filters, keys: [], digests: [], standardHoursInRange: true }).sql;
    expect(some.match(/GLOBAL NOT IN \(SELECT distribution_id, hour FROM edgewatch\.standard_hours\)/g)).toHaveLength(3);
    // A request that names its sources gets exactly those, either way.
    const named = buildStatsQuery({ database: 'edgewatch', plan, filters: { ...filters, source: ['standard'] }, keys: [], digests: [], standardHoursInRange: true }).sql;
    expect(named).not.toMatch(/standard_hours|source != /);
  });

  it('carries the standard-hours lookup as one column of the outer query when asked to probe', () => {
    const plan = planQuery({ fromMs: FROM, toMs: TO, rollupAllowed: true });
    const filters = { fromMs: FROM, toMs: TO, distributions: ['E1'] };
    const probing = buildStatsQuery({ database: 'edgewatch', plan, filters, keys: [], digests: [], standardHoursInRange: false, probeStandardHours: true });
    expect(probing.sql.match(/ AS p_standard_hours/g)).toHaveLength(1);
    expect(probing.sql).toContain('(SELECT count() FROM edgewatch.standard_hours WHERE ');
    expect(probing.params).toMatchObject({ sh_from: FROM, sh_to: TO, sh_distributions: ['E1'] });
    // Not when the request names its sources: the rule does not apply.
    const named = buildStatsQuery({ database: 'edgewatch', plan, filters: { ...filters, source: ['realtime'] }, keys: [], digests: [], standardHoursInRange: false, probeStandardHours: true });
    expect(named.sql).not.toContain('p_standard_hours');
  });

  it('sums the measures as one array, except where raw rows are grouped by a key', () => {
    const plan = planQuery({ fromMs: FROM, toMs: TO, rollupAllowed: true });
    const rawPlan = planQuery({ fromMs: FROM, toMs: TO, rollupAllowed: false });
    const filters = { fromMs: FROM, toMs: TO, distributions: [] };
    const uri: GroupKey = { alias: 'v', rollup: null, raw: 'uri_path' };
    const build = (p: typeof plan, keys: GroupKey[]) => buildStatsQuery({ database: 'edgewatch', plan: p, filters, keys, digests: [], standardHoursInRange: false }).sql;
    const rollupOnly = planQuery({ fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 10, 2), rollupAllowed: true });
    expect(rollupOnly.segments.every((s) => s.table !== 'requests')).toBe(true);
    // Packed: every segment yields one array, the outer query one sumForEach, still named m_<measure>.
    for (const sql of [build(plan, []), build(rawPlan, []), build(rollupOnly, [timeBucketKey(3600)])]) {
      expect(sql.match(/\] AS m_packed/g)).toHaveLength((sql.match(/UNION ALL/g)?.length ?? 0) + 1);
      expect(sql).not.toMatch(/\bsum\(m_/);
      SUM_MEASURES.forEach((m, i) => expect(sql).toContain(`sumForEach(m_packed)[${i + 1}] AS m_${m.name}`));
    }
    // Raw rows grouped by a key (one row per URI): a column and a sum per measure.
    for (const sql of [build(rawPlan, [uri]), build(plan, [timeBucketKey(60)])]) {
      expect(sql).not.toContain('m_packed');
      for (const m of SUM_MEASURES) expect(sql).toContain(`sum(m_${m.name}) AS m_${m.name}`);
    }
  });
});
