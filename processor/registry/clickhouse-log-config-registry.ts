/**
 * The log configs in the ClickHouse server (table `registry_log_configs`), shared by every role and
 * replica that uses the server. A write reads the table first, so a field change made here keeps
 * the layout another replica stored; the snapshot is re-read by refresh().
 */
import type { ClickHouse } from '../storage/clickhouse.js';
import { ClickHouseRegistryTable, dateTime64 } from './clickhouse-registry-table.js';
import { configForStream, nextLogConfigRecord, type LogConfigRecord, type LogConfigRegistry } from './log-config-registry.js';

const COLUMNS = [
  ['name', 'String'],
  ['version', 'UInt64'],
  ['deleted', 'UInt8'],
  ['record', 'String'],
  ['updated_at', "DateTime64(3, 'UTC')"],
] as const;

export class ClickHouseLogConfigRegistry implements LogConfigRegistry {
  readonly #table: ClickHouseRegistryTable;
  #configs: readonly LogConfigRecord[] = [];
  /** Counts local writes: a refresh that overlaps one is dropped (its read may predate the write). */
  #writes = 0;

  private constructor(ch: ClickHouse) {
    this.#table = new ClickHouseRegistryTable(ch, 'registry_log_configs', COLUMNS);
  }

  /** A registry with its first snapshot read (the table comes from migration 043). */
  static async open(ch: ClickHouse): Promise<ClickHouseLogConfigRegistry> {
    const registry = new ClickHouseLogConfigRegistry(ch);
    await registry.refresh();
    return registry;
  }

  get location(): string {
    return `ClickHouse table ${this.#table.name}`;
  }

  async refresh(): Promise<void> {
    const writes = this.#writes;
    const rows = await this.#table.live<{ name: string; record: string }>(['name', 'record'], 'name');
    if (writes !== this.#writes) return;
    this.#configs = rows.map((row) => parseRecord(row.name, row.record));
  }

  list(): readonly LogConfigRecord[] {
    return this.#configs;
  }

  get(name: string): LogConfigRecord | undefined {
    return this.#configs.find((c) => c.name === name);
  }

  forStream(stream: string): LogConfigRecord | undefined {
    return configForStream(this.#configs, stream);
  }

  async put(config: LogConfigRecord, nowMs: number = Date.now()): Promise<LogConfigRecord> {
    await this.refresh();
    const stored = nextLogConfigRecord(this.get(config.name), config, nowMs);
    await this.#writing(() => this.#table.insert([{ name: stored.name, version: this.#table.nextVersion(), deleted: 0, record: JSON.stringify(stored), updated_at: dateTime64(nowMs) }]));
    this.#configs = [...this.#configs.filter((c) => c.name !== stored.name), stored];
    return stored;
  }

  async remove(name: string): Promise<boolean> {
    await this.refresh();
    if (this.get(name) === undefined) return false;
    await this.#writing(() => this.#table.insert([{ name, version: this.#table.nextVersion(), deleted: 1, record: '', updated_at: dateTime64(Date.now()) }]));
    this.#configs = this.#configs.filter((c) => c.name !== name);
    return true;
  }

  /** A write: a refresh that overlaps it in any way is dropped. */
  async #writing(write: () => Promise<void>): Promise<void> {
    this.#writes++;
    try {
      await write();
    } finally {
      this.#writes++;
    }
  }
}

function parseRecord(name: string, text: string): LogConfigRecord {
  try {
    return JSON.parse(text) as LogConfigRecord;
  } catch (err) {
    throw new Error(`log config ${name} in the registry table is not valid JSON (${(err as Error).message})`, { cause: err });
  }
}
