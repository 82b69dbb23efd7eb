/**
 * The tokens file (`EDGEWATCH_TOKENS_FILE`): a JSON array of hashed tokens,
 * `[{ "name": "grafana", "role": "viewer", "sha256": "<hex SHA-256 of the token>" }]`.
 * It holds digests only, so it can live in configuration management; a plain `token` key is refused.
 */
import fs from 'node:fs';
import { ROLES, type HashedToken } from './token-store.js';

export class TokensFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'TokensFileError';
  }
}

const KEYS = new Set(['name', 'role', 'sha256', 'comment']);

export function parseTokensFile(text: string, file: string): HashedToken[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TokensFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new TokensFileError(file, 'must hold a JSON array of { name, role, sha256 }');
  return parsed.map((item: unknown, index): HashedToken => {
    const where = `entry ${index}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new TokensFileError(file, `${where} must be an object`);
    const entry = item as Record<string, unknown>;
    if ('token' in entry) throw new TokensFileError(file, `${where} holds a plain token: store its SHA-256 in "sha256" instead`);
    for (const key of Object.keys(entry)) {
      if (!KEYS.has(key)) throw new TokensFileError(file, `${where} has an unknown key ${JSON.stringify(key)}`);
    }
    const { name, role, sha256 } = entry;
    if (typeof name !== 'string') throw new TokensFileError(file, `${where}: "name" must be a string`);
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new TokensFileError(file, `${where}: "role" must be one of ${ROLES.join(', ')}`);
    }
    if (typeof sha256 !== 'string') throw new TokensFileError(file, `${where}: "sha256" must be a string of 64 hexadecimal digits`);
    return { name, role: role as HashedToken['role'], sha256 };
  });
}

export function readTokensFile(file: string): HashedToken[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TokensFileError(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseTokensFile(text, file);
}
