/**
 * Time ranges: the presets of the picker and custom ranges (from a form or a brush on a chart).
 */
import { formatDateTime, formatDuration } from '../format/format.js';

export const RANGE_PRESETS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;

export type RangePreset = keyof typeof RANGE_PRESETS;
export const RANGE_PRESET_NAMES = Object.keys(RANGE_PRESETS) as RangePreset[];

export type TimeRange = { readonly kind: 'preset'; readonly preset: RangePreset } | { readonly kind: 'custom'; readonly fromMs: number; readonly toMs: number };

export const DEFAULT_RANGE: TimeRange = { kind: 'preset', preset: '1h' };
/** A brush narrower than this is a click, not a zoom. */
export const MIN_RANGE_MS = 60_000;

export interface ResolvedRange {
  /** The range the API is asked for. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Where charts end: now, for a preset's range that reaches past it. */
  readonly shownToMs: number;
}

/**
 * What a preset's range is aligned to. On whole minutes the API reads no raw rows, on whole hours
 * only hour and day rollups, and on whole UTC days only day rollups (api/query/planner.ts). So the
 * 7- and 30-day views are calendar days, today included: a 30-day summary then reads one small
 * table instead of two and takes about a third less time. The part past now holds no traffic, and
 * the API counts rates and buckets only up to now.
 */
const PRESET_ALIGNMENT_MS: Readonly<Record<RangePreset, number>> = {
  '15m': 1000,
  '1h': 60_000,
  '24h': 3_600_000,
  '7d': 86_400_000,
  '30d': 86_400_000,
};

export function isRangePreset(value: string): value is RangePreset {
  return Object.hasOwn(RANGE_PRESETS, value);
}

export function resolveRange(range: TimeRange, nowMs: number): ResolvedRange {
  if (range.kind === 'custom') return { fromMs: range.fromMs, toMs: range.toMs, shownToMs: range.toMs };
  // Whole seconds at least, so requests made together ask for the same range.
  const shownToMs = Math.ceil(nowMs / 1000) * 1000;
  const step = PRESET_ALIGNMENT_MS[range.preset];
  // The preset's length, ending at the end of the step now is in: the time that has passed is at
  // most the preset, so comparing with the period one preset earlier never overlaps.
  const toMs = Math.ceil(shownToMs / step) * step;
  return { fromMs: toMs - RANGE_PRESETS[range.preset], toMs, shownToMs };
}

export function rangeLabel(range: TimeRange, timeZone?: string): string {
  if (range.kind === 'preset') return `Last ${formatDuration(RANGE_PRESETS[range.preset])}`;
  return `${formatDateTime(range.fromMs, timeZone)} – ${formatDateTime(range.toMs, timeZone)}`;
}

/** A custom range, or null when it is not one (reversed, too short, not finite). */
export function customRange(fromMs: number, toMs: number): TimeRange | null {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs - fromMs < MIN_RANGE_MS) return null;
  return { kind: 'custom', fromMs: Math.round(fromMs), toMs: Math.round(toMs) };
}

/** The range zoomed by `factor` around its centre (0.5: twice as close; 2: twice as wide), ending no later than now. */
export function zoomRange(range: Pick<ResolvedRange, 'fromMs' | 'toMs'>, factor: number, nowMs: number): TimeRange | null {
  const centre = (range.fromMs + range.toMs) / 2;
  const half = ((range.toMs - range.fromMs) * factor) / 2;
  const toMs = Math.min(nowMs, centre + half);
  return customRange(toMs - 2 * half, toMs);
}
