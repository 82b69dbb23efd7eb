/**
 * The imports API (GET /api/v1/imports) on servers that run imports (their OpenAPI document says
 * so). Inputs (paths, S3 keys) and error messages are whatever the importer was given or met: they
 * are shown as text.
 */
import type { ImportJobStatus } from './api-types.js';
import type { HttpClient } from './http-client.js';
import { API_BASE } from './stats-api.js';

export interface ImportsResponse {
  /** Running imports and the most recent finished ones, newest first. */
  readonly imports: readonly ImportJobStatus[];
}

export async function loadImports(http: HttpClient, signal?: AbortSignal): Promise<readonly ImportJobStatus[]> {
  const response = await http.getJson<ImportsResponse>(`${API_BASE}/imports`, {}, signal);
  return response.imports;
}
