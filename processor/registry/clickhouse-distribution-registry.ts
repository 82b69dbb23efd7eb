/**
 * The distributions in the ClickHouse server (table `registry_distributions`), shared by every role
 * and replica that uses the server; records are attributed from the in-memory snapshot, which
 * refresh() re-reads.
 */
import type { ClickHouse } from '../storage/clickhouse.js';
import { ClickHouseRegistryTable, dateTime64, type RegistryRow } from './clickhouse-registry-table.js';
import { DistributionSnapshot, type DistributionRecord, type DistributionRegistry } from './distribution-registry.js';

const COLUMNS = [
  ['distribution_id', 'String'],
  ['version', 'UInt64'],
  ['deleted', 'UInt8'],
  ['domain_name', 'String'],
  ['aliases', 'Array(String)'],
  ['comment', 'String'],
  ['updated_at', "DateTime64(3, 'UTC')"],
] as const;

interface Row {
  readonly distribution_id: string;
  readonly domain_name: string;
  readonly aliases: readonly string[];
  readonly comment: string;
}

export class ClickHouseDistributionRegistry implements DistributionRegistry {
  readonly #table: ClickHouseRegistryTable;
  readonly #snapshot = new DistributionSnapshot();
  /** Counts local writes: a refresh that overlaps one is dropped (its read may predate the write). */
  #writes = 0;

  private constructor(ch: ClickHouse) {
    this.#table = new ClickHouseRegistryTable(ch, 'registry_distributions', COLUMNS);
  }

  /** A registry with its first snapshot read (the table comes from migration 043). */
  static async open(ch: ClickHouse): Promise<ClickHouseDistributionRegistry> {
    const registry = new ClickHouseDistributionRegistry(ch);
    await registry.refresh();
    return registry;
  }

  get location(): string {
    return `ClickHouse table ${this.#table.name}`;
  }

  async refresh(): Promise<void> {
    const writes = this.#writes;
    const rows = await this.#table.live<Row>(['distribution_id', 'domain_name', 'aliases', 'comment'], 'distribution_id');
    if (writes !== this.#writes) return;
    this.#snapshot.set(rows.map((r) => ({ id: r.distribution_id, domainName: r.domain_name, aliases: [...r.aliases], comment: r.comment })));
  }

  list(): readonly DistributionRecord[] {
    return this.#snapshot.list();
  }

  get(id: string): DistributionRecord | undefined {
    return this.#snapshot.get(id);
  }

  get resolveDomain(): (domain: string | null) => string {
    return this.#snapshot.resolveDomain;
  }

  async put(distribution: DistributionRecord): Promise<void> {
    await this.#write([distribution], false);
    this.#snapshot.set([...this.list().filter((d) => d.id !== distribution.id), distribution]);
  }

  async addMissing(distributions: readonly DistributionRecord[]): Promise<number> {
    await this.refresh();
    const known = new Set(this.list().map((d) => d.id));
    const fresh = distributions.filter((d) => !known.has(d.id));
    if (fresh.length === 0) return 0;
    await this.#write(fresh, false);
    this.#snapshot.set([...this.list(), ...fresh]);
    return fresh.length;
  }

  async remove(id: string): Promise<boolean> {
    await this.refresh();
    const current = this.get(id);
    if (current === undefined) return false;
    await this.#write([current], true);
    this.#snapshot.set(this.list().filter((d) => d.id !== id));
    return true;
  }

  async #write(distributions: readonly DistributionRecord[], deleted: boolean): Promise<void> {
    const now = dateTime64(Date.now());
    const rows: RegistryRow[] = distributions.map((d) => ({
      distribution_id: d.id,
      version: this.#table.nextVersion(),
      deleted: deleted ? 1 : 0,
      domain_name: d.domainName,
      aliases: d.aliases,
      comment: d.comment,
      updated_at: now,
    }));
    // A refresh that overlaps the write in any way is dropped.
    this.#writes++;
    try {
      await this.#table.insert(rows);
    } finally {
      this.#writes++;
    }
  }
}
