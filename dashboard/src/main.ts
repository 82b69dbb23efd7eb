/**
 * The dashboard's entry point: sign in (a token kept in this tab's sessionStorage), learn who we
 * are and what the server offers, then start the shell on the state in the URL.
 */
import topologyJson from 'world-atlas/countries-110m.json' with { type: 'json' };
import { HttpClient } from './api/http-client.js';
import { StatsApi } from './api/stats-api.js';
import type { WorldTopology } from './charts/world-map.js';
import { startShell } from './app/app-shell.js';
import { loginView } from './app/login-view.js';
import { forgetToken, storeToken, storedToken } from './app/session.js';
import { UrlStore } from './app/url-store.js';
import type { DistributionChoice } from './ui/selection-controls.js';

const SIGNED_OUT_REASON = 'edgewatch.signed-out-reason';
const DISTRIBUTION_LOOKBACK_MS = 7 * 86_400_000;

const root = document.getElementById('app');
if (root === null) throw new Error('the page has no #app element');
const topology = topologyJson as unknown as WorldTopology;

let token = storedToken();
let signingIn = false;

/** Back to the sign-in form, with a fresh page (no listener or timer of the old session survives). */
function signOut(reason: string | null): void {
  forgetToken();
  if (reason !== null) sessionStorage.setItem(SIGNED_OUT_REASON, reason);
  location.reload();
}

const http = new HttpClient({
  token: () => token,
  onUnauthorized: (message) => {
    if (!signingIn) signOut(`Signed out: ${message}`);
  },
});
const stats = new StatsApi(http);

async function distributionChoices(): Promise<DistributionChoice[]> {
  const now = Date.now();
  try {
    const top = await stats.top({ from: new Date(now - DISTRIBUTION_LOOKBACK_MS).toISOString(), to: new Date(now).toISOString() }, { dimension: 'distribution', limit: 100 });
    return top.rows.filter((r) => r.value !== '').map((r) => ({ id: r.value, label: r.value }));
  } catch {
    // The selector still offers "All" and any distribution named in the URL.
    return [];
  }
}

async function enter(): Promise<void> {
  const [whoami, definitions, capabilities, distributions] = await Promise.all([stats.whoami(), stats.definitions(), stats.capabilities(), distributionChoices()]);
  startShell(root as HTMLElement, new UrlStore(), {
    http,
    stats,
    role: whoami.role,
    principalName: whoami.name,
    capabilities,
    definitions,
    topology,
    distributions,
    signOut: () => signOut(null),
  });
}

function showLogin(reason?: string): void {
  loginView(root as HTMLElement, {
    reason,
    signIn: async (candidate) => {
      signingIn = true;
      token = candidate;
      try {
        await stats.whoami();
        storeToken(candidate);
      } catch (err) {
        token = null;
        throw err;
      } finally {
        signingIn = false;
      }
      await enter();
    },
  });
}

const reason = sessionStorage.getItem(SIGNED_OUT_REASON) ?? undefined;
sessionStorage.removeItem(SIGNED_OUT_REASON);
if (token === null) showLogin(reason);
else
  enter().catch((err: unknown) => {
    token = null;
    forgetToken();
    showLogin(`Could not start: ${err instanceof Error ? err.message : String(err)}`);
  });
