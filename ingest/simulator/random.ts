/**
 * Seeded randomness for the traffic model: a small fast PRNG plus weighted and Zipf tables.
 *
 * Everything the simulator produces is a function of its seed and the clock it is given, so a test
 * run, a benchmark and a demo with the same seed see the same traffic.
 */

/** Mixes numbers into a 32-bit seed (murmur3 finaliser per word); used to derive independent streams. */
export function mixSeed(...words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    // Split into two 32-bit halves so epoch milliseconds (> 2^32) are mixed in full.
    const lo = word >>> 0;
    const hi = Math.floor(word / 0x1_0000_0000) >>> 0;
    for (const part of [lo, hi]) {
      let k = Math.imul(part, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: 128-bit state, passes PractRand far beyond what a simulator needs, and is very fast. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mixSeed(seed, 1);
    this.b = mixSeed(seed, 2);
    this.c = mixSeed(seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max] inclusive. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Float in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Standard normal (Box–Muller; one value per call keeps the stream simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Lowercase hex string of `length` characters. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** RFC 4122 version-4 UUID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** Picks items with fixed relative weights in O(log n). */
export class WeightedTable<T> {
  private readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const kept = entries.filter(([, w]) => w > 0);
    if (kept.length === 0) throw new Error('a weighted table needs at least one positive weight');
    this.items = kept.map(([item]) => item);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, w], i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  get size(): number {
    return this.items.length;
  }

  pick(rng: Rng): T {
    return this.at(this.indexFor(rng.next() * this.total));
  }

  /** Index of the item picked, for callers that keep parallel data. */
  pickIndex(rng: Rng): number {
    return this.indexFor(rng.next() * this.total);
  }

  at(index: number): T {
    const item = this.items[index];
    if (item === undefined) throw new Error(`weighted table index ${index} out of range`);
    return item;
  }

  private indexFor(target: number): number {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Zipf(s) over ranks 0..n-1: rank 0 is the most popular. */
export function zipfTable<T>(items: readonly T[], exponent: number): WeightedTable<T> {
  return new WeightedTable(items.map((item, rank) => [item, 1 / Math.pow(rank + 1, exponent)] as const));
}

/** Shorthand for a table from a `{ value: weight }` record. */
export function weightsOf<K extends string>(weights: Readonly<Record<K, number>>): WeightedTable<K> {
  return new WeightedTable(Object.entries(weights) as Array<[K, number]>);
}
