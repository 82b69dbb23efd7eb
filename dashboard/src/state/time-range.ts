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
  readonly fromMs: number;
  readonly toMs: number;
}

export function isRangePreset(value: string): value is RangePreset {
  return Object.hasOwn(RANGE_PRESETS, value);
}

export function resolveRange(range: TimeRange, nowMs: number): ResolvedRange {
  if (range.kind === 'custom') return { fromMs: range.fromMs, toMs: range.toMs };
  // Whole seconds, so requests made together ask for the same range.
  const toMs = Math.ceil(nowMs / 1000) * 1000;
  return { fromMs: toMs - RANGE_PRESETS[range.preset], toMs };
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
export function zoomRange(range: ResolvedRange, factor: number, nowMs: number): TimeRange | null {
  const centre = (range.fromMs + range.toMs) / 2;
  const half = ((range.toMs - range.fromMs) * factor) / 2;
  const toMs = Math.min(nowMs, centre + half);
  return customRange(toMs - 2 * half, toMs);
}
