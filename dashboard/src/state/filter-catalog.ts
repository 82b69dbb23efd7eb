/**
 * Every filter the API accepts, with a label and its allowed values (for pick lists). The value
 * lists mirror api/query/filters.ts; the type checks below fail when the API adds or drops a value
 * or a filter the dashboard does not know.
 */
import type { FilterName, Filters } from '../api/api-types.js';

type ValuesOf<K extends FilterName> = NonNullable<Filters[K]> extends readonly (infer V)[] ? V : never;

const CACHE_STATUSES = ['hit', 'refresh_hit', 'origin_shield_hit', 'miss', 'error', 'redirect', 'limit_exceeded', 'capacity_exceeded', 'other'] as const satisfies readonly ValuesOf<'cacheStatus'>[];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', '000'] as const satisfies readonly ValuesOf<'statusClass'>[];
const CONTENT_CLASSES = ['html', 'script', 'style', 'image', 'font', 'video_segment', 'video_manifest', 'api', 'websocket', 'other'] as const satisfies readonly ValuesOf<'contentClass'>[];
const DEVICES = ['desktop', 'mobile', 'tablet', 'smarttv', 'console', 'wearable', 'embedded', 'bot', 'unknown', 'empty'] as const satisfies readonly ValuesOf<'device'>[];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'] as const satisfies readonly ValuesOf<'method'>[];
const PROTOCOLS = ['http', 'https', 'ws', 'wss'] as const satisfies readonly ValuesOf<'protocol'>[];
const HTTP_VERSIONS = ['0.9', '1.0', '1.1', '2', '3'] as const satisfies readonly ValuesOf<'httpVersion'>[];
const SOURCES = ['realtime', 'standard'] as const satisfies readonly ValuesOf<'source'>[];
/** Suggestions only: the API accepts any TLS protocol name. */
export const TLS_PROTOCOLS = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'] as const;

/** True when `Listed` names every value of `All`. */
type Complete<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
const complete: [
  Complete<ValuesOf<'cacheStatus'>, (typeof CACHE_STATUSES)[number]>,
  Complete<ValuesOf<'statusClass'>, (typeof STATUS_CLASSES)[number]>,
  Complete<ValuesOf<'contentClass'>, (typeof CONTENT_CLASSES)[number]>,
  Complete<ValuesOf<'device'>, (typeof DEVICES)[number]>,
  Complete<ValuesOf<'method'>, (typeof METHODS)[number]>,
  Complete<ValuesOf<'protocol'>, (typeof PROTOCOLS)[number]>,
  Complete<ValuesOf<'httpVersion'>, (typeof HTTP_VERSIONS)[number]>,
  Complete<ValuesOf<'source'>, (typeof SOURCES)[number]>,
] = [true, true, true, true, true, true, true, true];
void complete;

export interface FilterSpec {
  readonly name: FilterName;
  readonly label: string;
  /** Allowed values (a pick list); absent: free text checked by the API. */
  readonly values?: readonly string[];
  /** Suggestions for free-text filters. */
  readonly suggestions?: readonly string[];
  /** Several values, comma-separated. */
  readonly multiple: boolean;
  readonly hint: string;
}

const FILTER_LIST = [
  { name: 'country', label: 'Country', multiple: true, hint: 'ISO codes, e.g. US,DE' },
  { name: 'pop', label: 'POP', multiple: true, hint: 'POP codes or edge locations, e.g. IAD or IAD89-C1' },
  { name: 'cacheStatus', label: 'Cache result', values: CACHE_STATUSES, multiple: true, hint: 'hit, miss, …' },
  { name: 'statusClass', label: 'Status class', values: STATUS_CLASSES, multiple: true, hint: '2xx, 4xx, …' },
  { name: 'status', label: 'Status', multiple: true, hint: 'HTTP status codes, e.g. 403,404' },
  { name: 'method', label: 'Method', values: METHODS, multiple: true, hint: 'GET, POST, …' },
  { name: 'protocol', label: 'Protocol', values: PROTOCOLS, multiple: true, hint: 'http, https, ws, wss' },
  { name: 'httpVersion', label: 'HTTP version', values: HTTP_VERSIONS, multiple: true, hint: '1.1, 2, 3' },
  { name: 'sslProtocol', label: 'TLS version', suggestions: TLS_PROTOCOLS, multiple: true, hint: 'e.g. TLSv1.3' },
  { name: 'detailedResult', label: 'Detailed result', multiple: true, hint: 'x-edge-detailed-result-type, e.g. ClientGeoBlocked' },
  { name: 'contentClass', label: 'Content class', values: CONTENT_CLASSES, multiple: true, hint: 'html, image, video_segment, …' },
  { name: 'cacheBehavior', label: 'Cache behavior', multiple: true, hint: 'path patterns, e.g. /api/*' },
  { name: 'pathPrefix', label: 'Path prefix', multiple: false, hint: 'starts with /, e.g. /video/' },
  { name: 'device', label: 'Device', values: DEVICES, multiple: true, hint: 'desktop, mobile, …' },
  { name: 'bot', label: 'Bots', values: ['true', 'false'], multiple: false, hint: 'true: only bots; false: no bots' },
  { name: 'source', label: 'Log kind', values: SOURCES, multiple: true, hint: 'realtime (real-time logs), standard (imported standard logs)' },
] as const satisfies readonly FilterSpec[];

export const FILTERS: readonly FilterSpec[] = FILTER_LIST;

const allNamed: Complete<FilterName, (typeof FILTER_LIST)[number]['name']> = true;
void allNamed;

export const FILTER_NAMES: readonly FilterName[] = FILTERS.map((f) => f.name);

export function filterSpec(name: string): FilterSpec | undefined {
  return FILTERS.find((f) => f.name === name);
}

export function isFilterName(name: string): name is FilterName {
  return FILTER_NAMES.includes(name as FilterName);
}
