import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { DEFAULT_MIGRATIONS_DIR, listMigrations } from '../../processor/storage/migrations.js';
import { DEAD_LETTER_COLUMNS, DERIVED_COLUMNS, REQUEST_COLUMNS } from '../../processor/storage/row-encoder.js';
import { rollupTemplateValues } from '../../processor/storage/rollup-sql.js';
import { renderSql, splitStatements } from '../../processor/storage/sql-template.js';

interface Column {
  readonly name: string;
  readonly type: string;
}

/** Splits on `sep` outside parentheses and quotes. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Columns of the CREATE TABLE statement of `table` in migration file `file`. */
function columnsOf(file: string, table: string): Column[] {
  const sql = renderSql(fs.readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file), 'utf8'), {
    database: 'db',
    raw_ttl_days: 1,
    minute_ttl_days: 1,
    hour_ttl_days: 1,
    dead_letter_ttl_days: 1,
  });
  const statement = splitStatements(sql).find((s) => s.includes(`CREATE TABLE IF NOT EXISTS db.${table}\n`));
  if (!statement) throw new Error(`no CREATE TABLE db.${table} in ${file}`);
  const open = statement.indexOf('(', statement.indexOf('CREATE TABLE'));
  let depth = 0;
  let close = open;
  for (let i = open; i < statement.length; i++) {
    if (statement[i] === '(') depth++;
    if (statement[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  return splitTopLevel(statement.slice(open + 1, close), ',')
    .map((definition) => definition.trim())
    .filter((definition) => definition !== '' && !definition.startsWith('INDEX '))
    .map((definition) => {
      const space = definition.indexOf(' ');
      const rest = definition.slice(space + 1);
      const codec = rest.search(/ CODEC\(| DEFAULT | COMMENT /);
      return { name: definition.slice(0, space), type: codec === -1 ? rest : rest.slice(0, codec) };
    });
}

describe('requests table columns', () => {
  const columns = columnsOf('003_requests.sql', 'requests');

  it('equal the row encoder columns, in order (catalogue fields, Derived, ingest metadata)', () => {
    expect(columns.map((c) => c.name)).toEqual([...REQUEST_COLUMNS]);
    expect(REQUEST_COLUMNS).toEqual([...FIELDS.map((f) => f.column), ...DERIVED_COLUMNS, 'shard_id', 'sequence_number']);
  });

  it('give every catalogue field its catalogue type', () => {
    const typeOf = new Map(columns.map((c) => [c.name, c.type]));
    for (const field of FIELDS) expect(typeOf.get(field.column), field.column).toBe(field.clickhouseType);
  });
});

describe('dead_letters table columns', () => {
  it('equal the dead letter encoder columns, in order', () => {
    expect(columnsOf('004_dead_letters.sql', 'dead_letters').map((c) => c.name)).toEqual([...DEAD_LETTER_COLUMNS]);
  });
});

describe('rollup tables', () => {
  it('have the same columns and types at both granularities', () => {
    expect(columnsOf('011_rollup_hour.sql', 'requests_1h')).toEqual(columnsOf('010_rollup_minute.sql', 'requests_1m'));
  });

  it('of 012 render from the measures of rollup-sql.ts, which applied migrations pin', () => {
    // Installed databases keep what 012 created: a changed measure list needs a new migration (and
    // then a new expected digest here).
    const sql = fs.readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, '012_rollups_v2.sql'), 'utf8');
    const rendered = renderSql(sql, { database: 'db', minute_ttl_days: 1, hour_ttl_days: 1, ...rollupTemplateValues() });
    expect(rendered).not.toContain('{{');
    expect(createHash('sha256').update(rendered).digest('hex')).toBe('1e2a844965d1ef00b306ef723f5ec15dd80b82fe40cae8b7d44f8a494f5c29ed');
  });
});

describe('migration files', () => {
  it('are numbered without duplicates and start with the database', () => {
    const migrations = listMigrations();
    expect(migrations[0]?.name).toBe('database');
    expect(new Set(migrations.map((m) => m.version)).size).toBe(migrations.length);
  });
});

describe('renderSql', () => {
  it('substitutes placeholders and rejects unknown ones', () => {
    expect(renderSql('CREATE DATABASE {{database}} -- {{ database }}', { database: 'x' })).toBe('CREATE DATABASE x -- x');
    expect(() => renderSql('TTL {{nope}}', {})).toThrow(/nope/);
  });
});

describe('splitStatements', () => {
  it("splits on ';' outside strings and comments and drops comment-only parts", () => {
    const sql = "-- a; comment\nSELECT 'x;y', \"a;b\" /* c; */ FROM t;\n;\nSELECT 2;\n-- only a comment;\n";
    expect(splitStatements(sql)).toEqual(["-- a; comment\nSELECT 'x;y', \"a;b\" /* c; */ FROM t", 'SELECT 2']);
  });

  it("handles doubled and backslash-escaped quotes", () => {
    expect(splitStatements("SELECT 'it''s;', 'a\\';b'; SELECT 1")).toEqual(["SELECT 'it''s;', 'a\\';b'", 'SELECT 1']);
  });
});
