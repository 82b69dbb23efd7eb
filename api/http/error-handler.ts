/**
 * Every error the server answers with takes the shape `{ error: { code, message, parameter? } }`.
 * ApiErrors keep their status and message; schema validation failures become 400s naming the
 * parameter; anything unexpected becomes a 500 whose detail goes to the log only, never to the client.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, invalidParameter, type ApiErrorCode } from '../errors.js';

export interface ErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly parameter?: string };
}

export function errorBody(error: ApiError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.parameter === undefined ? {} : { parameter: error.parameter }) } };
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

/** The parameter a schema validation error is about: `limit`, `items.0`, or the missing one. */
function validationError(error: FastifyError): ApiError {
  const first = error.validation?.[0];
  const context = error.validationContext ?? 'request';
  if (first === undefined) return invalidParameter(context, 'invalid value');
  let parameter = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = first.params.missingProperty;
  const additional = first.params.additionalProperty;
  if (first.keyword === 'required' && typeof missing === 'string') {
    parameter = parameter === '' ? missing : `${parameter}.${missing}`;
    return invalidParameter(parameter, 'is required');
  }
  if (first.keyword === 'additionalProperties' && typeof additional === 'string') {
    return invalidParameter(additional, `is not a known ${context === 'querystring' ? 'query parameter' : 'field'}`);
  }
  return invalidParameter(parameter === '' ? context : parameter, first.message ?? 'invalid value');
}

const CLIENT_ERROR_CODES: Readonly<Record<number, ApiErrorCode>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
};

/** Maps anything thrown while handling a request to the ApiError the client sees. */
export function toApiError(error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isFastifyError(error)) {
    if (error.validation !== undefined) return validationError(error);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // fastify's own messages describe the request (body too large, bad JSON); others might not.
      const message = error.code.startsWith('FST_') ? error.message : (STATUS_CODES[status] ?? 'invalid request');
      return new ApiError(status, CLIENT_ERROR_CODES[status] ?? 'invalid_request', message);
    }
  }
  return new ApiError(500, 'internal', `internal error; the server log has the details (request ${requestId})`);
}

export function sendApiError(error: ApiError, reply: FastifyReply): FastifyReply {
  if (error.retryAfterS !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterS))));
  if (error.statusCode === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="edgewatch"');
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(errorBody(error));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const apiError = toApiError(error, request.id);
    if (!(error instanceof ApiError) && apiError.statusCode >= 500) {
      request.log.error({ err: error, route: request.routeOptions.url ?? null }, 'request failed');
    } else if (apiError.statusCode >= 500) {
      request.log.warn({ code: apiError.code, route: request.routeOptions.url ?? null }, apiError.message);
    } else {
      request.log.debug({ code: apiError.code, parameter: apiError.parameter, route: request.routeOptions.url ?? null }, 'request rejected');
    }
    // A streamed response (the live stream) may fail after its headers went out: nothing left to answer.
    if (reply.sent || reply.raw.headersSent) return;
    return sendApiError(apiError, reply);
  });

  app.setNotFoundHandler((request, reply) => {
    return sendApiError(new ApiError(404, 'not_found', `no route serves ${request.method} on this path`), reply);
  });
}
