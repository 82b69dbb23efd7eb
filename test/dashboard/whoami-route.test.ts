/**
 * GET /api/v1/whoami: the dashboard learns the role of its token (to show or hide configuration).
 */
import { describe, expect, it } from 'vitest';
import { whoamiRoute } from '../../api/whoami-route.js';
import { ADMIN_NAME, VIEWER_NAME, asAdmin, asViewer, buildTestApp, describeRouteAccess } from '../support/api-test-kit.js';

describeRouteAccess('whoami', [whoamiRoute()], { expectRoutes: ['/api/v1/whoami'] });

describe('GET /api/v1/whoami', () => {
  it('names the token and its role, never the token itself', async () => {
    const { app } = await buildTestApp({ routes: [whoamiRoute()] });
    try {
      const viewer = await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: asViewer });
      expect(viewer.statusCode).toBe(200);
      expect(viewer.json()).toEqual({ name: VIEWER_NAME, role: 'viewer' });
      const admin = await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: asAdmin });
      expect(admin.json()).toEqual({ name: ADMIN_NAME, role: 'admin' });
      expect(admin.body).not.toContain(asAdmin.authorization.slice('Bearer '.length));
    } finally {
      await app.close();
    }
  });
});
