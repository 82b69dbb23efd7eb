/**
 * The traffic model of the generated benchmark store, as ClickHouse query parameters: who the
 * viewers are (about 100 countries, skewed), which POPs serve them (about 100, mostly on the
 * viewer's continent), what each demo distribution serves (content classes, cache behaviors, URIs,
 * clients), how each request ends (cache class, result types, status) and with what sampling rate.
 *
 * Weighted choices are lookup tables: a table of TABLE_SIZE 1-based indices in which each value
 * appears in proportion to its weight, so SQL picks one with `table[1 + hash % TABLE_SIZE]`. Tables
 * per distribution (or per content class …) are laid end to end in one flat array: indexing a
 * constant array of arrays copies the inner array for every row, which is 30 times slower.
 */
import { countries } from 'countries-list';
import { DEMO_DISTRIBUTIONS, type TrafficProfile } from '../ingest/simulator/demo-distributions.js';
import { GEO_BLOCKED_COUNTRIES, VIEWER_COUNTRIES } from '../ingest/simulator/geography.js';
import { diurnalFactor } from '../ingest/simulator/load-curves.js';
import { CLIENT_MIX, CLIENTS, type ClientName } from '../ingest/simulator/user-agents.js';
import { EDGE_LOCATIONS } from '../processor/enrich/data/edge-locations.js';
import { countryInfo } from '../processor/enrich/geo.js';
import { classifyUserAgent } from '../processor/enrich/user-agent.js';

export const TABLE_SIZE = 1000;
/** Countries need a finer table: the tail of ~100 countries holds shares of about 0.1 %. */
export const COUNTRY_TABLE_SIZE = 10_000;

const CONTENT_CLASSES = ['html', 'script', 'style', 'image', 'font', 'video_segment', 'video_manifest', 'api', 'websocket', 'other'] as const;
type ContentClass = (typeof CONTENT_CLASSES)[number];
const CACHE_CLASSES = ['hit', 'refresh_hit', 'origin_shield_hit', 'miss', 'error', 'redirect', 'limit_exceeded', 'capacity_exceeded'] as const;
type CacheClass = (typeof CACHE_CLASSES)[number];

/** Share of all requests per distribution profile, and the sampling rate of its real-time log config. */
const PROFILE: Record<TrafficProfile, { share: number; samplingRate: number }> = {
  web: { share: 40, samplingRate: 100 },
  video: { share: 30, samplingRate: 50 },
  api: { share: 22, samplingRate: 100 },
  downloads: { share: 8, samplingRate: 20 },
};

const CONTENT_MIX: Record<TrafficProfile, Partial<Record<ContentClass, number>>> = {
  web: { html: 14, script: 20, style: 8, image: 40, font: 5, api: 11, other: 2 },
  video: { video_segment: 84, video_manifest: 12, image: 3, other: 1 },
  api: { api: 94, websocket: 2, other: 4 },
  downloads: { other: 82, html: 10, image: 8 },
};

/** Cache behavior path pattern per profile and content class ('Default (*)' where none matches). */
const BEHAVIORS: Record<TrafficProfile, Partial<Record<ContentClass, string>>> = {
  web: { script: '/assets/*', style: '/assets/*', font: '/assets/*', image: '/images/*', api: '/api/*' },
  video: { video_segment: '/vod/*', video_manifest: '*.m3u8', image: '/thumbs/*' },
  api: { api: '/v1/*', websocket: '/ws' },
  downloads: { other: '/releases/*' },
};

/** URI path prefix per profile and content class; the object id and CONTENT.suffix follow. */
const PATHS: Record<TrafficProfile, Partial<Record<ContentClass, string>>> = {
  web: { html: '/products/item-', script: '/assets/js/chunk-', style: '/assets/css/theme-', image: '/images/p/', font: '/assets/fonts/f', api: '/api/cart/', other: '/robots-' },
  video: { video_segment: '/vod/title-', video_manifest: '/vod/title-', image: '/thumbs/t', other: '/vod/captions-' },
  api: { api: '/v1/orders/', websocket: '/ws/session-', other: '/v1/health-' },
  downloads: { other: '/releases/app-', html: '/releases/notes-', image: '/releases/screens/s' },
};

