/**
 * Seeded data for the chart snapshot tests: the same numbers on every run.
 */
import { randomLcg, randomNormal } from 'd3';
import type { LineSeries } from '../../dashboard/src/charts/line-chart.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const MINUTE = 60_000;

export function seededSeries(seed: number, keys: readonly string[], points = 60, mean = 100, spread = 20): LineSeries[] {
  const normal = randomNormal.source(randomLcg(seed))(mean, spread);
  return keys.map((key) => ({
    key,
    label: key,
    points: Array.from({ length: points }, (_, i) => ({ t: T0 + i * MINUTE, value: Math.max(0, Math.round(normal() * 100) / 100) })),
  }));
}

export function seededValues(seed: number, count: number, max: number): number[] {
  const random = randomLcg(seed);
  return Array.from({ length: count }, () => Math.round(random() * max * 100) / 100);
}
