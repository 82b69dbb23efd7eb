/**
 * Timeseries bucket widths: the allowed ones, and the automatic choice for a range.
 */
import { invalidParameter } from '../errors.js';

export const INTERVALS = {
  '1s': 1,
  '5s': 5,
  '10s': 10,
  '30s': 30,
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '3h': 10_800,
  '6h': 21_600,
  '12h': 43_200,
  '1d': 86_400,
} as const;

export type IntervalName = keyof typeof INTERVALS;

export const INTERVAL_NAMES = Object.keys(INTERVALS) as IntervalName[];

/** Buckets a series may hold; an explicit interval finer than range / this is refused. */
export const MAX_BUCKETS = 2000;
/** At most this many buckets when the interval is chosen automatically. */
const TARGET_BUCKETS = 240;

export function chooseInterval(rangeMs: number, requested: IntervalName | undefined): IntervalName {
  if (requested !== undefined) {
    if (rangeMs / (INTERVALS[requested] * 1000) > MAX_BUCKETS) {
      throw invalidParameter('interval', `${requested} gives more than ${MAX_BUCKETS} buckets over this range; choose a wider interval`);
    }
    return requested;
  }
  // From an hour up, buckets of whole minutes, which the rollups can answer.
  const minimumS = rangeMs >= 3_600_000 ? 60 : 1;
  return INTERVAL_NAMES.find((name) => INTERVALS[name] >= minimumS && rangeMs / (INTERVALS[name] * 1000) <= TARGET_BUCKETS) ?? '1d';
}
