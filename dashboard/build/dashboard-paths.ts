/**
 * Where the dashboard's sources and its built files are.
 */
import path from 'node:path';

export const DASHBOARD_ROOT = path.resolve(import.meta.dirname, '..');
/** The built single-page app the API server serves at `/`. */
export const DASHBOARD_DIST = path.join(DASHBOARD_ROOT, 'dist');
