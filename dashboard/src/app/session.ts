/**
 * The API token of this browser tab: kept in sessionStorage (gone when the tab closes, never in
 * localStorage, cookies or URLs) and sent only as a bearer header.
 */

const KEY = 'edgewatch.token';

export function storedToken(): string | null {
  try {
    const token = sessionStorage.getItem(KEY);
    return token === null || token === '' ? null : token;
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** What a token looks like (RFC 6750 b64token), checked before it is sent anywhere. */
export function looksLikeToken(text: string): boolean {
  return text.length >= 16 && text.length <= 512 && /^[A-Za-z0-9\-._~+/]+=*$/.test(text);
}
