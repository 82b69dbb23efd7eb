import { describe, expect, it } from 'vitest';
import { inputFromFile, scanStatement, StatementScanError } from './clickhouse-http-statement.js';

describe('scanStatement', () => {
  it('finds the first keyword and a trailing FORMAT clause past comments and semicolons', () => {
    const shape = scanStatement("-- note\n/* block */ select 'FORMAT x' AS f \nFORMAT JSONEachRow;;");
    expect(shape.keyword).toBe('SELECT');
    expect(shape.format?.name).toBe('JSONEachRow');
    expect(scanStatement('SELECT 1 AS format').format).toBeUndefined();
    expect(scanStatement('').keyword).toBe('');
  });

  it('finds input() of an INSERT, never inside a string literal, identifier or another name', () => {
    const sql = "INSERT INTO db.t (a, `input(`) SELECT 'input(''x'')', a FROM input('a String, b Nullable(String)') FORMAT TabSeparated";
    const shape = scanStatement(sql);
    expect(shape.input?.structureLiteral).toBe("'a String, b Nullable(String)'");
    expect(sql.slice(shape.input?.start, shape.input?.end)).toBe("input('a String, b Nullable(String)')");
    expect(scanStatement('INSERT INTO t SELECT * FROM db.input(1)').input).toBeUndefined();
    expect(scanStatement("SELECT * FROM input('a String')").input).toBeUndefined();
  });

  it('refuses what it cannot read with certainty', () => {
    expect(() => scanStatement("SELECT 'open")).toThrow(StatementScanError);
    expect(() => scanStatement('INSERT INTO t SELECT * FROM input(structure) FORMAT TSV')).toThrow(/string literal/);
  });
});

describe('inputFromFile', () => {
  it('reads the data from a file in the FORMAT the statement named, keeping everything else', () => {
    const sql = "INSERT INTO db.t (a) SELECT upper(a) FROM input('a String') FORMAT TabSeparated";
    expect(inputFromFile(sql, scanStatement(sql), "/tmp/it's.tsv")).toBe(
      "INSERT INTO db.t (a) SELECT upper(a) FROM file('/tmp/it\\'s.tsv', 'TabSeparated', 'a String') ",
    );
    const noFormat = "INSERT INTO t SELECT * FROM input('a String')";
    expect(() => inputFromFile(noFormat, scanStatement(noFormat), '/tmp/x')).toThrow(/FORMAT/);
  });
});
