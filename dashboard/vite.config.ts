/**
 * Vite build of the dashboard: dashboard/index.html → dashboard/dist (hashed files under assets/),
 * served by the API server. No inline scripts or styles and no data: URLs, so the page runs under
 * a Content-Security-Policy with script-src 'self'.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
