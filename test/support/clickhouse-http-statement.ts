/**
 * What the ClickHouse HTTP test endpoint needs to know about a statement's text: its first keyword,
 * its trailing `FORMAT name` clause, and an `input('structure')` call. A tokenizer that knows
 * ClickHouse's quoting and comments finds them; it never evaluates or rebuilds anything else.
 */

type TokenKind = 'word' | 'string' | 'quoted-identifier' | 'punct';

interface Token {
  readonly kind: TokenKind;
  /** The token's source text, quotes included. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export class StatementScanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatementScanError';
  }
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_$]/;

/** Index just past a quoted run opened at `start`; backslash escapes and doubled quotes stay inside. */
function quotedEnd(sql: string, start: number): number {
  const quote = sql[start];
  for (let i = start + 1; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '\\') {
      i++;
    } else if (ch === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  throw new StatementScanError(`unterminated ${quote} quote at position ${start}`);
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
    } else if ((ch === '-' && sql[i + 1] === '-') || ch === '#') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw new StatementScanError(`unterminated comment at position ${i}`);
      i = close + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const end = quotedEnd(sql, i);
      tokens.push({ kind: ch === "'" ? 'string' : 'quoted-identifier', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end] ?? '')) end++;
      tokens.push({ kind: 'word', text: sql.slice(i, end), start: i, end });
      i = end;
    } else {
      tokens.push({ kind: 'punct', text: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

const isWord = (token: Token | undefined, word: string): boolean => token?.kind === 'word' && token.text.toUpperCase() === word;

export interface FormatClause {
  /** The format's name as written (a plain word, e.g. `JSONEachRow`). */
  readonly name: string;
  /** Where the `FORMAT` keyword starts. */
  readonly start: number;
}

export interface InputCall {
  /** The structure argument as written: a ClickHouse string literal, quotes included. */
  readonly structureLiteral: string;
  readonly start: number;
  readonly end: number;
}

export interface StatementShape {
  /** First keyword, upper-cased (`SELECT`, `INSERT`, …); '' for an empty statement. */
  readonly keyword: string;
  /** A trailing `FORMAT name` clause (trailing semicolons ignored). */
  readonly format: FormatClause | undefined;
  /** The `input('structure')` table function of an INSERT … SELECT, if any. */
  readonly input: InputCall | undefined;
}

function trailingFormat(tokens: readonly Token[]): FormatClause | undefined {
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]?.text === ';') last--;
  const name = tokens[last];
  const keyword = tokens[last - 1];
  if (name?.kind !== 'word' || !isWord(keyword, 'FORMAT') || keyword === undefined) return undefined;
  return { name: name.text, start: keyword.start };
}

function inputCall(tokens: readonly Token[]): InputCall | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token || !isWord(token, 'INPUT') || tokens[i + 1]?.text !== '(' || tokens[i - 1]?.text === '.') continue;
    const argument = tokens[i + 2];
    const close = tokens[i + 3];
    if (argument?.kind !== 'string' || close?.text !== ')') {
      throw new StatementScanError('input() needs exactly one argument, the structure as a string literal');
    }
    return { structureLiteral: argument.text, start: token.start, end: close.end };
  }
  return undefined;
}

export function scanStatement(sql: string): StatementShape {
  const tokens = tokenize(sql);
  const first = tokens.find((t) => t.kind === 'word');
  const keyword = first?.text.toUpperCase() ?? '';
  return {
    keyword,
    format: trailingFormat(tokens),
    input: keyword === 'INSERT' ? inputCall(tokens) : undefined,
  };
}

/** A ClickHouse string literal of text the endpoint made itself (a file path, a format name). */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * `INSERT … SELECT … FROM input('s') FORMAT F` with its data in `file`: the same statement reading
 * `file('path', 'F', 's')` and without the FORMAT clause, which named the data's format.
 */
export function inputFromFile(sql: string, shape: StatementShape, file: string): string {
  const { input, format } = shape;
  if (!input) throw new StatementScanError('the statement has no input() call');
  if (!format || format.start < input.end) throw new StatementScanError('an INSERT reading input() needs a FORMAT clause for its data');
  const replacement = `file(${stringLiteral(file)}, ${stringLiteral(format.name)}, ${input.structureLiteral})`;
  return `${sql.slice(0, input.start)}${replacement}${sql.slice(input.end, format.start)}`;
}
