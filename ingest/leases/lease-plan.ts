/**
 * Which leases a worker should take in one round, as a pure function of the table as it saw it:
 * free and expired leases first, then (balancing) leases stolen from the most loaded worker, until it
 * holds its fair share ceil(leases / workers). Workers are counted from the owners of live leases,
 * so a dead worker stops counting once its leases expire and a new one counts once it holds a lease.
 */

export interface LeaseSighting {
  readonly shardId: string;
  /** Owner as it counts now: null when the lease is free or its owner stopped renewing it. */
  readonly owner: string | null;
  readonly finished: boolean;
}

export interface LeasePlan {
  /** Free or expired leases to take, in the order given. */
  readonly take: readonly string[];
  /** Leases to take from live workers, each with the owner it is taken from. */
  readonly steal: readonly { readonly shardId: string; readonly from: string }[];
  /** Fair share of this worker in the table as seen. */
  readonly target: number;
}

export function planLeaseTakes(leases: readonly LeaseSighting[], workerId: string, maxStealsPerRound: number): LeasePlan {
  const active = leases.filter((lease) => !lease.finished);
  const byOwner = new Map<string, string[]>([[workerId, []]]);
  for (const lease of active) {
    if (lease.owner === null) continue;
    const held = byOwner.get(lease.owner) ?? [];
    held.push(lease.shardId);
    byOwner.set(lease.owner, held);
  }
  const target = Math.ceil(active.length / byOwner.size);
  const mine = byOwner.get(workerId)?.length ?? 0;
  let needed = target - mine;
  const take: string[] = [];
  const steal: { shardId: string; from: string }[] = [];
  for (const lease of active) {
    if (needed <= 0) break;
    if (lease.owner !== null) continue;
    take.push(lease.shardId);
    needed--;
  }
  while (needed > 0 && steal.length < maxStealsPerRound) {
    let victim: string | null = null;
    let victimCount = 0;
    for (const [owner, held] of byOwner) {
      if (owner === workerId) continue;
      if (held.length > victimCount || (held.length === victimCount && victim !== null && owner < victim)) {
        victim = owner;
        victimCount = held.length;
      }
    }
    // Above its share, or at its share while this worker is two or more below: moving one lease
    // always narrows the spread, so two workers never hand the same lease back and forth.
    if (victim === null || !(victimCount > target || (victimCount === target && needed >= 2))) break;
    const shardId = byOwner.get(victim)?.pop();
    if (shardId === undefined) break;
    steal.push({ shardId, from: victim });
    needed--;
  }
  return { take, steal, target };
}
