/**
 * The signed-in dashboard: header and navigation, the controls bar (time range, distribution,
 * comparison, filters), and the current view, mounted again whenever the URL state changes.
 * Keys 1–8 switch views; every control is a native, focusable element.
 */
import type { Definitions, Role } from '../api/api-types.js';
import type { HttpClient } from '../api/http-client.js';
import type { Capabilities, StatsApi } from '../api/stats-api.js';
import type { WorldTopology } from '../charts/world-map.js';
import { customRange } from '../state/time-range.js';
import { formatHash, withFilterValue, type DashboardState } from '../state/url-state.js';
import { filterSpec, isFilterName } from '../state/filter-catalog.js';
import { releaseDetachedCharts } from '../ui/chart-host.js';
import { button, h, isTyping, replaceChildren } from '../ui/dom.js';
import { enableDrillDown } from '../ui/drill-down.js';
import { filterBar } from '../ui/filter-bar.js';
import { compareSelect, distributionSelect, type DistributionChoice } from '../ui/selection-controls.js';
import { timeRangePicker } from '../ui/time-range-picker.js';
import { alertsView } from '../views/alerts-view.js';
import { cacheView } from '../views/cache-view.js';
import { configView } from '../views/config-view.js';
import { geoView } from '../views/geo-view.js';
import { importsView } from '../views/imports-view.js';
import { liveView } from '../views/live-view.js';
import { performanceView } from '../views/performance-view.js';
import { videoView } from '../views/video-view.js';
import type { MountedView, ViewContext, ViewDefinition } from '../views/view-context.js';
import type { UrlStore } from './url-store.js';

export const VIEWS: readonly ViewDefinition[] = [liveView, cacheView, geoView, performanceView, videoView, alertsView, importsView, configView];

const REFRESH_MS = 60_000;

export interface ShellDependencies {
  readonly http: HttpClient;
  readonly stats: StatsApi;
  readonly role: Role;
  readonly principalName: string;
  readonly capabilities: Capabilities;
  readonly definitions: Definitions;
  readonly topology: WorldTopology;
  readonly distributions: readonly DistributionChoice[];
  readonly signOut: () => void;
}

/** Re-renders `container` with `render()`, keeping keyboard focus on the control that had it. */
function keepingFocus(container: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key !== undefined) container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

/** The state narrowed to one more value of a filter (or distribution) that a chart or table offered. */
function withDrillFilter(state: DashboardState, name: string, value: string): DashboardState {
  if (name === 'distribution') return state.distributions.includes(value) ? state : { ...state, distributions: [...state.distributions, value] };
  return isFilterName(name) ? withFilterValue(state, name, value, filterSpec(name)?.multiple ?? true) : state;
}

export function startShell(root: HTMLElement, store: UrlStore, deps: ShellDependencies): void {
  const visibleViews = VIEWS.filter((v) => v.adminOnly !== true || deps.role === 'admin');
  const nav = h('nav', { class: 'views', 'aria-label': 'Views' });
  const controls = h('div', { class: 'controls', role: 'region', 'aria-label': 'Time range and filters' });
  const main = h('main', { id: 'main', tabindex: -1 });
  const skip = button('Skip to content', () => main.focus(), { class: 'skip-link' });
  replaceChildren(root, [
    skip,
    h('header', { class: 'top' }, [
      h('span', { class: 'brand' }, ['edgewatch']),
      nav,
      h('div', { class: 'session' }, [h('span', { class: `role role-${deps.role}`, 'data-role': deps.role, title: `Signed in as ${deps.principalName}` }, [deps.role]), button('Sign out', deps.signOut, { class: 'small', 'data-action': 'sign-out' })]),
    ]),
    controls,
    main,
    h('footer', { class: 'help' }, ['Keys: 1–8 switch views · Tab moves between controls · on a chart: ← → read values, drag or + / − zoom · select a bar, country or row to filter by it.']),
  ]);

  let mounted: MountedView | null = null;
  let abort: AbortController | null = null;

  const navigate = (next: DashboardState): void => store.navigate(next);
  const renderNav = (state: DashboardState): void =>
    keepingFocus(nav, () =>
      nav.replaceChildren(
        ...visibleViews.map((v, i) =>
          h('a', { href: formatHash({ ...state, view: v.name }), 'aria-current': v.name === state.view ? 'page' : undefined, 'data-view-link': v.name, 'data-focus-key': `nav-${v.name}`, 'aria-keyshortcuts': String(i + 1), class: v.adminOnly === true ? 'admin-link' : undefined }, [v.title]),
        ),
      ),
    );
  const renderControls = (state: DashboardState, view: ViewDefinition): void => {
    // The configuration and imports areas read no traffic: no range, distribution or filters there.
    controls.hidden = view.name === 'config' || view.name === 'imports';
    if (controls.hidden) return;
    keepingFocus(controls, () =>
      replaceChildren(controls, [
        h('div', { class: 'controls-row' }, [
          view.usesTimeRange ? timeRangePicker(state.range, Date.now(), (range) => navigate({ ...state, range })) : h('span', { class: 'muted live-note' }, ['Live: the last minutes, as they happen.']),
          distributionSelect(state, deps.distributions, navigate),
          view.usesTimeRange ? compareSelect(state, navigate) : null,
        ]),
        filterBar(state, navigate),
      ]),
    );
  };

  const show = (state: DashboardState): void => {
    const view = visibleViews.find((v) => v.name === state.view) ?? VIEWS.find((v) => v.name === state.view) ?? liveView;
    document.title = `${view.title} · edgewatch`;
    renderNav(state);
    renderControls(state, view);
    abort?.abort();
    mounted?.dispose();
    abort = new AbortController();
    const ctx: ViewContext = {
      state,
      stats: deps.stats,
      http: deps.http,
      role: deps.role,
      capabilities: deps.capabilities,
      definitions: deps.definitions,
      topology: deps.topology,
      signal: abort.signal,
      timeZone: undefined,
      navigate,
      addFilter: (name, value) => navigate(withDrillFilter(state, name, value)),
      zoomTo: (fromMs, toMs) => {
        const range = customRange(fromMs, Math.min(toMs, Date.now()));
        if (range !== null) navigate({ ...state, range });
      },
    };
    const viewRoot = h('div', { class: `view view-${view.name}`, 'data-view': view.name });
    main.replaceChildren(h('h1', { class: 'visually-hidden' }, [view.title]), viewRoot);
    releaseDetachedCharts();
    mounted = view.mount(viewRoot, ctx);
  };

  enableDrillDown(main, (name, value) => navigate(withDrillFilter(store.state, name, value)));

  document.addEventListener('keydown', (event) => {
    if (isTyping(event) || event.altKey || event.ctrlKey || event.metaKey) return;
    const index = Number(event.key) - 1;
    const view = Number.isInteger(index) ? visibleViews[index] : undefined;
    if (view === undefined) return;
    event.preventDefault();
    navigate({ ...store.state, view: view.name });
  });

  setInterval(() => {
    const state = store.state;
    if (state.range.kind === 'preset' && document.visibilityState === 'visible') mounted?.refresh();
  }, REFRESH_MS);

  store.subscribe(show);
  show(store.state);
}
