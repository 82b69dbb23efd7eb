/**
 * Messages of the live feed topic (processors → every `serve` replica), version 1, JSON:
 * - `second`: the counter cells one processor summed over one second (a large second is split into
 *   several messages of the same `t`), and what it could not count (stale, invalid, dropped);
 * - `records`: sampled records with the cell dimensions their filters match on; with `filter`, records
 *   sampled for that pushed filter (api/live/live-filter-pushdown.ts);
 * - `filtered`: the counts of the pushed filters one processor applied over one second, by viewer
 *   country, POP and sampling rate.
 * Cells travel as arrays (dimensions, then counts, in the order of KEY_FIELDS and COUNT_FIELDS) to
 * keep a busy second small. Every message is validated when read: a reader counts and skips what
 * does not parse, whatever a producer (or anyone with write access to the topic) sent.
 */
import { z } from 'zod';
import type { CellCounts, CellKey, LiveCell } from '../api/live/live-cells.js';
import type { LiveLoss } from '../api/live/live-counters.js';
import type { FilteredCell, FilteredSecond } from '../api/live/live-filter-pushdown.js';
import type { SampledLiveRecord } from '../api/live/live-hub.js';
import { checkJsonMessage, parseJsonMessage } from './json-message.js';

export const LIVE_FEED_VERSION = 1;

export interface LiveSecondMessage {
  readonly v: typeof LIVE_FEED_VERSION;
  readonly kind: 'second';
  /** The processor that summed the second (its consumer-group member name). */
  readonly processor: string;
  /** Start of the second (epoch ms) on the processor's clock. */
  readonly t: number;
  readonly cells: readonly LiveCell[];
  /** Records in overflow cells (beyond the processor's cell budget). */
  readonly overflowRecords: number;
  readonly loss: LiveLoss;
}

export interface LiveRecordsMessage {
  readonly v: typeof LIVE_FEED_VERSION;
  readonly kind: 'records';
  readonly processor: string;
  readonly records: readonly SampledLiveRecord[];
  /** The pushed filter the records were sampled for; absent: sampled from all traffic. */
  readonly filter?: string;
}

export interface LiveFilteredMessage {
  readonly v: typeof LIVE_FEED_VERSION;
  readonly kind: 'filtered';
  readonly processor: string;
  /** Start of the second (epoch ms) on the processor's clock. */
  readonly t: number;
  readonly filters: readonly FilteredSecond[];
}

export type LiveFeedMessage = LiveSecondMessage | LiveRecordsMessage | LiveFilteredMessage;

const KEY_FIELDS = ['distribution', 'country', 'pop', 'cacheStatus', 'statusClass', 'method', 'protocol', 'httpVersion', 'contentClass', 'device', 'bot', 'source', 'samplingRate'] as const;
const COUNT_FIELDS = ['n', 'bytes', 'bytesSq', 'ratioN', 'ratioBytes', 'hits', 'hitBytes', 'misses', 'cacheable', 'cacheableHits', 'status4xx', 'status5xx', 'geoBlocked'] as const;

type WireKey = [string, string, string, string, string, string | null, string | null, string, string, string, 0 | 1, string, number];

function keyToWire(key: CellKey): WireKey {
  return [key.distribution, key.country, key.pop, key.cacheStatus, key.statusClass, key.method, key.protocol, key.httpVersion, key.contentClass, key.device, key.bot, key.source, key.samplingRate];
}

function keyFromWire(w: WireKey): CellKey {
  const [distribution, country, pop, cacheStatus, statusClass, method, protocol, httpVersion, contentClass, device, bot, source, samplingRate] = w;
  return { distribution, country, pop, cacheStatus, statusClass, method, protocol, httpVersion, contentClass, device, bot, source, samplingRate };
}

const text = z.string().max(512);
const count = z.number().finite().nonnegative();
const samplingRate = z.number().int().min(1).max(100);
const wireKey = z.tuple([text, text, text, text, text, text.nullable(), text.nullable(), text, text, text, z.union([z.literal(0), z.literal(1)]), text, samplingRate]);
const wireCounts = z.array(count).length(COUNT_FIELDS.length);
const wireCell = z.tuple([wireKey.nullable(), samplingRate, wireCounts]);
const filterId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a live filter id');
/** [country, pop, sampling rate, counts]; country and pop null in a filter's overflow cell. */
const wireFilteredCell = z.tuple([text.nullable(), text.nullable(), samplingRate, wireCounts]);

