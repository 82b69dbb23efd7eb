/**
 * Filters → SQL conditions with bound parameters. Values never enter the SQL text: each is a
 * ClickHouse query parameter (`{name:Type}`); column expressions come from this file only.
 */
import { activeFilters, type FilterName, type Filters } from './filters.js';

export type SqlParams = Record<string, unknown>;

/** raw: `requests`; rollup: requests_1m/1h; dim: requests_1m_dim/1h_dim (one dimension, its value in `value`). */
export type TableKind = 'rollup' | 'raw' | 'dim';

interface FilterColumn {
  /** Column over rollup tables; null when only raw rows hold it. */
  readonly rollup: string | null;
  readonly raw: string;
  readonly type: string;
}

const LIST_FILTERS = {
  country: { rollup: 'country', raw: 'country', type: 'Array(String)' },
  cacheStatus: { rollup: 'cache_class', raw: 'cache_class', type: 'Array(String)' },
  statusClass: { rollup: 'status_class', raw: 'status_class', type: 'Array(String)' },
  contentClass: { rollup: 'content_class', raw: 'content_class', type: 'Array(String)' },
  cacheBehavior: { rollup: 'cache_behavior_path_pattern', raw: "ifNull(cache_behavior_path_pattern, '')", type: 'Array(String)' },
  status: { rollup: null, raw: 'sc_status', type: 'Array(UInt16)' },
  method: { rollup: null, raw: "ifNull(cs_method, '')", type: 'Array(String)' },
  protocol: { rollup: null, raw: "ifNull(cs_protocol, '')", type: 'Array(String)' },
  httpVersion: { rollup: null, raw: 'http_version', type: 'Array(String)' },
  sslProtocol: { rollup: null, raw: "ifNull(ssl_protocol, '')", type: 'Array(String)' },
  detailedResult: { rollup: null, raw: "ifNull(x_edge_detailed_result_type, '')", type: 'Array(String)' },
  device: { rollup: null, raw: 'device_type', type: 'Array(String)' },
  source: { rollup: 'source', raw: 'source', type: 'Array(String)' },
} as const satisfies Partial<Record<FilterName, FilterColumn>>;

/** Filters the rollup tables can apply; any other active filter sends the query to raw rows. */
export const ROLLUP_FILTERS: ReadonlySet<FilterName> = new Set<FilterName>([
  'country',
  'pop',
  'cacheStatus',
  'statusClass',
  'contentClass',
  'cacheBehavior',
  'source',
]);

export function rollupCanFilter(filters: Filters): boolean {
  return activeFilters(filters).every((name) => ROLLUP_FILTERS.has(name));
}

/** Dimension names in the dim rollups of the filters that have one (api/query/dimensions.ts names). */
const DIM_OF_FILTER: Partial<Record<FilterName, string>> = {
  country: 'country',
  pop: 'pop',
  cacheStatus: 'cacheStatus',
  statusClass: 'statusClass',
  contentClass: 'contentClass',
  cacheBehavior: 'cacheBehavior',
};

/** Dim-rollup dimensions the filters use; undefined when one of them has none (then only the full rollups or raw rows can answer). */
export function filterDimensions(filters: Filters): string[] | undefined {
  const dims = new Set<string>();
  for (const name of activeFilters(filters)) {
    // Every dim-rollup row has its source: not a dimension.
    if (name === 'source') continue;
    const dim = DIM_OF_FILTER[name];
    if (dim === undefined) return undefined;
    // Full edge locations (IAD89-C1) are not a dimension of their own.
    if (name === 'pop' && filters.pop?.some((p) => p.length > 3)) return undefined;
    dims.add(dim);
  }
  return [...dims];
}

/**
 * Conditions of `filters` (without the time range) for one kind of table, ANDed; '1' when none.
 * Parameters are added to `params` under names prefixed `f_`.
 */
export function filterConditions(filters: Filters, kind: TableKind, params: SqlParams): string {
  const conditions: string[] = [];
  if (filters.distributions.length > 0) {
    params.f_distribution = filters.distributions;
    conditions.push('distribution_id IN {f_distribution:Array(String)}');
  }
  for (const [name, column] of Object.entries(LIST_FILTERS) as [keyof typeof LIST_FILTERS, FilterColumn][]) {
    const values = filters[name];
    if (values === undefined) continue;
    const expression = kind === 'dim' ? (name === 'source' ? 'source' : 'value') : kind === 'rollup' ? column.rollup : column.raw;
    if (expression === null) throw new Error(`filter ${name} cannot be applied to rollup rows`);
    params[`f_${name}`] = values;
    conditions.push(`${expression} IN {f_${name}:${column.type}}`);
  }
  if (filters.pop !== undefined) {
    const codes = filters.pop.filter((p) => p.length === 3);
    const locations = filters.pop.filter((p) => p.length > 3);
    const location = kind === 'rollup' ? 'x_edge_location' : "ifNull(x_edge_location, '')";
    const either: string[] = [];
    if (codes.length > 0) {
      params.f_pop = codes;
      either.push(`${kind === 'dim' ? 'value' : 'pop_code'} IN {f_pop:Array(String)}`);
    }
    if (kind === 'dim' && locations.length > 0) throw new Error('edge locations cannot be filtered on dim rollup rows');
    if (locations.length > 0) {
      params.f_edge_location = locations;
      either.push(`${location} IN {f_edge_location:Array(String)}`);
    }
    conditions.push(`(${either.join(' OR ')})`);
  }
  if (filters.pathPrefix !== undefined) {
    if (kind !== 'raw') throw new Error('filter pathPrefix cannot be applied to rollup rows');
    params.f_path_prefix = filters.pathPrefix;
    conditions.push("startsWith(ifNull(uri_path, ''), {f_path_prefix:String})");
  }
  if (filters.bot !== undefined) {
    if (kind !== 'raw') throw new Error('filter bot cannot be applied to rollup rows');
    params.f_bot = filters.bot ? 1 : 0;
    conditions.push('is_bot = {f_bot:UInt8}');
  }
  return conditions.length === 0 ? '1' : conditions.join(' AND ');
}
