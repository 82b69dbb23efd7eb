/**
 * The filters of the stats routes (api/query/filters.ts), applied in memory to live records the way
 * api/query/filter-sql.ts applies them to stored rows.
 * `from` and `to` have no meaning for a stream that starts now, so a live filter set has neither.
 */
import { F } from '../../processor/fields/catalogue.js';
import type { Filters } from '../query/filters.js';
import type { LiveEntry } from './live-entry.js';
import { statusOf } from './live-entry.js';

export type LiveFilters = Omit<Filters, 'fromMs' | 'toMs'>;

export type LiveMatcher = (entry: LiveEntry) => boolean;

function textField(entry: LiveEntry, index: number): string | null {
  const value = entry.record.values[index];
  return typeof value === 'string' ? value : null;
}

function oneOf<T>(allowed: readonly T[] | undefined, read: (entry: LiveEntry) => T | null): LiveMatcher | null {
  if (allowed === undefined) return null;
  const set = new Set<T>(allowed);
  return (entry) => {
    const value = read(entry);
    return value !== null && set.has(value);
  };
}

/** POP codes (`IAD`) match the POP of the edge location; longer values match the edge location exactly. */
function popMatcher(pops: readonly string[] | undefined): LiveMatcher | null {
  if (pops === undefined) return null;
  const codes = new Set(pops.filter((p) => p.length === 3));
  const locations = new Set(pops.filter((p) => p.length !== 3));
  return (entry) => {
    if (codes.has(entry.derived.pop_code)) return true;
    const location = textField(entry, F.x_edge_location);
    return location !== null && locations.has(location);
  };
}

/** A predicate true for the entries the filters select; every filter that is set must match. */
export function compileLiveFilter(filters: LiveFilters): LiveMatcher {
  const { pathPrefix, bot } = filters;
  const parts = [
    filters.distributions.length > 0 ? oneOf(filters.distributions, (e) => e.derived.distribution_id) : null,
    oneOf(filters.country, (e) => e.derived.country),
    popMatcher(filters.pop),
    oneOf<string>(filters.cacheStatus, (e) => e.derived.cache_class),
    oneOf<string>(filters.statusClass, (e) => e.derived.status_class),
    oneOf(filters.status, (e) => statusOf(e.record)),
    oneOf<string>(filters.method, (e) => textField(e, F.cs_method)),
    oneOf<string>(filters.protocol, (e) => textField(e, F.cs_protocol)),
    oneOf<string>(filters.httpVersion, (e) => e.derived.http_version),
    oneOf(filters.sslProtocol, (e) => textField(e, F.ssl_protocol)),
    oneOf(filters.detailedResult, (e) => textField(e, F.x_edge_detailed_result_type)),
    oneOf<string>(filters.contentClass, (e) => e.derived.content_class),
    oneOf(filters.cacheBehavior, (e) => textField(e, F.cache_behavior_path_pattern)),
    pathPrefix === undefined ? null : (e: LiveEntry) => e.derived.uri_path?.startsWith(pathPrefix) === true,
    oneOf<string>(filters.device, (e) => e.derived.device_type),
    bot === undefined ? null : (e: LiveEntry) => (e.derived.is_bot === 1) === bot,
    oneOf<string>(filters.source, (e) => e.derived.source),
  ].filter((m): m is LiveMatcher => m !== null);
  if (parts.length === 0) return () => true;
  return (entry) => parts.every((match) => match(entry));
}
