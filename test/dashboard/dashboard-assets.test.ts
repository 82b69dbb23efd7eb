/**
 * The API server serves the built dashboard: only files of the build folder, with their content
 * types, long caching for hashed assets, and a Content-Security-Policy without inline scripts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../../api/dashboard-assets.js';
import { buildTestApp } from '../support/api-test-kit.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-dashboard-assets-'));
const outside = path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`);
fs.mkdirSync(path.join(dir, 'assets'));
fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>edgewatch</title><script type="module" src="/assets/index-BItp4HFt.js"></script>');
fs.writeFileSync(path.join(dir, 'assets', 'index-BItp4HFt.js'), 'console.log("dashboard")');
fs.writeFileSync(path.join(dir, 'assets', 'style-6145SXSP.css'), 'body{}');
fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
fs.writeFileSync(path.join(dir, '.build-hash'), 'abc');
fs.writeFileSync(path.join(dir, 'assets', 'notes.exe'), 'MZ');
fs.writeFileSync(outside, 'secret');

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { force: true });
});

describe('dashboard assets', () => {
  it('serves index.html at / with the CSP and no caching', async () => {
    const { app } = await buildTestApp({ dashboard: { dir } });
    try {
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.body).toContain('/assets/index-BItp4HFt.js');
    } finally {
      await app.close();
    }
  });

  it('forbids inline scripts and foreign origins in the CSP', () => {
    const directives = new Map(DASHBOARD_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:|data:/);
  });

  it('serves hashed assets with their types and a year of caching, other files briefly', async () => {
    const { app } = await buildTestApp({ dashboard: { dir } });
    try {
      const script = await app.inject({ method: 'GET', url: '/assets/index-BItp4HFt.js' });
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(script.body).toBe('console.log("dashboard")');
      const style = await app.inject({ method: 'GET', url: '/assets/style-6145SXSP.css' });
      expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
      const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
      expect(icon.headers['content-type']).toBe('image/svg+xml');
      expect(icon.headers['cache-control']).toBe('public, max-age=3600');
      expect((await app.inject({ method: 'HEAD', url: '/assets/index-BItp4HFt.js' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('serves nothing outside the list of built files', async () => {
    const { app } = await buildTestApp({ dashboard: { dir } });
    try {
      const secret = path.basename(outside);
      for (const url of [
        '/assets/missing-ABCDEFGH.js',
        '/assets/notes.exe',
        '/.build-hash',
        '/assets/../index.html',
        `/assets/../../${secret}`,
        `/assets/%2e%2e/%2e%2e/${secret}`,
        '/assets/..%2f..%2fetc%2fpasswd',
        '/etc/passwd',
      ]) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(404);
        expect(response.body).not.toContain('secret');
      }
    } finally {
      await app.close();
    }
  });

  it('says how to build the dashboard when there is no build', async () => {
    const { app } = await buildTestApp({ dashboard: { dir: path.join(dir, 'nothing-here') } });
    try {
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('npm run build');
      expect(page.body).toContain('/healthz');
      expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    } finally {
      await app.close();
    }
  });
});
