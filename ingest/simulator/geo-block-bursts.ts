/**
 * When geo-blocked request bursts happen: the first starts 20–110 s after the simulator starts (so a
 * demo shows the geo-block alert within two minutes), each lasts 30–90 s, and the next one starts 5–10
 * minutes after the previous one started. The schedule depends only on the seed and the start time,
 * never on how many lines were generated, so tests can predict it.
 */
import { GEO_BLOCKED_COUNTRIES, type Country } from './geography.js';
import { Rng, WeightedTable, mixSeed } from './random.js';

export interface GeoBlockBurst {
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Countries the burst comes from (one to three of the blocked countries). */
  readonly countries: WeightedTable<Country>;
  readonly countryCodes: readonly string[];
  /** Which distribution (index into the generator's list) the burst targets. */
  readonly distributionIndex: number;
  /** Extra load during the burst, as a fraction of the normal request rate (0.08–0.3). */
  readonly intensity: number;
}

export const FIRST_BURST_WINDOW_MS: readonly [number, number] = [20_000, 110_000];
export const BURST_GAP_MS: readonly [number, number] = [300_000, 600_000];
export const BURST_DURATION_MS: readonly [number, number] = [30_000, 90_000];

export class GeoBlockSchedule {
  private readonly rng: Rng;
  private readonly bursts: GeoBlockBurst[] = [];

  constructor(
    seed: number,
    private readonly startMs: number,
    /** Distribution indexes bursts may target, with weights. */
    private readonly targets: WeightedTable<number>,
  ) {
    this.rng = new Rng(mixSeed(seed, 0x6e0b, startMs));
  }

  /** The burst active at `nowMs`, if any. */
  burstAt(nowMs: number): GeoBlockBurst | null {
    if (nowMs < this.startMs) return null;
    this.extendTo(nowMs);
    // Bursts never overlap (gap ≥ 5 min > duration), so the last one started is the only candidate.
    for (let i = this.bursts.length - 1; i >= 0; i--) {
      const b = this.bursts[i];
      if (b === undefined || b.startMs > nowMs) continue;
      return nowMs < b.endMs ? b : null;
    }
    return null;
  }

  /** Every burst that starts before `untilMs`. */
  burstsUntil(untilMs: number): readonly GeoBlockBurst[] {
    this.extendTo(untilMs);
    return this.bursts.filter((b) => b.startMs < untilMs);
  }

  private extendTo(nowMs: number): void {
    for (;;) {
      const last = this.bursts[this.bursts.length - 1];
      if (last && last.startMs > nowMs) return;
      const startMs = last
        ? last.startMs + this.rng.between(BURST_GAP_MS[0], BURST_GAP_MS[1])
        : this.startMs + this.rng.between(FIRST_BURST_WINDOW_MS[0], FIRST_BURST_WINDOW_MS[1]);
      const durationMs = this.rng.between(BURST_DURATION_MS[0], BURST_DURATION_MS[1]);
      const howMany = this.rng.between(1, 3);
      const chosen: Country[] = [];
      const pool = [...GEO_BLOCKED_COUNTRIES];
      while (chosen.length < howMany && pool.length > 0) {
        const [c] = pool.splice(this.rng.int(pool.length), 1);
        if (c) chosen.push(c);
      }
      this.bursts.push({
        index: this.bursts.length,
        startMs,
        endMs: startMs + durationMs,
        countries: new WeightedTable(chosen.map((c) => [c, c.weight] as const)),
        countryCodes: chosen.map((c) => c.code),
        distributionIndex: this.targets.pick(this.rng),
        intensity: this.rng.uniform(0.08, 0.3),
      });
    }
  }
}
