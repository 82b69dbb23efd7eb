/**
 * Numbers as the dashboard shows them: units always, thousands separators, "—" for absent values.
 */
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatBytesPerSecond,
  formatClock,
  formatCount,
  formatCountShort,
  formatMs,
  formatPointDelta,
  formatRatio,
  formatRelativeDelta,
  formatRequestsPerSecond,
  formatTick,
} from '../../dashboard/src/format/format.js';

const nb = (text: string): string => text.replace(/\u00a0/g, ' ');

describe('format', () => {
  it('counts with thousands separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12.6)).toBe('13');
    expect(formatCount(2.5)).toBe('2.5');
    expect(formatCount(null)).toBe('—');
    expect(formatCount(Number.NaN)).toBe('—');
    expect(formatCountShort(1234)).toBe('1.2k');
    expect(formatCountShort(3_400_000)).toBe('3.4M');
  });

  it('bytes in decimal units', () => {
    expect(nb(formatBytes(999))).toBe('999 B');
    expect(nb(formatBytes(1_234_567))).toBe('1.23 MB');
    expect(nb(formatBytes(45_600_000_000))).toBe('45.6 GB');
    expect(nb(formatBytes(1_234_000_000_000_000))).toBe('1.23 PB');
    expect(nb(formatBytesPerSecond(2_500_000))).toBe('2.50 MB/s');
  });

  it('rates, ratios and milliseconds with their units', () => {
    expect(nb(formatRequestsPerSecond(1234.4))).toBe('1,234 req/s');
    expect(nb(formatRequestsPerSecond(12.34))).toBe('12.3 req/s');
    expect(nb(formatRatio(0.93456))).toBe('93.5 %');
    expect(nb(formatRatio(0.0004))).toBe('0.04 %');
    expect(nb(formatMs(3.44))).toBe('3.4 ms');
    expect(nb(formatMs(1234.5))).toBe('1,235 ms');
  });

  it('changes with an arrow and a sign, not colour alone', () => {
    expect(formatRelativeDelta(0.123)).toEqual({ text: '▲ +12.3\u00a0%', direction: 'up' });
    expect(formatRelativeDelta(-0.05)).toEqual({ text: '▼ −5.0\u00a0%', direction: 'down' });
    expect(formatRelativeDelta(null).direction).toBe('flat');
    expect(nb(formatPointDelta(-0.012).text)).toBe('▼ −1.2 pp');
  });

  it('times in the zone asked for', () => {
    const t = Date.UTC(2026, 10, 30, 14, 5, 9);
    expect(formatClock(t, 'UTC')).toBe('14:05:09');
    expect(formatClock(t, 'Asia/Tokyo')).toBe('23:05:09');
    expect(formatTick(t, 3_600_000, 'UTC')).toBe('14:05');
    expect(formatTick(t, 7 * 86_400_000, 'UTC')).toBe('Nov 30');
  });
});
