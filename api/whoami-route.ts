/**
 * GET /api/v1/whoami: the name and role of the calling token, so a client (the dashboard) can
 * show or hide what only admins may do. The token itself is never echoed.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Role } from './auth/token-store.js';

export interface WhoAmI {
  readonly name: string;
  readonly role: Role;
}

const whoamiResponse = {
  type: 'object',
  required: ['name', 'role'],
  properties: {
    name: { type: 'string', description: 'Name of the token (as configured), never the token itself.' },
    role: { type: 'string', enum: ['viewer', 'admin'] },
  },
} as const;

export function whoamiRoute(): FastifyPluginAsync {
  return (app) => {
    app.get(
      '/whoami',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'The calling token’s name and role',
          tags: ['session'],
          querystring: { type: 'object', additionalProperties: false, properties: {} },
          response: { 200: whoamiResponse },
        },
      },
      (request, reply) => {
        // Authentication has run: an /api/ route is never reached without a principal.
        const principal = request.principal;
        if (principal === null) throw new Error('whoami reached without an authenticated principal');
        const body: WhoAmI = { name: principal.name, role: principal.role };
        return reply.send(body);
      },
    );
    return Promise.resolve();
  };
}
