import { describe, expect, it } from 'vitest';
import { planLeaseTakes, type LeaseSighting } from '../../../ingest/leases/lease-plan.js';

function leases(owners: readonly (string | null)[], finished: readonly boolean[] = []): LeaseSighting[] {
  return owners.map((owner, i) => ({ shardId: `shard-${String(i).padStart(2, '0')}`, owner, finished: finished[i] ?? false }));
}

function counts(table: readonly LeaseSighting[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const lease of table) if (lease.owner !== null && !lease.finished) out[lease.owner] = (out[lease.owner] ?? 0) + 1;
  return out;
}

/** Applies rounds of every worker in turn until nothing moves; returns the final owners. */
function settle(table: LeaseSighting[], workers: readonly string[], maxSteals: number): LeaseSighting[] {
  let current = table;
  for (let round = 0; round < 50; round++) {
    let moved = false;
    for (const worker of workers) {
      const plan = planLeaseTakes(current, worker, maxSteals);
      const mine = new Set([...plan.take, ...plan.steal.map((s) => s.shardId)]);
      if (mine.size > 0) moved = true;
      current = current.map((lease) => (mine.has(lease.shardId) ? { ...lease, owner: worker } : lease));
    }
    if (!moved) return current;
  }
  throw new Error('lease plan does not settle');
}

describe('planLeaseTakes', () => {
  it('takes every free lease when alone', () => {
    const plan = planLeaseTakes(leases([null, null, null, null]), 'a', 1);
    expect(plan.take).toHaveLength(4);
    expect(plan.steal).toEqual([]);
  });

  it('takes free leases only up to its fair share', () => {
    const plan = planLeaseTakes(leases(['b', 'b', null, null, null, null]), 'a', 1);
    // Two workers (b and a), six leases: a's share is three.
    expect(plan.target).toBe(3);
    expect(plan.take).toHaveLength(3);
  });

  it('ignores finished leases', () => {
    const plan = planLeaseTakes(leases([null, null, null], [true, true, false]), 'a', 1);
    expect(plan.take).toEqual(['shard-02']);
  });

  it('steals from the most loaded worker, at most maxSteals per round', () => {
    const table = leases(['b', 'b', 'b', 'b', 'b', 'b', 'c', 'c']);
    const one = planLeaseTakes(table, 'a', 1);
    expect(one.steal).toHaveLength(1);
    expect(one.steal[0]?.from).toBe('b');
    expect(planLeaseTakes(table, 'a', 5).steal).toHaveLength(3);
  });

  it('does not steal from a worker at its share when one lease would not narrow the spread', () => {
    // 8 leases, 3 workers: share 3; 3/3/2 is balanced.
    expect(planLeaseTakes(leases(['b', 'b', 'b', 'c', 'c', 'c', 'a', 'a']), 'a', 5).steal).toEqual([]);
  });

  it('a worker joining an unbalanced group ends within one lease of the fair share, and the plan then stays still', () => {
    const start = leases(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a']);
    for (const workers of [['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd', 'e']]) {
      const settled = settle(start, workers, 1);
      const share = Math.ceil(8 / workers.length);
      const held = counts(settled);
      expect(Object.keys(held).sort()).toEqual([...workers].sort());
      for (const n of Object.values(held)) expect(n).toBeLessThanOrEqual(share + 1);
      // Settled: nobody wants to move anything any more.
      for (const worker of workers) {
        const plan = planLeaseTakes(settled, worker, 1);
        expect(plan.take.length + plan.steal.length).toBe(0);
      }
    }
  });

  it('treats leases of a dead worker (reported as free) as available and ignores that worker', () => {
    // c died: its leases come in as free. a and b share 8: 4 each.
    const table = leases(['a', 'a', 'a', 'b', 'b', 'b', null, null]);
    const plan = planLeaseTakes(table, 'a', 1);
    expect(plan.target).toBe(4);
    expect(plan.take).toHaveLength(1);
  });
});
