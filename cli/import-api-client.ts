/**
 * The command line's client of a running server's imports API: sends a job and follows it, with
 * the wire shapes the API declares (api/imports/import-schemas.ts).
 */
import type { ImportJobBody, ImportJobStatus } from '../api/imports/import-schemas.js';
import type { ServerInfo } from '../ingest/import/server-handoff.js';

export class HandoffError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HandoffError';
  }
}

export class ImportApiClient {
  constructor(private readonly info: ServerInfo) {}

  async start(body: ImportJobBody): Promise<ImportJobStatus> {
    return this.#call('POST', '/api/v1/imports', body);
  }

  async status(id: string): Promise<ImportJobStatus> {
    return this.#call('GET', `/api/v1/imports/${encodeURIComponent(id)}`);
  }

  async #call(method: string, route: string, body?: unknown): Promise<ImportJobStatus> {
    const response = await fetch(new URL(route, this.info.url), {
      method,
      headers: { authorization: `Bearer ${this.info.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new HandoffError(`${method} ${route} → ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as ImportJobStatus;
  }
}
