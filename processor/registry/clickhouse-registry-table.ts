/**
 * One registry table in the ClickHouse server (migration 043): rows versioned by `version`, read
 * with FINAL, deletes written as tombstones (`deleted = 1`). Values travel as query parameters
 * (JSONEachRow text in a String parameter with a fixed structure), never in the SQL text.
 */
import type { ClickHouse } from '../storage/clickhouse.js';

export type RegistryRow = Record<string, string | number | readonly string[]>;

export class ClickHouseRegistryTable {
  readonly #ch: ClickHouse;
  readonly #table: string;
  /** `name Type` pairs in column order, `version` and `deleted` included. */
  readonly #columns: readonly (readonly [string, string])[];
  #lastVersion = 0;

  constructor(ch: ClickHouse, table: string, columns: readonly (readonly [string, string])[]) {
    this.#ch = ch;
    this.#table = table;
    this.#columns = columns;
  }

  get name(): string {
    return `${this.#ch.database}.${this.#table}`;
  }

  /** Increasing versions, even for writes within one millisecond; across processes the later clock wins. */
  nextVersion(): number {
    const next = Math.max(Date.now() * 1000, this.#lastVersion + 1);
    this.#lastVersion = next;
    return next;
  }

  async insert(rows: readonly RegistryRow[]): Promise<void> {
    if (rows.length === 0) return;
    const names = this.#columns.map(([name]) => name).join(', ');
    const structure = this.#columns.map(([name, type]) => `${name} ${type}`).join(', ');
    await this.#ch.command(`INSERT INTO ${this.name} (${names}) SELECT ${names} FROM format(JSONEachRow, {structure:String}, {data:String})`, {
      structure,
      data: rows.map((row) => JSON.stringify(row)).join('\n'),
    });
  }

  /** The latest version of every key that is not deleted. */
  live<T>(columns: readonly string[], orderBy: string): Promise<T[]> {
    return this.#ch.query<T>(`SELECT ${columns.join(', ')} FROM ${this.name} FINAL WHERE deleted = 0 ORDER BY ${orderBy}`);
  }
}

/** ClickHouse's DateTime64 text for epoch ms (UTC). */
export function dateTime64(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
