/**
 * The filters every stats route and the live stream accept, parsed from query parameters into a
 * typed value. Parsing validates each value against an allow-list or a pattern, so nothing
 * unchecked reaches a query; a bad value is a 400 naming its parameter.
 */
import { invalidParameter } from '../errors.js';

export const CACHE_STATUSES = [
  'hit',
  'refresh_hit',
  'origin_shield_hit',
  'miss',
  'error',
  'redirect',
  'limit_exceeded',
  'capacity_exceeded',
  'other',
] as const;
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', '000'] as const;
export const CONTENT_CLASSES = ['html', 'script', 'style', 'image', 'font', 'video_segment', 'video_manifest', 'api', 'websocket', 'other'] as const;
export const DEVICES = ['desktop', 'mobile', 'tablet', 'smarttv', 'console', 'wearable', 'embedded', 'bot', 'unknown', 'empty'] as const;
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'] as const;
export const PROTOCOLS = ['http', 'https', 'ws', 'wss'] as const;
export const HTTP_VERSIONS = ['0.9', '1.0', '1.1', '2', '3'] as const;
/** Kind of CloudFront log a row came from (the `source` column): real-time logs, or imported standard logs. */
export const SOURCES = ['realtime', 'standard'] as const;

/** A parsed filter set. Absent lists mean "any". Times are epoch ms, `from` inclusive, `to` exclusive. */
export interface Filters {
  readonly fromMs: number;
  readonly toMs: number;
  /** Distribution IDs (domains already resolved); empty means all. */
  readonly distributions: readonly string[];
  readonly country?: readonly string[];
  /** 3-letter POP codes (`IAD`) or full edge locations (`IAD89-C1`). */
  readonly pop?: readonly string[];
  readonly cacheStatus?: readonly (typeof CACHE_STATUSES)[number][];
  readonly statusClass?: readonly (typeof STATUS_CLASSES)[number][];
  readonly status?: readonly number[];
  readonly method?: readonly (typeof METHODS)[number][];
  readonly protocol?: readonly (typeof PROTOCOLS)[number][];
  readonly httpVersion?: readonly (typeof HTTP_VERSIONS)[number][];
  readonly sslProtocol?: readonly string[];
  /** x-edge-detailed-result-type values (ClientGeoBlocked, OriginDnsError, …). */
  readonly detailedResult?: readonly string[];
  readonly contentClass?: readonly (typeof CONTENT_CLASSES)[number][];
  readonly cacheBehavior?: readonly string[];
  readonly pathPrefix?: string;
  readonly device?: readonly (typeof DEVICES)[number][];
  readonly bot?: boolean;
  readonly source?: readonly (typeof SOURCES)[number][];
}

export type FilterName = Exclude<keyof Filters, 'fromMs' | 'toMs' | 'distributions'>;

export interface FilterLimits {
  /** Longest range a query may span. */
  readonly maxRangeMs: number;
  /** Most values one list parameter may hold. */
  readonly maxValues: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxRangeMs: 400 * 86_400_000, maxValues: 50 };

/** Domain or ID → distribution ID; '' when the domain is unknown. */
export type DistributionResolver = (domainOrId: string) => string | undefined;

const DEFAULT_RANGE_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Earliest accepted time: CloudFront real-time logs did not exist before 2020. */
const EARLIEST_MS = Date.UTC(2015, 0, 1);
const MAX_TEXT = 512;

