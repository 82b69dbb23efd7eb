import { describe, expect, it } from 'vitest';
import { insertTarget, quoteString, settingsClause } from '../../processor/storage/tsv-insert.js';

describe('quoteString', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteString("it's a \\ path")).toBe("'it\\'s a \\\\ path'");
  });
});

describe('settingsClause', () => {
  it('writes numbers bare and strings quoted', () => {
    expect(settingsClause({ max_execution_time: 30, insert_deduplication_token: "a'b" })).toBe(
      "max_execution_time = 30, insert_deduplication_token = 'a\\'b'",
    );
  });

  it('refuses setting names that are not identifiers and non-finite numbers', () => {
    expect(() => settingsClause({ 'x = 1, y': 1 })).toThrow(/setting name/);
    expect(() => settingsClause({ max_threads: Number.NaN })).toThrow(/finite/);
  });
});

describe('insertTarget', () => {
  const columns = [
    { name: 'timestamp', type: "DateTime64(3, 'UTC')" },
    { name: 'cs_method', type: 'LowCardinality(Nullable(String))' },
    { name: 'distribution_id', type: 'LowCardinality(String)' },
    { name: 'tags', type: 'Array(LowCardinality(String))' },
  ];

  it('describes the payload with LowCardinality wrappers removed', () => {
    expect(insertTarget('db.t', columns)).toEqual({
      table: 'db.t',
      columns: ['timestamp', 'cs_method', 'distribution_id', 'tags'],
      structure: "timestamp DateTime64(3, 'UTC'), cs_method Nullable(String), distribution_id String, tags Array(LowCardinality(String))",
    });
  });

  it('follows the given column order and rejects unknown columns', () => {
    expect(insertTarget('db.t', columns, ['distribution_id', 'timestamp']).structure).toBe("distribution_id String, timestamp DateTime64(3, 'UTC')");
    expect(() => insertTarget('db.t', columns, ['nope'])).toThrow(/no column "nope"/);
  });
});
