/**
 * Serves the built dashboard (a vite build: index.html, hashed files under assets/, a few public
 * files) at `/`. Only files found in the build folder when the server starts are served: a request
 * path is looked up in that list, never joined onto the file system, so nothing outside the folder
 * can be reached. Hashed assets are cached for a year; index.html is revalidated every time. Every
 * response carries a Content-Security-Policy that allows scripts, styles and connections from this
 * origin only (no inline scripts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';

export interface DashboardAssetsOptions {
  /** The build folder (dashboard/dist). */
  readonly dir: string;
}

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite's content-hashed names: `index-BItp4HFt.js`. */
const HASHED_NAME = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

/** The page when no build is there, so the server still says how to get one. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgewatch</title></head><body>
<h1>edgewatch</h1>
<p>The pipeline is running, but the dashboard is not built: run <code>npm run build</code> (<code>npm start</code> builds it when needed) and restart.</p>
<p>Pipeline health: <a href="/healthz"><code>/healthz</code></a>; API: <a href="/docs"><code>/docs</code></a>.</p>
</body></html>`;

interface Asset {
  readonly file: string;
  readonly contentType: string;
  readonly cacheControl: string;
}

/** URL path → file, for every servable file of the build (dotfiles and unknown types left out). */
export function listDashboardAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (folder: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const contentType = CONTENT_TYPES[path.extname(entry.name).toLowerCase()];
        if (contentType === undefined) continue;
        const urlPath = `/${path.relative(dir, full).split(path.sep).join('/')}`;
        const hashed = urlPath.startsWith('/assets/') && HASHED_NAME.test(entry.name);
        assets.set(urlPath, { file: full, contentType, cacheControl: urlPath === '/index.html' ? REVALIDATE : hashed ? IMMUTABLE : SHORT });
      }
    }
  };
  walk(dir);
  return assets;
}

function send(reply: FastifyReply, asset: Asset): FastifyReply {
  let body: Buffer;
  try {
    body = fs.readFileSync(asset.file);
  } catch {
    // Removed since start (a rebuild in progress): as if never there.
    reply.callNotFound();
    return reply;
  }
  return reply.headers({ ...SECURITY_HEADERS, 'content-type': asset.contentType, 'cache-control': asset.cacheControl }).send(body);
}

/** The dashboard routes: `/`, `/assets/*` and the build's other top-level files. Without options: a page saying how to build it. */
export function dashboardAssets(options?: DashboardAssetsOptions): FastifyPluginCallback {
  return (app, _options, done) => {
    const assets = options === undefined ? new Map<string, Asset>() : listDashboardAssets(options.dir);
    const index = assets.get('/index.html');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      index === undefined ? reply.headers({ ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': REVALIDATE }).send(NOT_BUILT_PAGE) : send(reply, index),
    );
    app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const asset = assets.get(request.url.split('?', 1)[0] ?? '');
      if (asset !== undefined) return send(reply, asset);
      reply.callNotFound();
      return reply;
    });
    for (const [urlPath, asset] of assets) {
      if (urlPath === '/index.html' || urlPath.startsWith('/assets/') || urlPath.slice(1).includes('/')) continue;
      app.get(urlPath, { schema: { hide: true } }, async (_request, reply) => send(reply, asset));
    }
    done();
  };
}