/** JSON schema (OpenAPI) of the filter query parameters; each route adds its own. */
export const filterQuerySchema = {
  from: { type: 'string', maxLength: 40, description: 'Start (inclusive): ISO 8601 or epoch ms. Default: `to` minus one hour.' },
  to: { type: 'string', maxLength: 40, description: 'End (exclusive): ISO 8601 or epoch ms. Default: now, rounded up to the minute.' },
  distribution: { type: 'string', maxLength: 4096, description: 'Comma-separated distribution IDs or CloudFront domains; absent means all.' },
  country: { type: 'string', maxLength: 1024, description: 'Comma-separated ISO 3166-1 alpha-2 codes of the viewer country.' },
  pop: { type: 'string', maxLength: 1024, description: 'Comma-separated POP codes (IAD) or edge locations (IAD89-C1).' },
  cacheStatus: { type: 'string', maxLength: 1024, description: `Comma-separated: ${CACHE_STATUSES.join(', ')}.` },
  statusClass: { type: 'string', maxLength: 256, description: `Comma-separated: ${STATUS_CLASSES.join(', ')}.` },
  status: { type: 'string', maxLength: 512, description: 'Comma-separated HTTP status codes (0–999).' },
  method: { type: 'string', maxLength: 256, description: `Comma-separated: ${METHODS.join(', ')}.` },
  protocol: { type: 'string', maxLength: 64, description: `Comma-separated: ${PROTOCOLS.join(', ')}.` },
  httpVersion: { type: 'string', maxLength: 64, description: `Comma-separated: ${HTTP_VERSIONS.join(', ')}.` },
  sslProtocol: { type: 'string', maxLength: 256, description: 'Comma-separated TLS protocols, e.g. TLSv1.3.' },
  detailedResult: { type: 'string', maxLength: 1024, description: 'Comma-separated x-edge-detailed-result-type values, e.g. ClientGeoBlocked,OriginDnsError.' },
  contentClass: { type: 'string', maxLength: 512, description: `Comma-separated: ${CONTENT_CLASSES.join(', ')}.` },
  cacheBehavior: { type: 'string', maxLength: 4096, description: 'Comma-separated cache behavior path patterns, e.g. /api/*.' },
  pathPrefix: { type: 'string', maxLength: MAX_TEXT, description: 'Only requests whose decoded URI path starts with this.' },
  device: { type: 'string', maxLength: 256, description: `Comma-separated: ${DEVICES.join(', ')}.` },
  bot: { type: 'string', enum: ['true', 'false'], description: 'true: only bots; false: no bots.' },
  source: { type: 'string', maxLength: 64, description: `Kind of log, comma-separated: ${SOURCES.join(', ')} (real-time logs, imported standard logs).` },
} as const;

export type FilterQuery = Partial<Record<keyof typeof filterQuerySchema, string>>;

/** Parses `from`/`to`: ISO 8601 (with a zone or Z) or epoch milliseconds. */
export function parseTime(parameter: string, value: string): number {
  const trimmed = value.trim();
  let ms: number;
  if (/^\d{1,15}$/.test(trimmed)) ms = Number(trimmed);
  else if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) ms = Date.parse(trimmed);
  else throw invalidParameter(parameter, 'must be an ISO 8601 time or epoch milliseconds');
  if (!Number.isFinite(ms)) throw invalidParameter(parameter, 'is not a valid time');
  if (ms < EARLIEST_MS || ms > Date.now() + 86_400_000) throw invalidParameter(parameter, 'is out of range');
  return ms;
}

function list(parameter: string, value: string | undefined, limits: FilterLimits): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (items.length === 0) throw invalidParameter(parameter, 'must name at least one value');
  if (items.length > limits.maxValues) throw invalidParameter(parameter, `at most ${limits.maxValues} values`);
  for (const item of items) {
    if (item.length > MAX_TEXT) throw invalidParameter(parameter, `values are at most ${MAX_TEXT} characters`);
  }
  return [...new Set(items)];
}

function enumList<T extends string>(
  parameter: string,
  value: string | undefined,
  allowed: readonly T[],
  limits: FilterLimits,
  normalise: (v: string) => string = (v) => v,
): T[] | undefined {
  const items = list(parameter, value, limits);
  if (items === undefined) return undefined;
  return items.map((raw) => {
    const item = normalise(raw);
    if (!(allowed as readonly string[]).includes(item)) {
      throw invalidParameter(parameter, `unknown value "${raw.slice(0, 40)}"; expected one of ${allowed.join(', ')}`);
    }
    return item as T;
  });
}

function patternList(parameter: string, value: string | undefined, pattern: RegExp, what: string, limits: FilterLimits): string[] | undefined {
  const items = list(parameter, value, limits);
  items?.forEach((item) => {
    if (!pattern.test(item)) throw invalidParameter(parameter, `"${item.slice(0, 40)}" is not ${what}`);
  });
  return items;
}

/** Printable text without control characters (a cache behavior pattern, a path prefix). */
const PRINTABLE = /^[^\p{Cc}]+$/u;