interface ContentShape {
  readonly suffix: string;
  readonly contentType: string;
  /** Distinct objects: ids are drawn log-uniformly from 1..objects, a Zipf-like popularity. */
  readonly objects: number;
  /** Median body size in bytes and the spread (sigma of its logarithm). */
  readonly medianBytes: number;
  readonly sigma: number;
  readonly cache: Partial<Record<CacheClass, number>>;
}

const CONTENT: Record<ContentClass, ContentShape> = {
  html: { suffix: '', contentType: 'text/html; charset=utf-8', objects: 50_000, medianBytes: 28_000, sigma: 0.6, cache: { hit: 58, refresh_hit: 4, miss: 34, error: 2, redirect: 2 } },
  script: { suffix: '.js', contentType: 'application/javascript', objects: 2_000, medianBytes: 45_000, sigma: 1.0, cache: { hit: 93, refresh_hit: 2, origin_shield_hit: 1, miss: 3.7, error: 0.3 } },
  style: { suffix: '.css', contentType: 'text/css', objects: 400, medianBytes: 18_000, sigma: 0.8, cache: { hit: 94, refresh_hit: 2, origin_shield_hit: 1, miss: 2.8, error: 0.2 } },
  image: { suffix: '.webp', contentType: 'image/webp', objects: 400_000, medianBytes: 42_000, sigma: 1.1, cache: { hit: 88, refresh_hit: 1, origin_shield_hit: 2, miss: 8.5, error: 0.5 } },
  font: { suffix: '.woff2', contentType: 'font/woff2', objects: 40, medianBytes: 24_000, sigma: 0.4, cache: { hit: 97, refresh_hit: 1, miss: 1.9, error: 0.1 } },
  video_segment: { suffix: '/seg.ts', contentType: 'video/mp2t', objects: 2_000_000, medianBytes: 1_400_000, sigma: 0.7, cache: { hit: 93, origin_shield_hit: 3, miss: 3.4, error: 0.5, capacity_exceeded: 0.1 } },
  video_manifest: { suffix: '/index.m3u8', contentType: 'application/vnd.apple.mpegurl', objects: 8_000, medianBytes: 1_800, sigma: 0.5, cache: { hit: 70, refresh_hit: 5, origin_shield_hit: 3, miss: 20, error: 2 } },
  api: { suffix: '', contentType: 'application/json', objects: 200_000, medianBytes: 1_600, sigma: 1.2, cache: { hit: 18, miss: 76, error: 5, limit_exceeded: 1 } },
  websocket: { suffix: '', contentType: '', objects: 100_000, medianBytes: 40_000, sigma: 1.5, cache: { miss: 97, error: 3 } },
  other: { suffix: '.bin', contentType: 'application/octet-stream', objects: 3_000, medianBytes: 4_000_000, sigma: 1.6, cache: { hit: 84, origin_shield_hit: 2, miss: 12, error: 2 } },
};

/** How a request ended: status code, detailed result type, and whether the geo restriction refused it. */
interface Outcome {
  readonly status: number;
  readonly detailed: string;
}

const RESULT_TYPES: Record<CacheClass, { result: string; response: string }> = {
  hit: { result: 'Hit', response: 'Hit' },
  refresh_hit: { result: 'RefreshHit', response: 'RefreshHit' },
  origin_shield_hit: { result: 'Miss', response: 'Miss' },
  miss: { result: 'Miss', response: 'Miss' },
  error: { result: 'Error', response: 'Error' },
  redirect: { result: 'Redirect', response: 'Redirect' },
  limit_exceeded: { result: 'LimitExceeded', response: 'LimitExceeded' },
  capacity_exceeded: { result: 'CapacityExceeded', response: 'CapacityExceeded' },
};

const detailedOf: Record<CacheClass, string> = {
  hit: 'Hit',
  refresh_hit: 'RefreshHit',
  origin_shield_hit: 'OriginShieldHit',
  miss: 'Miss',
  error: 'Error',
  redirect: 'Redirect',
  limit_exceeded: 'LimitExceeded',
  capacity_exceeded: 'CapacityExceeded',
};

