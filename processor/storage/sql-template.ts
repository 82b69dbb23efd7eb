/**
 * Migration SQL text: `{{name}}` placeholders and splitting a file into statements.
 */

export type TemplateValues = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

/**
 * Replaces every `{{name}}` with its value. Values must already be validated (identifiers,
 * integers): this is text substitution, not parameter binding. An unknown name throws.
 */
export function renderSql(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`SQL template uses {{${name}}}, which has no value`);
    return String(value);
  });
}

/**
 * Splits SQL text on `;` outside quotes and comments; drops empty statements and statements
 * made only of comments.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const push = (end: number): void => {
    if (hasCode) statements.push(sql.slice(start, end).trim());
    start = end + 1;
    hasCode = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      hasCode = true;
      i++;
      while (i < sql.length && sql[i] !== c) i += sql[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === ';') push(i);
    else if (c !== undefined && !/\s/.test(c)) hasCode = true;
    i++;
  }
  push(sql.length);
  return statements;
}
