/**
 * Hand-off to a running server. Embedded ClickHouse allows one process per data directory, so
 * while `npm start` runs on a data dir, `edgewatch import` must not open the store: the server
 * leaves its address and a local admin token in `<dataDir>/server.json` (mode 0600), and the
 * command sends the job to `POST /api/v1/imports`, then follows `GET /api/v1/imports/:id`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportProgress } from './import-job.js';

export const SERVER_INFO_FILE_NAME = 'server.json';

export interface ServerInfo {
  readonly url: string;
  readonly pid: number;
  /** An admin bearer token that only this server start accepts. */
  readonly token: string;
}

export function serverInfoPath(dataDir: string): string {
  return path.join(dataDir, SERVER_INFO_FILE_NAME);
}

export function writeServerInfo(dataDir: string, info: ServerInfo): string {
  const file = serverInfoPath(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
  return file;
}

/** Removes the file if it is still this process's. */
export function removeServerInfo(dataDir: string, pid: number = process.pid): void {
  const info = readServerInfo(dataDir);
  if (info?.pid === pid) fs.rmSync(serverInfoPath(dataDir), { force: true });
}

export function readServerInfo(dataDir: string): ServerInfo | null {
  let text: string;
  try {
    text = fs.readFileSync(serverInfoPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<ServerInfo>;
    if (typeof value.url !== 'string' || typeof value.token !== 'string' || typeof value.pid !== 'number') return null;
    return { url: value.url, token: value.token, pid: value.pid };
  } catch {
    return null;
  }
}

/** True while the process that wrote the file is alive (signal 0 checks without signalling). */
export function serverProcessAlive(info: ServerInfo): boolean {
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The import request as the API takes it. */
export interface ImportJobBody {
  readonly inputs: readonly string[];
  readonly format?: 'standard' | 'realtime';
  readonly fields?: readonly string[];
  readonly samplingRate?: number;
  readonly distributionId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly concurrency?: number;
}

export type ImportJobState = 'running' | 'succeeded' | 'failed';

/** What `GET /api/v1/imports/:id` returns. */
export interface ImportJobStatus {
  readonly id: string;
  readonly state: ImportJobState;
  readonly inputs: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: ImportProgress;
  readonly failed: readonly { readonly uri: string; readonly error: string }[];
  /** Why the whole job failed, when it did. */
  readonly error: string | null;
}

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
