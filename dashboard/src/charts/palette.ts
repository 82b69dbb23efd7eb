/**
 * Colours safe for colour-blind viewers: the Okabe–Ito qualitative palette for series (yellow last,
 * it is faint on white), cividis for sequential scales. Charts never rely on colour alone: series
 * have legends and labels, values are written out.
 */
import { interpolateCividis } from 'd3';

export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'] as const;
/** The "other" series and empty things. */
export const OTHER_COLOR = '#8c8c8c';
export const INK = '#1d2733';
export const MUTED_INK = '#5b6673';
export const GRID = '#e3e7ec';
export const NO_DATA = '#eef1f4';

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? OTHER_COLOR;
}

/** Sequential colour for t in [0, 1]: cividis, from dark blue to yellow. */
export function sequentialColor(t: number): string {
  return interpolateCividis(Math.min(1, Math.max(0, t)));
}

/** Text colour readable on a sequential cell of value t. */
export function inkOnSequential(t: number): string {
  return t < 0.55 ? '#ffffff' : INK;
}
