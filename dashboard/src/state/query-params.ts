/**
 * The API query parameters a state stands for: the time range (stats routes only), the
 * distribution selection and every filter.
 */
import { resolveRange, type ResolvedRange } from './time-range.js';
import type { DashboardState, FilterValues } from './url-state.js';

export type QueryParams = Readonly<Record<string, string | number | undefined>>;

function selection(state: DashboardState, overrides: FilterValues): Record<string, string> {
  const params: Record<string, string> = {};
  if (state.distributions.length > 0) params.distribution = state.distributions.join(',');
  for (const [name, value] of Object.entries({ ...state.filters, ...overrides })) {
    if (value !== undefined && value !== '') params[name] = value;
  }
  return params;
}

/** Parameters of a stats route over `range` (default: the state's range at `nowMs`). */
export function statsParams(state: DashboardState, nowMs: number, overrides: FilterValues = {}, range: ResolvedRange = resolveRange(state.range, nowMs)): Record<string, string> {
  return { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), ...selection(state, overrides) };
}

/** Parameters of the live stream: no time range, it starts now. */
export function liveParams(state: DashboardState, rate: number): Record<string, string> {
  return { ...selection(state, {}), rate: String(rate) };
}
