/**
 * What a view gets to work with, and what it gives back.
 */
import type { Capabilities, StatsApi } from '../api/stats-api.js';
import type { Definitions, Role } from '../api/api-types.js';
import type { HttpClient } from '../api/http-client.js';
import type { WorldTopology } from '../charts/world-map.js';
import type { DashboardState } from '../state/url-state.js';

export interface ViewContext {
  readonly state: DashboardState;
  readonly stats: StatsApi;
  readonly http: HttpClient;
  readonly role: Role;
  readonly capabilities: Capabilities;
  readonly definitions: Definitions;
  readonly topology: WorldTopology;
  /** Aborted when the view goes away. */
  readonly signal: AbortSignal;
  /** Zone of times on axes and in tables; undefined: the browser's. */
  readonly timeZone: string | undefined;
  navigate(next: DashboardState): void;
  /** Adds a filter value (drill-down). */
  addFilter(name: string, value: string): void;
  /** Sets a custom time range (brush-to-zoom). */
  zoomTo(fromMs: number, toMs: number): void;
}

export interface MountedView {
  /** Loads fresh data for the same state (a relative range moves with the clock). */
  refresh(): void;
  dispose(): void;
}

export interface ViewDefinition {
  readonly name: DashboardState['view'];
  readonly title: string;
  /** Whether the time range and comparison controls apply. */
  readonly usesTimeRange: boolean;
  readonly adminOnly?: boolean;
  mount(root: HTMLElement, ctx: ViewContext): MountedView;
}