/** Status mix per cache class; errors carry their detailed type. */
const OUTCOMES: Record<CacheClass, Array<[Outcome, number]>> = {
  hit: [[{ status: 200, detailed: 'Hit' }, 86], [{ status: 304, detailed: 'Hit' }, 10], [{ status: 206, detailed: 'Hit' }, 2], [{ status: 404, detailed: 'Hit' }, 2]],
  refresh_hit: [[{ status: 200, detailed: 'RefreshHit' }, 80], [{ status: 304, detailed: 'RefreshHit' }, 20]],
  origin_shield_hit: [[{ status: 200, detailed: 'OriginShieldHit' }, 97], [{ status: 304, detailed: 'OriginShieldHit' }, 3]],
  miss: [[{ status: 200, detailed: 'Miss' }, 86], [{ status: 304, detailed: 'Miss' }, 3], [{ status: 404, detailed: 'Miss' }, 6], [{ status: 401, detailed: 'Miss' }, 2], [{ status: 400, detailed: 'Miss' }, 1], [{ status: 500, detailed: 'Miss' }, 1], [{ status: 201, detailed: 'Miss' }, 1]],
  error: [
    [{ status: 502, detailed: 'OriginConnectError' }, 25],
    [{ status: 504, detailed: 'OriginReadError' }, 15],
    [{ status: 503, detailed: 'OriginError' }, 10],
    [{ status: 403, detailed: 'InvalidRequestBlocked' }, 15],
    [{ status: 400, detailed: 'InvalidRequest' }, 10],
    [{ status: 0, detailed: 'ClientHungUpRequest' }, 15],
    [{ status: 200, detailed: 'ClientCommError' }, 10],
  ],
  redirect: [[{ status: 301, detailed: 'Redirect' }, 70], [{ status: 302, detailed: 'Redirect' }, 30]],
  limit_exceeded: [[{ status: 503, detailed: 'LimitExceeded' }, 100]],
  capacity_exceeded: [[{ status: 503, detailed: 'CapacityExceeded' }, 100]],
};

/** Requests from a country the distributions geo-block are refused with 403 ClientGeoBlocked this often. */
export const GEO_BLOCKED_PERCENT = 95;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'] as const;
const METHOD_MIX: Partial<Record<ContentClass, Partial<Record<(typeof METHODS)[number], number>>>> = {
  api: { GET: 70, POST: 20, PUT: 3, DELETE: 2, OPTIONS: 5 },
  websocket: { GET: 100 },
};
const DEFAULT_METHOD_MIX = { GET: 97, HEAD: 3 };

const HTTP_VERSIONS: Array<[string, string, number]> = [
  ['HTTP/2.0', '2', 58],
  ['HTTP/3.0', '3', 27],
  ['HTTP/1.1', '1.1', 14.5],
  ['HTTP/1.0', '1.0', 0.5],
];

/** 1-based indices into `weights`, each appearing in proportion to its weight (at least once if positive). */
export function weightedTable(weights: readonly number[], size = TABLE_SIZE): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const counts = weights.map((w) => (w > 0 ? Math.max(1, Math.floor((w / total) * size)) : 0));
  // Hand out the rest by largest remainder, taking from the largest counts when over.
  let left = size - counts.reduce((s, c) => s + c, 0);
  const order = weights.map((w, i) => ({ i, rem: (w / total) * size - Math.floor((w / total) * size) })).sort((a, b) => b.rem - a.rem);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]!.i]! += 1;
  while (left < 0) {
    const largest = counts.indexOf(Math.max(...counts));
    counts[largest]! -= 1;
    left++;
  }
  return counts.flatMap((c, i) => Array.from({ length: c }, () => i + 1));
}

interface CountryEntry {
  readonly code: string;
  readonly name: string;
  readonly continent: string;
  readonly weight: number;
  readonly blocked: boolean;
  readonly asn: number;
}

/**
 * About 100 viewer countries: the simulator's countries with their weights first, then others in
 * a Zipf-like tail (weight ∝ 1 / rank), plus the geo-blocked ones at low volume.
 */
