/**
 * Kinesis sequence numbers are decimal strings of up to 129 digits: never parse them into a JS number.
 */

/** Negative when `a` comes before `b`, zero when equal, positive after. Inputs have no leading zeros. */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
