/**
 * A line on the landing view while imports run: "2 imports running", linking to the imports view.
 * Looks every few seconds while the view is open (a request to the server's memory, no query).
 */
import type { ImportJobStatus } from '../api/api-types.js';
import { loadImports } from '../api/imports-api.js';
import { formatHash } from '../state/url-state.js';
import { h } from '../ui/dom.js';
import { Poller } from '../ui/poller.js';
import { runningBannerText, runningCount } from './import-jobs.js';
import type { ViewContext } from './view-context.js';

export const IMPORTS_BANNER_POLL_MS = 5_000;

export interface ImportsBanner {
  readonly element: HTMLElement;
  dispose(): void;
}

export function importsBanner(ctx: ViewContext): ImportsBanner {
  const link = h('a', { href: formatHash({ ...ctx.state, view: 'imports' }) });
  const element = h('p', { class: 'imports-banner', role: 'status', 'data-imports-banner': '', hidden: true }, [link]);
  if (!ctx.capabilities.imports) return { element, dispose: () => undefined };
  const poller = new Poller<readonly ImportJobStatus[]>({
    intervalMs: IMPORTS_BANNER_POLL_MS,
    signal: ctx.signal,
    fetch: (signal) => loadImports(ctx.http, signal),
    // Keeps looking: an import may start at any time.
    again: () => true,
    onValue: (jobs) => {
      const text = runningBannerText(runningCount(jobs));
      element.hidden = text === null;
      link.textContent = text ?? '';
    },
    // The banner is a hint: without an answer it stays hidden, and the view works on.
    onError: () => {
      element.hidden = true;
    },
  });
  poller.poll();
  return { element, dispose: () => poller.stop() };
}
