/**
 * What the API writes to the log about requests. Headers are never logged (they carry tokens), nor
 * query strings (a token pasted into a URL would follow); a request is its method, path and route.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly routeOptions?: { readonly url?: string };
}

export function serializeRequest(request: RequestLike): Record<string, unknown> {
  return {
    method: request.method,
    path: request.url?.split('?', 1)[0],
    route: request.routeOptions?.url,
    remoteAddress: request.ip,
  };
}

/** The API's logger: a child of the process logger with `component: api` and header-free serializers. */
export function apiLogger(logger: Logger): FastifyBaseLogger {
  return logger.child({ component: 'api' }, { serializers: { req: serializeRequest } });
}

/** One debug line per request; failures are logged where they are handled. */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request: FastifyRequest, reply, done) => {
    request.log.debug(
      { req: request, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10, principal: request.principal?.name },
      'request completed',
    );
    done();
  });
}
