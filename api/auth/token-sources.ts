/**
 * Builds the token store from what the operator configured: an admin token, viewer tokens, a file of
 * hashed tokens, and, when none of them names an admin, a generated admin token under the data dir.
 */
import { AdminTokenFileError, ensureAdminTokenFile, type AdminTokenFile } from './admin-token-file.js';
import { TokensFileError, readTokensFile } from './tokens-file.js';
import { TokenStore, TokenStoreError, hashToken, type HashedToken } from './token-store.js';

export interface TokenSources {
  readonly adminToken?: string;
  readonly viewerTokens?: readonly string[];
  /** Path of a JSON file of hashed tokens. */
  readonly tokensFile?: string;
  /** Where a generated admin token is kept. */
  readonly dataDir: string;
  /** An admin token for command-line tools on this machine (left under the data dir by the server), valid for one server start. */
  readonly localAdminToken?: string;
}

export interface ApiTokens {
  readonly store: TokenStore;
  /** The generated admin token's file, when no admin token was configured; null otherwise. */
  readonly generatedAdmin: AdminTokenFile | null;
}

/** A token configuration that cannot be used; the message names the file or token name to blame. */
export class ApiTokensError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiTokensError';
  }
}

/** Throws ApiTokensError for an unreadable or invalid tokens file, a duplicate, or a bad admin-token file. */
export function loadApiTokens(sources: TokenSources): ApiTokens {
  try {
    return collectTokens(sources);
  } catch (err) {
    if (err instanceof TokensFileError || err instanceof TokenStoreError || err instanceof AdminTokenFileError) {
      throw new ApiTokensError(err.message, { cause: err });
    }
    throw err;
  }
}

function collectTokens(sources: TokenSources): ApiTokens {
  const entries: HashedToken[] = [];
  if (sources.adminToken !== undefined) entries.push({ name: 'admin', role: 'admin', sha256: hashToken(sources.adminToken) });
  for (const token of sources.viewerTokens ?? []) {
    const sha256 = hashToken(token);
    // Named by a digest prefix, which stays the same when the list is reordered.
    entries.push({ name: `viewer-${sha256.slice(0, 8)}`, role: 'viewer', sha256 });
  }
  if (sources.tokensFile !== undefined) entries.push(...readTokensFile(sources.tokensFile));
  let generatedAdmin: AdminTokenFile | null = null;
  if (!entries.some((e) => e.role === 'admin')) {
    generatedAdmin = ensureAdminTokenFile(sources.dataDir);
    entries.push({ name: 'admin', role: 'admin', sha256: hashToken(generatedAdmin.token) });
  }
  if (sources.localAdminToken !== undefined) entries.push({ name: 'local-cli', role: 'admin', sha256: hashToken(sources.localAdminToken) });
  return { store: new TokenStore(entries), generatedAdmin };
}
