/**
 * The admin token generated when none is configured: created once under the data dir with mode 0600
 * and read back on later starts, so the token a user saved keeps working.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MIN_TOKEN_LENGTH, TOKEN_PATTERN, generateToken } from './token-store.js';

export const ADMIN_TOKEN_FILE_NAME = 'admin-token';

export interface AdminTokenFile {
  readonly file: string;
  readonly token: string;
  /** True on the start that created it: the only time the token is shown. */
  readonly created: boolean;
  /** True when the file was readable by others and its mode was reset to 0600. */
  readonly modeFixed: boolean;
}

export class AdminTokenFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'AdminTokenFileError';
  }
}

export function ensureAdminTokenFile(dataDir: string): AdminTokenFile {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE_NAME);
  fs.mkdirSync(dataDir, { recursive: true });
  const token = generateToken();
  try {
    // 'wx': never overwrite a token someone may already use, even if two starts race.
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { file, token, created: true, modeFixed: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const existing = fs.readFileSync(file, 'utf8').trim();
  if (existing.length < MIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(existing)) {
    throw new AdminTokenFileError(file, `does not hold a usable token (at least ${MIN_TOKEN_LENGTH} characters of A–Z a–z 0–9 - . _ ~ + /); delete it to generate a new one`);
  }
  const modeFixed = (fs.statSync(file).mode & 0o077) !== 0;
  if (modeFixed) fs.chmodSync(file, 0o600);
  return { file, token: existing, created: false, modeFixed };
}