function viewerCountries(): CountryEntry[] {
  const entries: CountryEntry[] = VIEWER_COUNTRIES.map((c) => ({
    code: c.code,
    name: countryInfo(c.code)?.name ?? c.code,
    continent: c.continent,
    weight: c.weight,
    blocked: false,
    asn: c.networks[0]?.asn ?? 0,
  }));
  for (const c of GEO_BLOCKED_COUNTRIES) {
    entries.push({ code: c.code, name: countryInfo(c.code)?.name ?? c.code, continent: c.continent, weight: c.weight / 10, blocked: true, asn: c.networks[0]?.asn ?? 0 });
  }
  const taken = new Set(entries.map((e) => e.code));
  const rest = Object.entries(countries)
    .filter(([code, info]) => !taken.has(code) && info.continent !== 'AN')
    .sort(([a], [b]) => a.localeCompare(b));
  // Spread the tail over the alphabet so every continent has some of it.
  const step = Math.max(1, Math.floor(rest.length / (100 - entries.length)));
  for (let i = 0, rank = 1; i < rest.length && entries.length < 100; i += step, rank++) {
    const [code, info] = rest[i]!;
    entries.push({ code, name: info.name, continent: info.continent, weight: 1.2 / rank, blocked: false, asn: 64_512 + rank });
  }
  return entries;
}

interface PopEntry {
  readonly code: string;
  readonly city: string;
  readonly country: string;
  readonly continent: string;
  readonly lat: number;
  readonly lon: number;
  readonly locations: readonly string[];
}

/** About 100 POPs from the edge-location table, each with two or three edge locations (`IAD12-C1`). */
function edgePops(): PopEntry[] {
  const pops: PopEntry[] = [];
  let i = 0;
  for (const [code, loc] of EDGE_LOCATIONS) {
    i++;
    if (pops.length >= 100 || i % 3 === 0) continue;
    const continent = countryInfo(loc.country)?.continent ?? '';
    const sites = [(i * 7) % 90 + 1, (i * 13) % 70 + 2, (i * 3) % 60 + 50];
    const locations = sites.slice(0, 2 + (i % 2)).map((site, k) => `${code}${site}-${k === 1 ? 'P' : 'C'}${(i + k) % 5 + 1}`);
    pops.push({ code, city: loc.city, country: loc.country, continent, lat: loc.lat, lon: loc.lon, locations });
  }
  return pops;
}

/** POPs serving a country: its own when it has some, else those of its continent, else the largest ones. */
function popsFor(country: CountryEntry, pops: readonly PopEntry[]): number[] {
  const own = pops.flatMap((p, i) => (p.country === country.code ? [i + 1] : []));
  if (own.length > 0) return own;
  const continent = pops.flatMap((p, i) => (p.continent === country.continent ? [i + 1] : []));
  return continent.length > 0 ? continent : [1, 2, 3];
}

/** Variable-length lists laid end to end, with each list's 0-based offset and length. */
function packed<T>(lists: ReadonlyArray<readonly T[]>): { values: T[]; offsets: number[]; counts: number[] } {
  const offsets: number[] = [];
  let offset = 0;
  for (const list of lists) {
    offsets.push(offset);
    offset += list.length;
  }
  return { values: lists.flatMap((list) => [...list]), offsets, counts: lists.map((l) => l.length) };
}

function pick<T extends string>(classes: readonly T[], weights: Partial<Record<T, number>>): number[] {
  return weightedTable(classes.map((c) => weights[c] ?? 0));
}

