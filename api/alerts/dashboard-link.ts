/**
 * Links from an alert to the dashboard's live view filtered to its traffic. The dashboard keeps its
 * state in the URL fragment (`#/live?distribution=…&country=…`, filter names as the stats routes take
 * them), so a link opens the view as the alert saw it.
 */
import { EDGE_FUNCTION_ERROR_TYPES } from './alert-measures.js';
import type { RuleKind } from './alert-rules.js';

/** Filters (stats route names) that narrow the live view to what each kind is about. */
const KIND_FILTERS: Readonly<Record<RuleKind, Readonly<Record<string, string>>>> = {
  geoBlockedSpike: { detailedResult: 'ClientGeoBlocked' },
  errorRate5xx: { statusClass: '5xx' },
  errorRate4xx: { statusClass: '4xx' },
  cacheHitRatioDrop: { cacheStatus: 'miss' },
  originLatencyP95: {},
  edgeFunctionErrors: { detailedResult: EDGE_FUNCTION_ERROR_TYPES.join(',') },
  trafficDrop: {},
};

/** The dashboard's order of filter parameters (dashboard/src/state/filter-catalog.ts). */
const ORDER = ['distribution', 'country', 'pop', 'cacheStatus', 'statusClass', 'detailedResult'];

export interface LinkTarget {
  readonly kind: RuleKind;
  /** '' (records of unknown domains) adds no distribution filter. */
  readonly distribution: string;
  /** Viewer countries to filter on (the alert's country, or its top countries). */
  readonly countries?: readonly string[];
}

/** `/#/live?…`, relative to the server that serves the dashboard. */
export function dashboardLink(target: LinkTarget): string {
  const values: Record<string, string> = { ...KIND_FILTERS[target.kind] };
  if (target.distribution !== '') values.distribution = target.distribution;
  const countries = (target.countries ?? []).filter((c) => /^[A-Z]{2}$/.test(c));
  if (countries.length > 0) values.country = countries.join(',');
  const params = new URLSearchParams();
  for (const name of ORDER) {
    const value = values[name];
    if (value !== undefined) params.set(name, value);
  }
  const query = params.toString();
  return `/#/live${query === '' ? '' : `?${query}`}`;
}

/** The link as an absolute URL, when the server's public address is known. */
export function absoluteLink(link: string, baseUrl: string | null): string {
  if (baseUrl === null) return link;
  return `${baseUrl.replace(/\/+$/, '')}${link}`;
}
