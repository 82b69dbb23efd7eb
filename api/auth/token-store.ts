/**
 * API tokens and who they belong to. Only SHA-256 digests are kept; a presented token is hashed and
 * compared with every known digest in constant time, so neither the comparison nor the lookup
 * reveals how much of a guess was right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ROLES = ['viewer', 'admin'] as const;
/** `viewer` reads; `admin` reads and changes configuration. */
export type Role = (typeof ROLES)[number];

/** Who made a request: a token's name and role, never the token itself. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

export interface HashedToken extends Principal {
  /** Hex SHA-256 of the token text. */
  readonly sha256: string;
}

/** RFC 6750 `b64token`: what may follow `Bearer ` in an Authorization header. */
export const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Shorter tokens can be guessed; generated ones have 43 characters (32 random bytes). */
export const MIN_TOKEN_LENGTH = 16;
export const MAX_TOKEN_LENGTH = 512;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token: 32 bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function roleAllows(granted: Role, required: Role): boolean {
  return granted === 'admin' || required === 'viewer';
}

export class TokenStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenStoreError';
  }
}

interface StoredToken {
  readonly principal: Principal;
  readonly digest: Buffer;
}

export class TokenStore {
  private readonly tokens: readonly StoredToken[];

  /** Throws TokenStoreError for a bad name, role or digest, or a name or token given twice. */
  constructor(entries: readonly HashedToken[]) {
    const names = new Set<string>();
    const digests = new Set<string>();
    this.tokens = entries.map((entry) => {
      if (!NAME_PATTERN.test(entry.name)) throw new TokenStoreError(`token name '${entry.name}' must be 1–64 letters, digits, '_', '.' or '-'`);
      if (!ROLES.includes(entry.role)) throw new TokenStoreError(`token ${entry.name}: role must be one of ${ROLES.join(', ')}`);
      const sha256 = entry.sha256.toLowerCase();
      if (!SHA256_HEX.test(sha256)) throw new TokenStoreError(`token ${entry.name}: sha256 must be 64 hexadecimal digits`);
      if (names.has(entry.name)) throw new TokenStoreError(`token name ${entry.name} is used twice`);
      if (digests.has(sha256)) throw new TokenStoreError(`token ${entry.name}: the same token is configured twice`);
      names.add(entry.name);
      digests.add(sha256);
      return { principal: Object.freeze({ name: entry.name, role: entry.role }), digest: Buffer.from(sha256, 'hex') };
    });
  }

  static empty(): TokenStore {
    return new TokenStore([]);
  }

  /** A store of plain tokens (configuration, tests): hashed on the way in. */
  static fromTokens(tokens: readonly (Principal & { readonly token: string })[]): TokenStore {
    return new TokenStore(tokens.map(({ name, role, token }) => ({ name, role, sha256: hashToken(token) })));
  }

  /** The principal a token belongs to, or null. Takes the same time whichever entry matches. */
  authenticate(token: string): Principal | null {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | null = null;
    for (const stored of this.tokens) {
      if (timingSafeEqual(digest, stored.digest) && found === null) found = stored.principal;
    }
    return found;
  }

  get principals(): readonly Principal[] {
    return this.tokens.map((t) => t.principal);
  }

  hasRole(role: Role): boolean {
    return this.tokens.some((t) => t.principal.role === role);
  }
}
