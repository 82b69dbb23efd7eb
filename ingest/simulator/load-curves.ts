/**
 * How load changes with time: the diurnal curve (each country follows its own local day, so the
 * global curve and the country mix both move with the UTC hour) and the live event's audience,
 * which surges and falls over cycles of 20–30 minutes.
 */
import { VIEWER_COUNTRIES, type Country } from './geography.js';
import { WeightedTable, mixSeed } from './random.js';

/** Relative activity by local hour 0–23: night trough, lunchtime plateau, evening peak. */
const LOCAL_HOUR_ACTIVITY = [
  0.55, 0.4, 0.3, 0.25, 0.22, 0.25, 0.35, 0.55, 0.75, 0.85, 0.9, 0.95, 1.0, 0.98, 0.95, 0.95, 1.0, 1.1, 1.25, 1.4,
  1.5, 1.45, 1.2, 0.85,
];

const BUCKET_MS = 15 * 60_000;
const BUCKETS_PER_DAY = 96;
const DAY_MS = 86_400_000;

function localActivity(utcHourFloat: number, offsetHours: number): number {
  const local = (((utcHourFloat + offsetHours) % 24) + 24) % 24;
  const h = Math.floor(local);
  const frac = local - h;
  const a = LOCAL_HOUR_ACTIVITY[h] ?? 1;
  const b = LOCAL_HOUR_ACTIVITY[(h + 1) % 24] ?? 1;
  return a + (b - a) * frac;
}

interface Bucket {
  /** Global load at the bucket's start, relative to the daily mean (mean = 1). */
  readonly factor: number;
  /** Countries weighted by their share of viewers at that time. */
  readonly countries: WeightedTable<Country>;
}

const BUCKETS: readonly Bucket[] = (() => {
  const raw: Array<{ total: number; countries: WeightedTable<Country> }> = [];
  for (let i = 0; i < BUCKETS_PER_DAY; i++) {
    const utcHour = (i * BUCKET_MS) / 3_600_000;
    const entries = VIEWER_COUNTRIES.map((c) => [c, c.weight * localActivity(utcHour, c.utcOffsetHours)] as const);
    raw.push({ total: entries.reduce((s, [, w]) => s + w, 0), countries: new WeightedTable(entries) });
  }
  const mean = raw.reduce((s, b) => s + b.total, 0) / raw.length;
  return raw.map((b) => ({ factor: b.total / mean, countries: b.countries }));
})();

function bucketIndex(nowMs: number): number {
  return Math.floor((((nowMs % DAY_MS) + DAY_MS) % DAY_MS) / BUCKET_MS);
}

/** Global load multiplier at `nowMs` (daily mean 1, roughly 0.6 at the trough to 1.3 at the peak). */
export function diurnalFactor(nowMs: number): number {
  const i = bucketIndex(nowMs);
  const frac = ((((nowMs % BUCKET_MS) + BUCKET_MS) % BUCKET_MS) / BUCKET_MS);
  const a = BUCKETS[i]?.factor ?? 1;
  const b = BUCKETS[(i + 1) % BUCKETS_PER_DAY]?.factor ?? 1;
  return a + (b - a) * frac;
}

/** Viewer countries weighted for the time of day at `nowMs`. */
export function countriesAt(nowMs: number): WeightedTable<Country> {
  const bucket = BUCKETS[bucketIndex(nowMs)] ?? BUCKETS[0];
  if (!bucket) throw new Error('no diurnal buckets');
  return bucket.countries;
}

/**
 * The live event's audience in [0.08, 1]: each cycle (20–30 min, fixed by the seed) rises from a
 * small base to a peak of 70–100 % (varying per cycle) and falls back.
 */
export class LiveAudience {
  readonly periodMs: number;
  private readonly originMs: number;

  constructor(
    private readonly seed: number,
    startMs: number,
  ) {
    this.periodMs = (20 + (mixSeed(seed, 0x11fe) % 11)) * 60_000;
    // Start a little after a trough so a fresh simulator shows the audience arriving.
    this.originMs = startMs - this.periodMs * 0.08;
  }

  at(nowMs: number): number {
    const cycles = (nowMs - this.originMs) / this.periodMs;
    const cycle = Math.floor(cycles);
    const phase = cycles - cycle;
    const peak = 0.7 + (mixSeed(this.seed, 0x11ff, cycle) % 1000) / 3333;
    const s = Math.sin(Math.PI * phase);
    return 0.08 + (peak - 0.08) * s * s;
  }
}

/** Mean of `LiveAudience.at` over a cycle (for normalising the load factor). */
export const LIVE_AUDIENCE_MEAN = 0.08 + (0.85 - 0.08) * 0.5;
