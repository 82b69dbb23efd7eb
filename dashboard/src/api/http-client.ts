/**
 * The one place the dashboard talks HTTP. Every /api/ request carries the token as a bearer header
 * (never in the URL); at most a few run at once, because the API answers 503 rather than queue
 * more stats queries than ClickHouse should run; a 503 or 429 is retried after its Retry-After.
 */
import type { ApiErrorCode } from './api-types.js';
import type { QueryParams } from '../state/query-params.js';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | 'network' | 'aborted',
    message: string,
    /** The query parameter the API blamed (400). */
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface HttpClientOptions {
  /** The current token, or null when signed out. */
  readonly token: () => string | null;
  /** Called on any 401: the token was refused. */
  readonly onUnauthorized: (message: string) => void;
  readonly maxConcurrent?: number;
  readonly maxRetries?: number;
}

interface Waiter {
  readonly start: () => void;
  readonly signal: AbortSignal | undefined;
}

const MAX_RETRY_WAIT_S = 5;

export function queryString(params: QueryParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function abortError(): ApiRequestError {
  return new ApiRequestError(0, 'aborted', 'the request was cancelled');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(abortError());
      },
      { once: true },
    );
  });
}

async function errorOf(response: Response): Promise<ApiRequestError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  const error = (body as { error?: { code?: string; message?: string; parameter?: string } } | null)?.error;
  const code = (error?.code ?? 'internal') as ApiErrorCode;
  return new ApiRequestError(response.status, code, error?.message ?? `HTTP ${response.status}`, error?.parameter);
}

export class HttpClient {
  readonly #options: HttpClientOptions;
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(options: HttpClientOptions) {
    this.#options = options;
  }

  #headers(): HeadersInit {
    const token = this.#options.token();
    return token === null ? { accept: 'application/json' } : { accept: 'application/json', authorization: `Bearer ${token}` };
  }

  async #slot(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) throw abortError();
    if (this.#running < (this.#options.maxConcurrent ?? 3)) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { start: resolve, signal };
      this.#waiting.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.#waiting.indexOf(waiter);
          if (at >= 0) {
            this.#waiting.splice(at, 1);
            reject(abortError());
          }
        },
        { once: true },
      );
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#running--;
    else next.start();
  }

  /** GET a JSON document from the API (queued, retried on 503/429, 401 reported). */
  async getJson<T>(path: string, params: QueryParams = {}, signal?: AbortSignal): Promise<T> {
    const url = `${path}${queryString(params)}`;
    const maxRetries = this.#options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      await this.#slot(signal);
      let response: Response;
      try {
        response = await fetch(url, { headers: this.#headers(), signal, credentials: 'omit', cache: 'no-store' });
      } catch (err) {
        if (signal?.aborted === true) throw abortError();
        throw new ApiRequestError(0, 'network', `the API could not be reached (${err instanceof Error ? err.message : String(err)})`);
      } finally {
        this.#release();
      }
      if (response.ok) return (await response.json()) as T;
      const error = await errorOf(response);
      if (response.status === 401) {
        this.#options.onUnauthorized(error.message);
        throw error;
      }
      if ((response.status === 503 || response.status === 429) && attempt < maxRetries) {
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        await sleep(Math.min(MAX_RETRY_WAIT_S, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000, signal);
        continue;
      }
      throw error;
    }
  }

  /**
   * A change (POST, PUT, DELETE) with a JSON body: not retried (a change is applied at most once);
   * answers the JSON body (null for 204) and the response's ETag.
   */
  async sendJson<T>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    params: QueryParams,
    body: unknown,
    options: { readonly ifMatch?: string; readonly signal?: AbortSignal } = {},
  ): Promise<{ body: T | null; etag: string | null }> {
    await this.#slot(options.signal);
    let response: Response;
    try {
      const headers: Record<string, string> = { ...(this.#headers() as Record<string, string>), 'content-type': 'application/json' };
      if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
      response = await fetch(`${path}${queryString(params)}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: options.signal, credentials: 'omit', cache: 'no-store' });
    } catch (err) {
      if (options.signal?.aborted === true) throw abortError();
      throw new ApiRequestError(0, 'network', `the API could not be reached (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      this.#release();
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) this.#options.onUnauthorized(error.message);
      throw error;
    }
    const etag = response.headers.get('etag');
    if (response.status === 204) return { body: null, etag };
    return { body: (await response.json()) as T, etag };
  }

  /** GET a JSON document with its ETag (a resource to change later with If-Match). */
  async getJsonWithEtag<T>(path: string, signal?: AbortSignal): Promise<{ body: T; etag: string | null }> {
    await this.#slot(signal);
    let response: Response;
    try {
      response = await fetch(path, { headers: this.#headers(), signal, credentials: 'omit', cache: 'no-store' });
    } catch (err) {
      if (signal?.aborted === true) throw abortError();
      throw new ApiRequestError(0, 'network', `the API could not be reached (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      this.#release();
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) this.#options.onUnauthorized(error.message);
      throw error;
    }
    return { body: (await response.json()) as T, etag: response.headers.get('etag') };
  }

  /** Opens a streaming GET (the live stream): not queued, the caller reads the body. */
  async openStream(path: string, params: QueryParams, signal: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${path}${queryString(params)}`, {
        headers: { ...this.#headers(), accept: 'text/event-stream' },
        signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      if (signal.aborted) throw abortError();
      throw new ApiRequestError(0, 'network', `the live stream could not be opened (${err instanceof Error ? err.message : String(err)})`);
    }
    if (response.ok) return response;
    const error = await errorOf(response);
    if (response.status === 401) this.#options.onUnauthorized(error.message);
    throw error;
  }

  /** A public JSON document (no token), e.g. /openapi.json. */
  async getPublicJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await fetch(path, { headers: { accept: 'application/json' }, signal, credentials: 'omit' });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
}
