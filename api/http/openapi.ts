/**
 * The API's contract: OpenAPI 3 generated from the routes' JSON schemas, served at /openapi.json,
 * with interactive docs at /docs (swagger-ui's files from its package, nothing from a CDN).
 * Every route under /api/ is documented with the bearer security scheme and the role it needs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyPluginCallback, FastifySchema, RouteOptions } from 'fastify';
import { isApiPath } from '../auth/authentication.js';
import { errorResponseSchema } from '../errors.js';

export const BEARER_SCHEME = 'bearerAuth';
const ERROR_REF = { $ref: `${errorResponseSchema.$id}#` } as const;

const DESCRIPTION = `Real-time analytics for Amazon CloudFront.

Every route under \`/api/\` needs the header \`Authorization: Bearer <token>\`; tokens are never accepted in URLs.
A \`viewer\` token reads; an \`admin\` token also changes configuration. Errors have the shape
\`{ "error": { "code", "message", "parameter"? } }\`.`;

/** Error responses every /api/ route can give, added to its schema unless it declares its own. */
const API_ERROR_RESPONSES: Readonly<Record<string, string>> = {
  '401': 'Missing, malformed or unknown token (or a token in the URL)',
  '403': "The token's role does not allow this route",
  '429': 'Rate limit of the token exceeded; see Retry-After',
  '500': 'Internal error; the details are in the server log only',
  '503': 'Overloaded or shutting down; see Retry-After',
};
const INVALID_PARAMETER = 'A parameter is invalid; `error.parameter` names it';

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: ERROR_REF } } };
}

/**
 * Adds the shared error responses to each /api/ route's schema (for serialization and for the
 * document), and a 400 to routes that validate input. Must run before the routes are declared.
 */
export function installApiRouteDefaults(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isApiPath(route.url)) return;
    const schema: FastifySchema = route.schema ?? {};
    const responses = { ...((schema.response ?? {}) as Record<string, unknown>) };
    const validatesInput = schema.querystring !== undefined || schema.body !== undefined || schema.params !== undefined;
    if (validatesInput) responses['400'] ??= errorResponse(INVALID_PARAMETER);
    for (const [status, description] of Object.entries(API_ERROR_RESPONSES)) responses[status] ??= errorResponse(description);
    route.schema = { ...schema, response: responses };
  });
}

function documentRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): { schema: FastifySchema; url: string } {
  if (!isApiPath(url)) return { schema, url };
  const role = route.config?.role ?? 'admin';
  const roleNote = `Needs a token with the \`${role}\` role${role === 'viewer' ? ' (or admin)' : ''}.`;
  const description = typeof schema.description === 'string' ? `${schema.description}\n\n${roleNote}` : roleNote;
  return { schema: { ...schema, description, security: [{ [BEARER_SCHEME]: [] }] }, url };
}

export function registerOpenApi(app: FastifyInstance, options: { readonly version: string }): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'edgewatch API', version: options.version, description: DESCRIPTION },
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An edgewatch API token (viewer or admin).' },
        },
      },
    },
    // Shared schemas keep their $id as their name under components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: documentRoute,
  });
  void app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { persistAuthorization: false, deepLinking: true },
  });
}

/** GET /openapi.json: the generated document. */
export const openApiRoute: FastifyPluginCallback = (app, _options, done) => {
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => reply.send(app.swagger()));
  done();
};
