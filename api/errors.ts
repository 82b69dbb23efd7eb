/**
 * Errors the API answers with. Every error response has the shape
 * `{ error: { code, message, parameter? } }`; messages never carry SQL or stack traces.
 */

export type ApiErrorCode =
  | 'invalid_parameter'
  /** A malformed request that no single parameter is to blame for (unreadable body, wrong media type). */
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  /** The resource changed since it was read (stale If-Match), exists already, or is in use. */
  | 'conflict'
  | 'rate_limited'
  | 'overloaded'
  | 'query_timeout'
  | 'result_too_large'
  | 'internal';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    /** The query parameter or body field at fault, for 400s. */
    readonly parameter?: string,
    /** Seconds for a Retry-After header (429, 503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function invalidParameter(parameter: string, message: string): ApiError {
  return new ApiError(400, 'invalid_parameter', `${parameter}: ${message}`, parameter);
}

/** JSON schema of the error body, shared by every route's response schemas. */
export const errorResponseSchema = {
  $id: 'ApiErrorResponse',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        parameter: { type: 'string' },
      },
    },
  },
} as const;
