/**
 * While the server closes, new /api/ requests get 503 `overloaded` with Retry-After, in the API's
 * error shape, so clients and load balancers retry elsewhere; requests already running finish and
 * close their connection. /healthz keeps answering (it reports `stopping` with its own 503).
 * Streams that never finish (the live stream) must end themselves on close.
 */
import type { FastifyInstance } from 'fastify';
import { isApiRequest } from '../auth/authentication.js';
import { ApiError } from '../errors.js';

const RETRY_AFTER_S = 5;

export function installClosingGuard(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing || !isApiRequest(request)) return done();
    reply.header('connection', 'close');
    done(new ApiError(503, 'overloaded', 'the server is shutting down; retry shortly', undefined, RETRY_AFTER_S));
  });
  // Responses finishing during the close end their keep-alive connection, or close() would wait
  // for the client to hang up.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
