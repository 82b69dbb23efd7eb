/**
 * Bearer-token authentication and roles for every route under /api/.
 *
 * Two steps, so that the rate limiter (which runs between them) can key a request by the token's
 * name, and unauthenticated requests by address: `onRequest` identifies the caller, `preParsing`
 * refuses the request (401/403) before its body is read. A route declares the role it needs with
 * `config: { role: 'viewer' | 'admin' }`; a route that declares none needs admin. A path no route
 * serves is a 404 whatever the token: the route list is public (/openapi.json), and answering
 * 401 there would let unlimited requests tell valid tokens from invalid ones.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { MAX_TOKEN_LENGTH, MIN_TOKEN_LENGTH, TOKEN_PATTERN, roleAllows, type Principal, type Role, type TokenStore } from './token-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Role a route under /api/ needs; absent means admin. */
    role?: Role;
  }
  interface FastifyRequest {
    /** The authenticated caller of an /api/ route; null elsewhere and before authentication. */
    principal: Principal | null;
  }
}

const REALM = 'Bearer realm="edgewatch"';

/** Query parameters that would carry a token in a URL, where proxies and browsers keep it. */
const TOKEN_QUERY_PARAMETERS = new Set(['access_token', 'token', 'api_key', 'apikey', 'api-key', 'bearer', 'authorization', 'auth_token']);

type AuthFailure =
  | { readonly reason: 'missing' | 'malformed' | 'unknown' }
  | { readonly reason: 'in_url'; readonly parameter: string };

/** True for a path under /api/ (or /api itself). */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/**
 * Whether a request is for an API route. Judged by the matched route's template, which does not
 * depend on how the client spelled the path (the router decodes `%61pi`); an unmatched path is a 404.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  const template = request.routeOptions.url;
  return !request.is404 && template !== undefined && isApiPath(template);
}

/** The role a route needs: what it declares, else admin (a forgotten declaration fails closed). */
export function requiredRole(request: FastifyRequest): Role {
  return request.routeOptions.config.role ?? 'admin';
}

function tokenInQuery(query: unknown, store: TokenStore): string | null {
  if (query === null || typeof query !== 'object') return null;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (TOKEN_QUERY_PARAMETERS.has(name.toLowerCase())) return name;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && v.length >= MIN_TOKEN_LENGTH && TOKEN_PATTERN.test(v) && store.authenticate(v) !== null)) return name;
  }
  return null;
}

function identify(request: FastifyRequest, store: TokenStore): Principal | AuthFailure {
  const parameter = tokenInQuery(request.query, store);
  if (parameter !== null) return { reason: 'in_url', parameter };
  const header = request.headers.authorization;
  if (header === undefined || header === '') return { reason: 'missing' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const token = match?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) return { reason: 'malformed' };
  return store.authenticate(token) ?? { reason: 'unknown' };
}

function unauthorized(failure: AuthFailure, reply: FastifyReply): ApiError {
  switch (failure.reason) {
    case 'missing':
      reply.header('www-authenticate', REALM);
      return new ApiError(401, 'unauthorized', 'authentication required: send the header Authorization: Bearer <token>');
    case 'malformed':
      reply.header('www-authenticate', `${REALM}, error="invalid_request"`);
      return new ApiError(401, 'unauthorized', 'the Authorization header must be "Bearer <token>"');
    case 'unknown':
      reply.header('www-authenticate', `${REALM}, error="invalid_token"`);
      return new ApiError(401, 'unauthorized', 'unknown token');
    case 'in_url':
      reply.header('www-authenticate', `${REALM}, error="invalid_request"`);
      return new ApiError(
        401,
        'unauthorized',
        'tokens are never accepted in URLs: send the header Authorization: Bearer <token> (and replace a token that was sent in a URL)',
        failure.parameter,
      );
  }
}

export function installAuthentication(app: FastifyInstance, store: TokenStore): void {
  const failures = new WeakMap<FastifyRequest, AuthFailure>();
  app.decorateRequest('principal', null);

  app.addHook('onRequest', (request, _reply, done) => {
    if (isApiRequest(request)) {
      const result = identify(request, store);
      if ('reason' in result) failures.set(request, result);
      else request.principal = result;
    }
    done();
  });

  app.addHook('preParsing', (request, reply, payload, done) => {
    done(isApiRequest(request) ? refusal(request, reply, failures.get(request)) : null, payload);
  });
}

/** The 401 or 403 for a request to an API route, or null when its caller may use the route. */
function refusal(request: FastifyRequest, reply: FastifyReply, failure: AuthFailure | undefined): ApiError | null {
  const principal = request.principal;
  if (principal === null) {
    const reason = failure ?? { reason: 'missing' };
    request.log.info({ reason: reason.reason, route: request.routeOptions.url }, 'request refused: not authenticated');
    return unauthorized(reason, reply);
  }
  const role = requiredRole(request);
  if (roleAllows(principal.role, role)) return null;
  request.log.info({ principal: principal.name, role: principal.role, required: role, route: request.routeOptions.url }, 'request refused: role');
  reply.header('www-authenticate', `${REALM}, error="insufficient_scope"`);
  return new ApiError(403, 'forbidden', `this route needs the ${role} role; the token ${principal.name} has the ${principal.role} role`);
}
