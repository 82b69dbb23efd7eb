/**
 * A panel: a titled card with explicit states — loading, error (with the API's message and a
 * retry), empty (with the reason) and ready. `data-state` says which, for tests and styling.
 */
import { ApiRequestError } from '../api/http-client.js';
import { append, button, h, replaceChildren, type Child } from './dom.js';

export type PanelState = 'loading' | 'error' | 'empty' | 'ready';

export interface PanelOptions {
  /** Spans the full width of the grid. */
  readonly wide?: boolean;
  /** A line under the title (what is shown, a caveat). */
  readonly note?: string;
  /** How the numbers are computed, behind a "How is this computed?" toggle. */
  readonly definition?: readonly string[];
  /** Test and link anchor. */
  readonly id?: string;
}

/** What a panel's task returns: content, or why there is none. */
export type PanelResult = Child | readonly Child[] | { readonly empty: string };

let panelCounter = 0;

export class Panel {
  readonly element: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly body: HTMLElement;
  #state: PanelState = 'loading';
  #hasContent = false;

  constructor(title: string, options: PanelOptions = {}) {
    const headingId = `panel-title-${++panelCounter}`;
    this.toolbar = h('div', { class: 'panel-toolbar' });
    this.body = h('div', { class: 'panel-body' });
    this.element = h('section', { class: options.wide === true ? 'panel wide' : 'panel', 'aria-labelledby': headingId, 'data-panel': options.id, 'data-state': 'loading' }, [
      h('header', { class: 'panel-header' }, [h('h2', { id: headingId }, [title]), this.toolbar]),
      options.note === undefined ? null : h('p', { class: 'panel-note' }, [options.note]),
      options.definition === undefined || options.definition.length === 0
        ? null
        : h('details', { class: 'definition' }, [h('summary', {}, ['How is this computed?']), ...options.definition.map((text) => h('p', {}, [text]))]),
      this.body,
    ]);
    this.loading();
  }

  get state(): PanelState {
    return this.#state;
  }

  #set(state: PanelState, children: readonly Child[]): void {
    this.#state = state;
    this.element.dataset.state = state;
    this.element.setAttribute('aria-busy', String(state === 'loading'));
    replaceChildren(this.body, children);
  }

  /** Shows "Loading…" unless content is already there (a refresh keeps the old content until the new arrives). */
  loading(): void {
    if (this.#hasContent) {
      this.element.setAttribute('aria-busy', 'true');
      return;
    }
    this.#set('loading', [h('p', { class: 'state state-loading', role: 'status' }, ['Loading…'])]);
  }

  error(err: unknown, retry?: () => void): void {
    this.#hasContent = false;
    this.#set('error', [
      h('div', { class: 'state state-error', role: 'alert' }, [h('strong', {}, ['Could not load this panel. ']), describeError(err), retry === undefined ? null : button('Retry', retry, { class: 'link-button' })]),
    ]);
  }

  empty(reason: string): void {
    this.#hasContent = false;
    this.#set('empty', [h('p', { class: 'state state-empty' }, [reason])]);
  }

  content(children: readonly Child[]): void {
    this.#hasContent = true;
    this.#set('ready', children);
  }

  /** Adds controls (toggles) to the header. */
  addTools(children: readonly Child[]): void {
    append(this.toolbar, children);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ApiRequestError) {
    if (err.code === 'network') return `${err.message}.`;
    const parameter = err.parameter === undefined ? '' : ` (parameter “${err.parameter}”)`;
    return `The API answered ${err.status} ${err.code}${parameter}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a panel's task: loading state, then its content, empty reason or error. Aborted tasks
 * (the view changed) leave the panel alone.
 */
export async function runPanel(panel: Panel, signal: AbortSignal, task: () => Promise<PanelResult>): Promise<void> {
  panel.loading();
  try {
    const result = await task();
    if (signal.aborted) return;
    if (result !== null && typeof result === 'object' && 'empty' in result) panel.empty(result.empty);
    else panel.content(Array.isArray(result) ? (result as readonly Child[]) : [result as Child]);
  } catch (err) {
    if (signal.aborted || (err instanceof ApiRequestError && err.code === 'aborted')) return;
    panel.error(err, () => void runPanel(panel, signal, task));
  }
}
