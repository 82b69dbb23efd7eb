/**
 * Numbers and times as the dashboard shows them: units always, thousands separators, "—" for
 * absent values. One locale (en-US) so every view and every snapshot reads the same.
 */

const LOCALE = 'en-US';
/** Between a number and its unit, so the two never wrap apart. */
export const UNIT_SPACE = '\u00a0';
export const NONE = '—';

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function present(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/** 1234567 → "1,234,567"; below 10, one decimal when not whole (extrapolated counts). */
export function formatCount(value: number | null | undefined): string {
  if (!present(value)) return NONE;
  if (Math.abs(value) < 10 && !Number.isInteger(value)) return oneDecimal.format(value);
  return integer.format(value);
}

/** Compact count for axes: 1,200 → "1.2k", 3,400,000 → "3.4M". */
export function formatCountShort(value: number | null | undefined): string {
  if (!present(value)) return NONE;
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${oneDecimal.format(value / 1e9)}G`;
  if (abs >= 1e6) return `${oneDecimal.format(value / 1e6)}M`;
  if (abs >= 1e4) return `${integer.format(value / 1e3)}k`;
  if (abs >= 1e3) return `${oneDecimal.format(value / 1e3)}k`;
  return abs < 10 && !Number.isInteger(value) ? oneDecimal.format(value) : integer.format(value);
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal units, as CloudFront reports bytes: 1234567 → "1.23 MB". */
export function formatBytes(value: number | null | undefined): string {
  if (!present(value)) return NONE;
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1000 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1000;
    unit++;
  }
  const text = unit === 0 ? integer.format(scaled) : Math.abs(scaled) < 10 ? twoDecimals.format(scaled) : Math.abs(scaled) < 100 ? oneDecimal.format(scaled) : integer.format(scaled);
  return `${text}${UNIT_SPACE}${BYTE_UNITS[unit]}`;
}

export function formatBytesPerSecond(value: number | null | undefined): string {
  return present(value) ? `${formatBytes(value)}/s` : NONE;
}

export function formatRequestsPerSecond(value: number | null | undefined): string {
  if (!present(value)) return NONE;
  const text = Math.abs(value) < 100 && !Number.isInteger(value) ? oneDecimal.format(value) : integer.format(value);
  return `${text}${UNIT_SPACE}req/s`;
}

/** A fraction in [0, 1] as a percentage: 0.9342 → "93.4 %". */
export function formatRatio(value: number | null | undefined): string {
  if (!present(value)) return NONE;
  const pct = value * 100;
  const text = pct !== 0 && Math.abs(pct) < 0.1 ? twoDecimals.format(pct) : oneDecimal.format(pct);
  return `${text}${UNIT_SPACE}%`;
}

/** Milliseconds: "3.4 ms", "123 ms", "1,234 ms". */
export function formatMs(value: number | null | undefined): string {
  if (!present(value)) return NONE;
  return `${Math.abs(value) < 10 ? oneDecimal.format(value) : integer.format(value)}${UNIT_SPACE}ms`;
}

export interface DeltaText {
  readonly text: string;
  readonly direction: 'up' | 'down' | 'flat';
}

/** A relative change: 0.123 → "▲ +12.3 %"; direction is told by the arrow and sign, not only by colour. */
export function formatRelativeDelta(relative: number | null | undefined): DeltaText {
  if (!present(relative)) return { text: NONE, direction: 'flat' };
  const pct = relative * 100;
  if (Math.abs(pct) < 0.05) return { text: `± 0.0${UNIT_SPACE}%`, direction: 'flat' };
  const sign = pct > 0 ? '+' : '−';
  return { text: `${pct > 0 ? '▲' : '▼'} ${sign}${oneDecimal.format(Math.abs(pct))}${UNIT_SPACE}%`, direction: pct > 0 ? 'up' : 'down' };
}

/** A change of a ratio in percentage points: 0.012 → "▲ +1.2 pp". */
export function formatPointDelta(absolute: number | null | undefined): DeltaText {
  if (!present(absolute)) return { text: NONE, direction: 'flat' };
  const pp = absolute * 100;
  if (Math.abs(pp) < 0.05) return { text: `± 0.0${UNIT_SPACE}pp`, direction: 'flat' };
  const sign = pp > 0 ? '+' : '−';
  return { text: `${pp > 0 ? '▲' : '▼'} ${sign}${oneDecimal.format(Math.abs(pp))}${UNIT_SPACE}pp`, direction: pp > 0 ? 'up' : 'down' };
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(timeZone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${JSON.stringify(options)}`;
  let format = timeFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone, hourCycle: 'h23' });
    timeFormats.set(key, format);
  }
  return format;
}

/** "14:05:09" */
export function formatClock(ms: number, timeZone?: string): string {
  return dateTimeFormat(timeZone, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
}

/** "Nov 30, 14:05" */
export function formatDateTime(ms: number, timeZone?: string): string {
  return dateTimeFormat(timeZone, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** An axis tick: the time of day for spans up to two days, the date beyond. */
export function formatTick(ms: number, spanMs: number, timeZone?: string): string {
  if (spanMs <= 2 * 60_000) return dateTimeFormat(timeZone, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
  if (spanMs <= 2 * 86_400_000) return dateTimeFormat(timeZone, { hour: '2-digit', minute: '2-digit' }).format(ms);
  return dateTimeFormat(timeZone, { month: 'short', day: 'numeric' }).format(ms);
}

/** A duration in words: 900000 → "15 min", 86400000 → "1 day". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes}${UNIT_SPACE}min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}${UNIT_SPACE}h`;
  const days = Math.round(hours / 24);
  return `${days}${UNIT_SPACE}${days === 1 ? 'day' : 'days'}`;
}