const nullableText = z.string().max(64 * 1024).nullable();
const nullableNumber = z.number().finite().nullable();
const liveRecord = z
  .object({
    timestamp: z.string().max(64),
    timestampMs: z.number().finite(),
    distribution: text,
    host: nullableText,
    edgeLocation: nullableText,
    pop: text,
    popCity: text,
    country: text,
    method: nullableText,
    protocol: nullableText,
    httpVersion: text,
    status: nullableNumber,
    path: nullableText,
    cacheStatus: text,
    resultType: nullableText,
    detailedResultType: nullableText,
    contentType: nullableText,
    contentClass: text,
    bytes: nullableNumber,
    ttfbMs: nullableNumber,
    timeTakenMs: nullableNumber,
    device: text,
    browser: text,
    os: text,
    bot: z.union([z.literal(0), z.literal(1)]),
    edgeRequestId: nullableText,
    userAgent: nullableText,
    samplingRate: z.number().int(),
  })
  .strict();

const processor = z.string().min(1).max(256);
const secondSchema = z
  .object({
    v: z.literal(LIVE_FEED_VERSION),
    kind: z.literal('second'),
    processor,
    t: z.number().int().nonnegative(),
    cells: z.array(wireCell).max(100_000),
    overflowRecords: count,
    loss: z.object({ dropped: count, stale: count, invalid: count }).strict(),
  })
  .strict();
const recordsSchema = z
  .object({
    v: z.literal(LIVE_FEED_VERSION),
    kind: z.literal('records'),
    processor,
    records: z.array(z.tuple([wireKey, liveRecord])).max(10_000),
    filter: filterId.optional(),
  })
  .strict();
const filteredSchema = z
  .object({
    v: z.literal(LIVE_FEED_VERSION),
    kind: z.literal('filtered'),
    processor,
    t: z.number().int().nonnegative(),
    filters: z.array(z.tuple([filterId, z.array(wireFilteredCell).max(100_000)])).max(1_000),
  })
  .strict();
const messageSchema = z.discriminatedUnion('kind', [secondSchema, recordsSchema, filteredSchema]);

export function encodeLiveFeedMessage(message: LiveFeedMessage): Buffer {
  if (message.kind === 'second') {
    const cells = message.cells.map((c) => [c.key === null ? null : keyToWire(c.key), c.samplingRate, COUNT_FIELDS.map((f) => c.counts[f])]);
    return Buffer.from(JSON.stringify({ ...message, cells }));
  }
  if (message.kind === 'filtered') {
    const filters = message.filters.map((f) => [f.filterId, f.cells.map((c) => [c.country, c.pop, c.samplingRate, COUNT_FIELDS.map((name) => c.counts[name])])]);
    return Buffer.from(JSON.stringify({ ...message, filters }));
  }
  return Buffer.from(JSON.stringify({ ...message, records: message.records.map((r) => [keyToWire(r.key), r.record]) }));
}

export type DecodedLiveFeedMessage = { readonly ok: true; readonly message: LiveFeedMessage } | { readonly ok: false; readonly reason: string };

/** Parses and validates a message; never throws. */
export function decodeLiveFeedMessage(value: Buffer | null): DecodedLiveFeedMessage {
  const json = parseJsonMessage(value);
  if (!json.ok) return json;
  const version = typeof json.value === 'object' && json.value !== null ? (json.value as { v?: unknown }).v : undefined;
  if (version !== LIVE_FEED_VERSION) return { ok: false, reason: `unknown live feed version ${JSON.stringify(version ?? null)} (this reader knows ${LIVE_FEED_VERSION})` };
  const parsed = checkJsonMessage(json.value, messageSchema, 'live feed message');
  if (!parsed.ok) return parsed;
  const data = parsed.value;
  if (data.kind === 'second') {
    const cells: LiveCell[] = data.cells.map(([key, rate, counts]) => ({ key: key === null ? null : keyFromWire(key), samplingRate: rate, counts: countsFromWire(counts) }));
    return { ok: true, message: { ...data, v: LIVE_FEED_VERSION, cells } };
  }
  if (data.kind === 'filtered') {
    const filters: FilteredSecond[] = data.filters.map(([id, cells]) => ({
      filterId: id,
      cells: cells.map(([country, pop, rate, counts]): FilteredCell => ({ country, pop, samplingRate: rate, counts: countsFromWire(counts) })),
    }));
    return { ok: true, message: { ...data, v: LIVE_FEED_VERSION, filters } };
  }
  const records: SampledLiveRecord[] = data.records.map(([key, record]) => ({ key: keyFromWire(key), record }));
  const { filter, ...rest } = data;
  return { ok: true, message: { ...rest, v: LIVE_FEED_VERSION, records, ...(filter === undefined ? {} : { filter }) } };
}

function countsFromWire(values: readonly number[]): CellCounts {
  const counts = {} as Record<(typeof COUNT_FIELDS)[number], number>;
  COUNT_FIELDS.forEach((field, i) => (counts[field] = values[i] ?? 0));
  return counts;
}

/** The names of the wire arrays' positions (documentation and tests). */
export const LIVE_FEED_WIRE = { key: KEY_FIELDS, counts: COUNT_FIELDS } as const;