export function parseFilters(query: FilterQuery, resolve: DistributionResolver, limits: FilterLimits = DEFAULT_FILTER_LIMITS, nowMs = Date.now()): Filters {
  const defaultTo = Math.ceil(nowMs / MINUTE_MS) * MINUTE_MS;
  const toMs = query.to === undefined ? defaultTo : parseTime('to', query.to);
  const fromMs = query.from === undefined ? toMs - DEFAULT_RANGE_MS : parseTime('from', query.from);
  if (fromMs >= toMs) throw invalidParameter('from', 'must be before to');
  if (toMs - fromMs > limits.maxRangeMs) throw invalidParameter('from', `the range may span at most ${Math.round(limits.maxRangeMs / 86_400_000)} days`);

  const distributionInput = list('distribution', query.distribution, limits) ?? [];
  const distributions = distributionInput.map((item) => {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(item)) throw invalidParameter('distribution', `"${item.slice(0, 40)}" is not a distribution ID or domain`);
    const id = resolve(item);
    if (id === undefined) throw invalidParameter('distribution', `unknown distribution "${item}"`);
    return id;
  });

  const status = list('status', query.status, limits)?.map((item) => {
    if (!/^\d{1,3}$/.test(item)) throw invalidParameter('status', `"${item.slice(0, 40)}" is not an HTTP status code`);
    return Number(item);
  });
  let pathPrefix: string | undefined;
  if (query.pathPrefix !== undefined) {
    if (!query.pathPrefix.startsWith('/') || !PRINTABLE.test(query.pathPrefix) || query.pathPrefix.length > MAX_TEXT) {
      throw invalidParameter('pathPrefix', 'must start with / and hold no control characters');
    }
    pathPrefix = query.pathPrefix;
  }
  let bot: boolean | undefined;
  if (query.bot !== undefined) {
    if (query.bot !== 'true' && query.bot !== 'false') throw invalidParameter('bot', 'must be true or false');
    bot = query.bot === 'true';
  }

  const filters: Filters = {
    fromMs,
    toMs,
    distributions: [...new Set(distributions)],
    country: patternList('country', query.country?.toUpperCase(), /^[A-Z]{2}$/, 'a two-letter country code', limits),
    pop: patternList('pop', query.pop?.toUpperCase(), /^[A-Z]{3}(\d{1,3}(-[A-Z0-9]{1,6})?)?$/, 'a POP code or edge location', limits),
    cacheStatus: enumList('cacheStatus', query.cacheStatus, CACHE_STATUSES, limits, (v) => v.toLowerCase()),
    statusClass: enumList('statusClass', query.statusClass, STATUS_CLASSES, limits, (v) => v.toLowerCase()),
    status,
    method: enumList('method', query.method, METHODS, limits, (v) => v.toUpperCase()),
    protocol: enumList('protocol', query.protocol, PROTOCOLS, limits, (v) => v.toLowerCase()),
    httpVersion: enumList('httpVersion', query.httpVersion, HTTP_VERSIONS, limits, (v) => v.replace(/^HTTP\//i, '')),
    sslProtocol: patternList('sslProtocol', query.sslProtocol, /^[A-Za-z0-9.v_-]{1,32}$/, 'a TLS protocol name', limits),
    detailedResult: patternList('detailedResult', query.detailedResult, /^[A-Za-z]{1,64}$/, 'a result type', limits),
    contentClass: enumList('contentClass', query.contentClass, CONTENT_CLASSES, limits, (v) => v.toLowerCase()),
    cacheBehavior: patternList('cacheBehavior', query.cacheBehavior, PRINTABLE, 'a path pattern', limits),
    pathPrefix,
    device: enumList('device', query.device, DEVICES, limits, (v) => v.toLowerCase()),
    bot,
    source: enumList('source', query.source, SOURCES, limits, (v) => v.toLowerCase()),
  };
  // Drop absent keys so `Object.keys` lists only the filters in use.
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as unknown as Filters;
}

/** Names of the optional filters that are set. */
export function activeFilters(filters: Filters): FilterName[] {
  return (Object.keys(filters) as (keyof Filters)[]).filter(
    (k): k is FilterName => k !== 'fromMs' && k !== 'toMs' && k !== 'distributions',
  );
}
