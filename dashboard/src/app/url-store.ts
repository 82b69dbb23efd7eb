/**
 * The URL fragment as the dashboard's store: reading it gives the state, navigating writes it (a
 * browser history entry, so Back works), and listeners hear every change, typed or navigated.
 */
import { formatHash, parseHash, type DashboardState } from '../state/url-state.js';

export class UrlStore {
  #state: DashboardState;
  readonly #listeners = new Set<(state: DashboardState) => void>();

  constructor() {
    this.#state = parseHash(location.hash);
    window.addEventListener('hashchange', () => {
      this.#state = parseHash(location.hash);
      for (const listener of this.#listeners) listener(this.#state);
    });
    // Write back the normalised form (drops unknown or malformed parameters).
    history.replaceState(null, '', formatHash(this.#state));
  }

  get state(): DashboardState {
    return this.#state;
  }

  navigate(next: DashboardState): void {
    const hash = formatHash(next);
    if (hash === location.hash) return;
    location.hash = hash;
  }

  subscribe(listener: (state: DashboardState) => void): void {
    this.#listeners.add(listener);
  }
}
