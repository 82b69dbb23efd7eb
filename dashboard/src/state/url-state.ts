/**
 * The dashboard's whole state lives in the URL fragment, so a link reproduces the view:
 * `#/cache?range=24h&distribution=E1&country=US,DE&compare=1d&hit=edge`. Parsing never throws:
 * anything unknown or malformed falls back to the default. Tokens never go into the URL.
 */
import type { ComparePeriod, FilterName } from '../api/api-types.js';
import { FILTER_NAMES } from './filter-catalog.js';
import { DEFAULT_RANGE, customRange, isRangePreset, type TimeRange } from './time-range.js';

export const VIEW_NAMES = ['live', 'cache', 'geo', 'performance', 'video', 'alerts', 'imports', 'config'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export const COMPARE_PERIODS = ['1h', '1d', '7d', '28d'] as const satisfies readonly ComparePeriod[];

export const HIT_DEFINITIONS = ['cloudwatch', 'edge'] as const;
export const MAP_METRICS = ['requests', 'hitRatio', 'geoBlocked', 'ttfb'] as const;

export interface ViewOptions {
  /** Cache view: which hit ratio (CloudWatch's or hits ÷ all requests). */
  readonly hit: (typeof HIT_DEFINITIONS)[number];
  /** Geo view: what the map shades. */
  readonly map: (typeof MAP_METRICS)[number];
  /** Video view: the path prefix of live events. */
  readonly livePrefix: string;
}

export const DEFAULT_OPTIONS: ViewOptions = { hit: 'cloudwatch', map: 'requests', livePrefix: '/live/' };

export type FilterValues = Readonly<Partial<Record<FilterName, string>>>;

export interface DashboardState {
  readonly view: ViewName;
  readonly range: TimeRange;
  /** Distribution IDs or domains; empty: all. */
  readonly distributions: readonly string[];
  /** Filter values as the API takes them (comma-separated lists). */
  readonly filters: FilterValues;
  readonly compare: ComparePeriod | null;
  readonly options: ViewOptions;
}

export const DEFAULT_STATE: DashboardState = { view: 'live', range: DEFAULT_RANGE, distributions: [], filters: {}, compare: null, options: DEFAULT_OPTIONS };

const MAX_VALUE = 512;

/** Trimmed text without control characters, or undefined. */
function cleanValue(value: string | null): string | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > MAX_VALUE || /\p{Cc}/u.test(trimmed)) return undefined;
  return trimmed;
}

function parseTime(value: string | null): number {
  if (value === null) return Number.NaN;
  return /^\d{10,15}$/.test(value) ? Number(value) : Date.parse(value);
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function parseHash(hash: string): DashboardState {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const [pathPart = '', queryPart = ''] = text.split('?', 2);
  const view = oneOf(pathPart.replace(/^\//, ''), VIEW_NAMES, DEFAULT_STATE.view);
  const params = new URLSearchParams(queryPart);

  const rangeParam = params.get('range');
  let range: TimeRange = DEFAULT_RANGE;
  if (rangeParam !== null && isRangePreset(rangeParam)) range = { kind: 'preset', preset: rangeParam };
  else if (rangeParam === 'custom') range = customRange(parseTime(params.get('from')), parseTime(params.get('to'))) ?? DEFAULT_RANGE;

  const filters: Partial<Record<FilterName, string>> = {};
  for (const name of FILTER_NAMES) {
    const value = cleanValue(params.get(name));
    if (value !== undefined) filters[name] = value;
  }
  const distribution = cleanValue(params.get('distribution'));
  const compare = params.get('compare');
  const livePrefix = cleanValue(params.get('livePrefix'));

  return {
    view,
    range,
    distributions: distribution === undefined ? [] : [...new Set(distribution.split(',').map((d) => d.trim()).filter((d) => d !== ''))],
    filters,
    compare: compare !== null && (COMPARE_PERIODS as readonly string[]).includes(compare) ? (compare as ComparePeriod) : null,
    options: {
      hit: oneOf(params.get('hit'), HIT_DEFINITIONS, DEFAULT_OPTIONS.hit),
      map: oneOf(params.get('map'), MAP_METRICS, DEFAULT_OPTIONS.map),
      livePrefix: livePrefix !== undefined && livePrefix.startsWith('/') ? livePrefix : DEFAULT_OPTIONS.livePrefix,
    },
  };
}

/** The fragment for a state; parameters in a fixed order, defaults left out. */
export function formatHash(state: DashboardState): string {
  const params = new URLSearchParams();
  if (state.range.kind === 'preset') {
    if (state.range.preset !== (DEFAULT_RANGE.kind === 'preset' ? DEFAULT_RANGE.preset : '')) params.set('range', state.range.preset);
  } else {
    params.set('range', 'custom');
    params.set('from', new Date(state.range.fromMs).toISOString());
    params.set('to', new Date(state.range.toMs).toISOString());
  }
  if (state.distributions.length > 0) params.set('distribution', state.distributions.join(','));
  for (const name of FILTER_NAMES) {
    const value = state.filters[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  if (state.compare !== null) params.set('compare', state.compare);
  for (const key of Object.keys(DEFAULT_OPTIONS) as (keyof ViewOptions)[]) {
    if (state.options[key] !== DEFAULT_OPTIONS[key]) params.set(key, state.options[key]);
  }
  const query = params.toString();
  return `#/${state.view}${query === '' ? '' : `?${query}`}`;
}

/** A filter's values as a list. */
export function filterValues(state: DashboardState, name: FilterName): string[] {
  return (state.filters[name] ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The state with `value` added to filter `name` (pathPrefix and bot hold one value: replaced). */
export function withFilterValue(state: DashboardState, name: FilterName, value: string, multiple: boolean): DashboardState {
  const current = multiple ? filterValues(state, name) : [];
  if (current.includes(value)) return state;
  return { ...state, filters: { ...state.filters, [name]: [...current, value].join(',') } };
}

export function withoutFilter(state: DashboardState, name: FilterName): DashboardState {
  const { [name]: _removed, ...rest } = state.filters;
  return { ...state, filters: rest };
}
