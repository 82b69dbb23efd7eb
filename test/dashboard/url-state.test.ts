/**
 * The URL holds the whole dashboard state: a link reproduces the view; nothing malformed gets in.
 */
import { describe, expect, it } from 'vitest';
import { liveParams, statsParams } from '../../dashboard/src/state/query-params.js';
import { resolveRange, zoomRange } from '../../dashboard/src/state/time-range.js';
import { DEFAULT_STATE, formatHash, parseHash, withFilterValue, withoutFilter } from '../../dashboard/src/state/url-state.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('URL state', () => {
  it('round-trips every part of the state', () => {
    const hash = '#/cache?range=custom&from=2026-11-29T10:00:00.000Z&to=2026-11-29T12:30:00.000Z&distribution=E1VM4RC8HJ2DQY&country=US,DE&statusClass=5xx&pathPrefix=/video/&bot=false&compare=7d&hit=edge';
    const state = parseHash(hash);
    expect(state).toEqual({
      view: 'cache',
      range: { kind: 'custom', fromMs: Date.UTC(2026, 10, 29, 10), toMs: Date.UTC(2026, 10, 29, 12, 30) },
      distributions: ['E1VM4RC8HJ2DQY'],
      filters: { country: 'US,DE', statusClass: '5xx', pathPrefix: '/video/', bot: 'false' },
      compare: '7d',
      options: { hit: 'edge', map: 'requests', livePrefix: '/live/' },
    });
    expect(parseHash(formatHash(state))).toEqual(state);
  });

  it('falls back to defaults for anything unknown or malformed', () => {
    expect(parseHash('')).toEqual(DEFAULT_STATE);
    expect(parseHash('#/nowhere?range=3y&compare=2d&hit=<b>&map=x&token=abc&from=yesterday')).toEqual(DEFAULT_STATE);
    expect(parseHash('#/geo?range=custom&from=2026-11-29T12:00:00Z&to=2026-11-29T11:00:00Z').range).toEqual({ kind: 'preset', preset: '1h' });
    expect(parseHash('#/live?country=US%0A%0DX').filters).toEqual({});
  });

  it('writes defaults out of the URL and keeps parameters in a fixed order', () => {
    expect(formatHash(DEFAULT_STATE)).toBe('#/live');
    const state = withFilterValue(withFilterValue({ ...DEFAULT_STATE, view: 'geo', compare: '1d' }, 'pop', 'IAD', true), 'country', 'US', true);
    expect(formatHash(state)).toBe('#/geo?country=US&pop=IAD&compare=1d');
  });

  it('adds and removes filter values', () => {
    let state = withFilterValue(DEFAULT_STATE, 'country', 'US', true);
    state = withFilterValue(state, 'country', 'DE', true);
    expect(withFilterValue(state, 'country', 'US', true)).toBe(state);
    expect(state.filters.country).toBe('US,DE');
    expect(withFilterValue(withFilterValue(state, 'pathPrefix', '/a/', false), 'pathPrefix', '/b/', false).filters.pathPrefix).toBe('/b/');
    expect(withoutFilter(state, 'country').filters).toEqual({});
  });
});

describe('API parameters', () => {
  const state = parseHash('#/cache?range=24h&distribution=E1,E2&country=US&cacheStatus=miss');

  it('give stats routes the range, the distributions and every filter', () => {
    expect(statsParams(state, NOW)).toEqual({
      from: new Date(NOW - 86_400_000).toISOString(),
      to: new Date(NOW).toISOString(),
      distribution: 'E1,E2',
      country: 'US',
      cacheStatus: 'miss',
    });
    expect(statsParams(state, NOW, { cacheStatus: 'error' }).cacheStatus).toBe('error');
  });

  it('give the live stream the filters but no time range', () => {
    expect(liveParams(state, 20)).toEqual({ distribution: 'E1,E2', country: 'US', cacheStatus: 'miss', rate: '20' });
  });

  it('resolve presets against the clock and zoom around the centre', () => {
    expect(resolveRange({ kind: 'preset', preset: '15m' }, NOW + 400)).toEqual({ fromMs: NOW + 1000 - 900_000, toMs: NOW + 1000, shownToMs: NOW + 1000 });
    const custom = { kind: 'custom', fromMs: NOW - 5_000_000, toMs: NOW - 1_234 } as const;
    expect(resolveRange(custom, NOW)).toEqual({ fromMs: NOW - 5_000_000, toMs: NOW - 1_234, shownToMs: NOW - 1_234 });
  });

  it('align long presets to whole minutes, hours or UTC days, which the rollups answer alone, and show them up to now', () => {
    const now = NOW + 17 * 60_000 + 12_345;
    const shownToMs = NOW + 17 * 60_000 + 13_000;
    expect(resolveRange({ kind: 'preset', preset: '1h' }, now)).toEqual({ fromMs: NOW - 42 * 60_000, toMs: NOW + 18 * 60_000, shownToMs });
    expect(resolveRange({ kind: 'preset', preset: '24h' }, now)).toEqual({ fromMs: NOW + 3_600_000 - 86_400_000, toMs: NOW + 3_600_000, shownToMs });
    expect(resolveRange({ kind: 'preset', preset: '24h' }, NOW)).toEqual({ fromMs: NOW - 86_400_000, toMs: NOW, shownToMs: NOW });
    // Calendar days, today included: 29 whole days and today up to now.
    const endOfToday = Date.UTC(2026, 11, 1);
    expect(resolveRange({ kind: 'preset', preset: '30d' }, now)).toEqual({ fromMs: endOfToday - 30 * 86_400_000, toMs: endOfToday, shownToMs });
    expect(resolveRange({ kind: 'preset', preset: '7d' }, now)).toEqual({ fromMs: Date.UTC(2026, 10, 24), toMs: endOfToday, shownToMs });
    // At midnight exactly: the seven days that just ended.
    expect(resolveRange({ kind: 'preset', preset: '7d' }, endOfToday)).toEqual({ fromMs: endOfToday - 7 * 86_400_000, toMs: endOfToday, shownToMs: endOfToday });
  });

  it('zoom around the centre', () => {
    expect(zoomRange({ fromMs: NOW - 3_600_000, toMs: NOW }, 0.5, NOW)).toEqual({ kind: 'custom', fromMs: NOW - 2_700_000, toMs: NOW - 900_000 });
    expect(zoomRange({ fromMs: NOW - 60_000, toMs: NOW }, 0.5, NOW)).toBeNull();
  });
});