/** Every parameter the generating INSERT … SELECT reads, named as in its SQL. */
export function requestModelParams(): Record<string, unknown> {
  const dists = DEMO_DISTRIBUTIONS;
  const countryList = viewerCountries();
  const popList = edgePops();
  const outcomes = CACHE_CLASSES.flatMap((k) => OUTCOMES[k].map(([o]) => o));
  let offset = 0;
  const outcomeTables = CACHE_CLASSES.map((k) => {
    const table = weightedTable(OUTCOMES[k].map(([, w]) => w), 100).map((i) => i + offset);
    offset += OUTCOMES[k].length;
    return table;
  });
  const clientNames = Object.keys(CLIENTS) as ClientName[];
  const clientInfo = clientNames.map((name) => classifyUserAgent(CLIENTS[name].userAgent));
  const countryPops = packed(countryList.map((c) => popsFor(c, popList)));
  const popLocations = packed(popList.map((p) => p.locations));
  return {
    dist_ids: dists.map((d) => d.id),
    dist_domains: dists.map((d) => d.domainName),
    dist_hosts: dists.map((d) => d.aliases[0] ?? d.domainName),
    dist_rates: dists.map((d) => PROFILE[d.profile].samplingRate),
    dist_table: weightedTable(dists.map((d) => PROFILE[d.profile].share)),
    content_class_count: CONTENT_CLASSES.length,
    dist_content_tables: dists.flatMap((d) => pick(CONTENT_CLASSES, CONTENT_MIX[d.profile])),
    dist_behaviors: dists.flatMap((d) => CONTENT_CLASSES.map((c) => BEHAVIORS[d.profile][c] ?? 'Default (*)')),
    dist_paths: dists.flatMap((d) => CONTENT_CLASSES.map((c) => PATHS[d.profile][c] ?? '/misc/')),
    dist_client_tables: dists.flatMap((d) => pick(clientNames, CLIENT_MIX[d.profile])),
    country_codes: countryList.map((c) => c.code),
    country_names: countryList.map((c) => c.name),
    country_continents: countryList.map((c) => c.continent),
    country_blocked: countryList.map((c) => (c.blocked ? 1 : 0)),
    country_asns: countryList.map((c) => c.asn),
    country_table: weightedTable(countryList.map((c) => c.weight), COUNTRY_TABLE_SIZE),
    country_pops: countryPops.values,
    country_pop_offsets: countryPops.offsets,
    country_pop_counts: countryPops.counts,
    pop_codes: popList.map((p) => p.code),
    pop_cities: popList.map((p) => p.city),
    pop_countries: popList.map((p) => p.country),
    pop_lats: popList.map((p) => p.lat),
    pop_lons: popList.map((p) => p.lon),
    pop_locations: popLocations.values,
    pop_location_offsets: popLocations.offsets,
    pop_location_counts: popLocations.counts,
    content_classes: [...CONTENT_CLASSES],
    content_types: CONTENT_CLASSES.map((c) => CONTENT[c].contentType),
    content_suffixes: CONTENT_CLASSES.map((c) => CONTENT[c].suffix),
    content_objects: CONTENT_CLASSES.map((c) => CONTENT[c].objects),
    content_log_median: CONTENT_CLASSES.map((c) => Math.log(CONTENT[c].medianBytes)),
    content_sigma: CONTENT_CLASSES.map((c) => CONTENT[c].sigma),
    content_cache_tables: CONTENT_CLASSES.flatMap((c) => pick(CACHE_CLASSES, CONTENT[c].cache)),
    content_method_tables: CONTENT_CLASSES.flatMap((c) => pick(METHODS, METHOD_MIX[c] ?? DEFAULT_METHOD_MIX)),
    methods: [...METHODS],
    cache_classes: [...CACHE_CLASSES],
    error_class: CACHE_CLASSES.indexOf('error') + 1,
    miss_class: CACHE_CLASSES.indexOf('miss') + 1,
    cache_result_types: CACHE_CLASSES.map((k) => RESULT_TYPES[k].result),
    cache_response_types: CACHE_CLASSES.map((k) => RESULT_TYPES[k].response),
    cache_detailed_types: CACHE_CLASSES.map((k) => detailedOf[k]),
    cache_outcome_tables: outcomeTables.flat(),
    outcome_statuses: outcomes.map((o) => o.status),
    outcome_detailed: outcomes.map((o) => o.detailed),
    client_agents: clientNames.map((n) => CLIENTS[n].userAgent),
    client_devices: clientInfo.map((c) => c.deviceType),
    client_browsers: clientInfo.map((c) => c.browser),
    client_oses: clientInfo.map((c) => c.os),
    client_bots: clientInfo.map((c) => c.isBot),
    http_versions: HTTP_VERSIONS.map(([v]) => v),
    http_version_names: HTTP_VERSIONS.map(([, v]) => v),
    http_version_table: weightedTable(HTTP_VERSIONS.map(([, , w]) => w)),
    geo_blocked_percent: GEO_BLOCKED_PERCENT,
  };
}

/** Relative load of the hour starting at `hourMs`: the simulator's diurnal curve, quieter at weekends. */
export function hourWeight(hourMs: number): number {
  const day = new Date(hourMs).getUTCDay();
  return diurnalFactor(hourMs + 1_800_000) * (day === 0 || day === 6 ? 0.85 : 1);
}
