/**
 * What an object's key says about it. Standard logs are named
 * `prefix/DISTRIBUTIONID.YYYY-MM-DD-HH.unique.gz`; Firehose archives real-time logs under
 * `prefix/YYYY/MM/DD/HH/stream-N-YYYY-MM-DD-HH-MM-SS-uuid[.gz]`.
 */

export interface KeyInfo {
  /** Start of the hour (UTC, epoch ms), or null when the key names none. */
  readonly hourMs: number | null;
  readonly distributionId: string | null;
  /** True when the name has the standard-log shape. */
  readonly standardName: boolean;
}

const STANDARD_NAME = /^([A-Z0-9]{6,32})\.(\d{4})-(\d{2})-(\d{2})-(\d{2})\.[^/]+$/;
const FIREHOSE_PATH = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//;
const DASHED_HOUR = /(\d{4})-(\d{2})-(\d{2})-(\d{2})(?:-\d{2}){0,2}/;

function hour(y: string | undefined, m: string | undefined, d: string | undefined, h: string | undefined): number | null {
  const [year, month, day, hr] = [Number(y), Number(m), Number(d), Number(h)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hr > 23) return null;
  const ms = Date.UTC(year, month - 1, day, hr);
  return Number.isFinite(ms) ? ms : null;
}

export function keyInfo(key: string): KeyInfo {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const standard = STANDARD_NAME.exec(name);
  if (standard) return { hourMs: hour(standard[2], standard[3], standard[4], standard[5]), distributionId: standard[1] ?? null, standardName: true };
  const firehose = FIREHOSE_PATH.exec(key) ?? DASHED_HOUR.exec(name);
  if (firehose) return { hourMs: hour(firehose[1], firehose[2], firehose[3], firehose[4]), distributionId: null, standardName: false };
  return { hourMs: null, distributionId: null, standardName: false };
}

/** True when an object of that hour may hold requests in [fromMs, toMs); unknown hours always may. */
export function hourInRange(hourMs: number | null, fromMs: number | null, toMs: number | null): boolean {
  if (hourMs === null) return true;
  if (fromMs !== null && hourMs + 3_600_000 <= fromMs) return false;
  if (toMs !== null && hourMs >= toMs) return false;
  return true;
}
