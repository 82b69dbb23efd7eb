/**
 * Messages of the live filters topic (`serve` replicas → every processor), version 1, JSON: each
 * replica announces, every few seconds and whenever they change, the filter sets its live
 * subscribers need applied upstream (api/live/live-filter-pushdown.ts). An announcement replaces the
 * replica's previous one and holds for `ttlMs`, so a replica that dies stops costing the processors
 * work soon after. Every message is validated when read; filters are checked against the same
 * allow-lists as the API's, whoever wrote them.
 */
import { z } from 'zod';
import type { LiveFilters } from '../api/live/live-filter.js';
import { checkJsonMessage, parseJsonMessage } from './json-message.js';
import { CACHE_STATUSES, CONTENT_CLASSES, DEVICES, HTTP_VERSIONS, METHODS, PROTOCOLS, SOURCES, STATUS_CLASSES } from '../api/query/filters.js';

export const LIVE_FILTERS_VERSION = 1;

export interface AnnouncedFilter {
  readonly filters: LiveFilters;
  readonly recordsPerSecond: number;
}

export interface LiveFiltersMessage {
  readonly v: typeof LIVE_FILTERS_VERSION;
  readonly kind: 'filters';
  /** The announcing replica (its live feed consumer group). */
  readonly replica: string;
  /** How long the announcement holds unless renewed. */
  readonly ttlMs: number;
  readonly filters: readonly AnnouncedFilter[];
}

/** Most filter sets one announcement may hold. */
export const MAX_ANNOUNCED_FILTERS = 256;
const MAX_VALUES = 50;

const text = z.string().min(1).max(256);
const list = <T extends z.ZodTypeAny>(item: T) => z.array(item).min(1).max(MAX_VALUES).optional();
const filtersSchema = z
  .object({
    distributions: z.array(text).max(MAX_VALUES),
    country: list(z.string().regex(/^[A-Z]{2}$/)),
    pop: list(text),
    cacheStatus: list(z.enum(CACHE_STATUSES)),
    statusClass: list(z.enum(STATUS_CLASSES)),
    status: list(z.number().int().min(0).max(999)),
    method: list(z.enum(METHODS)),
    protocol: list(z.enum(PROTOCOLS)),
    httpVersion: list(z.enum(HTTP_VERSIONS)),
    sslProtocol: list(text),
    detailedResult: list(text),
    contentClass: list(z.enum(CONTENT_CLASSES)),
    cacheBehavior: list(text),
    pathPrefix: z.string().min(1).max(1024).optional(),
    device: list(z.enum(DEVICES)),
    bot: z.boolean().optional(),
    source: list(z.enum(SOURCES)),
  })
  .strict();

const messageSchema = z
  .object({
    v: z.literal(LIVE_FILTERS_VERSION),
    kind: z.literal('filters'),
    replica: z.string().min(1).max(256),
    ttlMs: z.number().int().min(1_000).max(300_000),
    filters: z.array(z.object({ filters: filtersSchema, recordsPerSecond: z.number().int().min(0).max(10_000) }).strict()).max(MAX_ANNOUNCED_FILTERS),
  })
  .strict();

export function encodeLiveFiltersMessage(message: LiveFiltersMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

export type DecodedLiveFiltersMessage = { readonly ok: true; readonly message: LiveFiltersMessage } | { readonly ok: false; readonly reason: string };

/** Parses and validates an announcement; never throws. */
export function decodeLiveFiltersMessage(value: Buffer | null): DecodedLiveFiltersMessage {
  const json = parseJsonMessage(value);
  if (!json.ok) return json;
  const checked = checkJsonMessage(json.value, messageSchema, 'live filters message');
  return checked.ok ? { ok: true, message: checked.value } : checked;
}
