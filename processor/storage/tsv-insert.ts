/**
 * How a TabSeparated payload gets into a table, fast.
 *
 * Embedded, two measured costs shape this (chdb 3.4 / ClickHouse 26, 50k rows × 96 columns):
 * - data sent inline after the INSERT statement (chdb's rawInsert, or client.insert) is read
 *   ~10× slower than a file, which the engine parses in parallel;
 * - parsing text straight into LowCardinality columns costs ~1 µs per cell (a dictionary insert
 *   per value); parsing plain types and letting INSERT … SELECT convert whole columns is faster.
 * So the payload is written to a spool file and read with file() through a structure with the
 * LowCardinality wrappers removed: 17k → 70k rows/s into `requests` with its rollup views.
 *
 * A server gets the payload as the request body and the statement in the URL: a plain
 * `INSERT INTO t (columns) FORMAT TabSeparated`, or `INSERT … SELECT … FROM input(structure)
 * FORMAT TabSeparated` when the payload has another shape than the table (raw request rows).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';

/** What an INSERT of one payload needs to know about its target. */
export interface InsertTarget {
  /** `database.table`, already validated. */
  readonly table: string;
  /** Column names in payload order. */
  readonly columns: readonly string[];
  /** `name Type, …` of the payload, LowCardinality wrappers removed. */
  readonly structure: string;
  /**
   * Expressions computing `columns` from the payload's columns (named as in `structure`), when the
   * payload is not already in the table's shape; `*` otherwise.
   */
  readonly select?: string;
}

export type InsertSettings = Readonly<Record<string, string | number>>;

export type TsvInserter = (target: InsertTarget, payload: Buffer, settings: InsertSettings, signal: AbortSignal) => Promise<void>;

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

/** A ClickHouse string literal. */
export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const SETTING_NAME = /^[a-z_][a-z0-9_]*$/;

/** `k = v, …` for a SETTINGS clause; names are checked, values quoted or written as numbers. */
export function settingsClause(settings: InsertSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!SETTING_NAME.test(name)) throw new Error(`invalid ClickHouse setting name ${JSON.stringify(name)}`);
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new Error(`setting ${name} must be finite, got ${value}`);
        return `${name} = ${value}`;
      }
      return `${name} = ${quoteString(value)}`;
    })
    .join(', ');
}

/**
 * The insert target for `columns` of a table (all insertable columns when omitted), from the
 * table's columns as system.columns lists them.
 */
export function insertTarget(table: string, tableColumns: readonly ColumnInfo[], columns?: readonly string[]): InsertTarget {
  const typeOf = new Map(tableColumns.map((c) => [c.name, c.type]));
  const names = columns && columns.length > 0 ? columns : tableColumns.map((c) => c.name);
  const structure = names.map((name) => {
    const type = typeOf.get(name);
    if (type === undefined) throw new Error(`table ${table} has no column ${JSON.stringify(name)}`);
    return `${name} ${type.replace(/^LowCardinality\((.*)\)$/, '$1')}`;
  });
  return { table, columns: names, structure: structure.join(', ') };
}

function insertPrefix(target: InsertTarget): string {
  return `INSERT INTO ${target.table} (${target.columns.join(', ')})`;
}

/**
 * Embedded: payload → spool file → `INSERT … SETTINGS … SELECT * FROM file()`. Settings go in the
 * statement's SETTINGS clause, because a chdb session keeps `SET` values for later statements.
 */
export function spoolFileInserter(client: ClickHouseClient, spoolDir: string): TsvInserter {
  fs.mkdirSync(spoolDir, { recursive: true });
  // Files left by a crash: one process owns an embedded data dir, so none of them is in use.
  for (const name of fs.readdirSync(spoolDir)) {
    if (name.startsWith('insert-') && name.endsWith('.tsv')) fs.rmSync(path.join(spoolDir, name), { force: true });
  }
  let sequence = 0;
  return async (target, payload, settings, signal) => {
    const file = path.join(spoolDir, `insert-${process.pid}-${++sequence}.tsv`);
    await fs.promises.writeFile(file, payload);
    try {
      const clause = settingsClause(settings);
      await client.command({
        query: `${insertPrefix(target)}${clause ? ` SETTINGS ${clause}` : ''} SELECT ${target.select ?? '*'} FROM file(${quoteString(file)}, TabSeparated, ${quoteString(target.structure)})`,
        abort_signal: signal,
      });
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  };
}

/**
 * Server: `INSERT INTO t (columns) FORMAT TabSeparated` with the payload as the request body, or
 * `INSERT … SELECT … FROM input(structure) FORMAT TabSeparated` when the payload needs converting.
 */
export function requestBodyInserter(client: ClickHouseClient): TsvInserter {
  return async (target, payload, settings, signal) => {
    if (target.select !== undefined) {
      const result = await client.exec({
        query: `${insertPrefix(target)} SELECT ${target.select} FROM input(${quoteString(target.structure)}) FORMAT TabSeparated`,
        values: Readable.from([payload], { objectMode: false }),
        clickhouse_settings: settings,
        abort_signal: signal,
      });
      // Read the (empty) response to its end: the socket goes back to the pool, and an error arriving
      // with the body rejects this insert instead of surfacing as an unhandled stream error.
      await finished(result.stream.resume());
      return;
    }
    await client.insert({
      table: target.table,
      columns: target.columns as [string, ...string[]],
      values: Readable.from([payload], { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: settings,
      abort_signal: signal,
    });
  };
}
