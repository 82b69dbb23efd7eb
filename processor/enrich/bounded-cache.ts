/**
 * A size-capped memo for classifiers on the hot path.
 *
 * Keys come from attacker-controlled log fields, so an unbounded cache would let one
 * viewer grow memory without limit. Two generations approximate LRU in O(1): entries go
 * into `current`; when it holds half the cap, it becomes `previous` and the old
 * `previous` is dropped; a hit in `previous` is promoted back into `current`.
 * (Evicting the oldest Map entry one by one is not O(1) in V8: iterating from the start
 * walks over every deleted slot until the table is rehashed.)
 */
export class BoundedCache<K, V> {
  readonly #generationSize: number;
  #current = new Map<K, V>();
  #previous = new Map<K, V>();

  /** @param maxEntries upper bound on the entries held (both generations together). */
  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 2) {
      throw new RangeError(`BoundedCache maxEntries must be an integer ≥ 2, got ${maxEntries}`);
    }
    this.#generationSize = Math.floor(maxEntries / 2);
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  get(key: K): V | undefined {
    const value = this.#current.get(key);
    if (value !== undefined) return value;
    const old = this.#previous.get(key);
    if (old !== undefined) {
      this.#previous.delete(key);
      this.set(key, old);
    }
    return old;
  }

  set(key: K, value: V): void {
    if (this.#current.size >= this.#generationSize && !this.#current.has(key)) {
      this.#previous = this.#current;
      this.#current = new Map<K, V>();
    }
    this.#current.set(key, value);
  }

  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }
}
