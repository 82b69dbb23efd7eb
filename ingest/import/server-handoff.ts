/**
 * Hand-off to a running server. Embedded ClickHouse allows one process per data directory, so
 * while `npm start` runs on a data dir, `edgewatch import` must not open the store: the server
 * leaves its address and a local admin token in `<dataDir>/server.json` (mode 0600), and the
 * command sends the job to `POST /api/v1/imports`, then follows `GET /api/v1/imports/:id`
 * (cli/import-api-client.ts). This module keeps the file that says where the server is.
 */
import fs from 'node:fs';
import path from 'node:path';

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
