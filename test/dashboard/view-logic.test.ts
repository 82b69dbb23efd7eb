/**
 * What the views work out from the API's lists: error causes from detailed result types, streaming
 * formats from manifest paths and content types, and filters narrowed by the user's.
 */
import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../api/alerts/alert-view.js';
import { alertMarkers, dashboardLinkOf, type AlertsResponse } from '../../dashboard/src/api/alerts-api.js';
import { alertValue } from '../../dashboard/src/views/alerts-view.js';
import { parseHash } from '../../dashboard/src/state/url-state.js';
import { countByCause, errorCauseOf } from '../../dashboard/src/views/error-causes.js';
import { livePrefixWithin, manifestFormat, segmentPackaging } from '../../dashboard/src/views/video-formats.js';
import { narrowFilter } from '../../dashboard/src/views/view-kit.js';

describe('error causes', () => {
  it('sorts detailed result types into causes', () => {
    expect(errorCauseOf('ClientGeoBlocked')).toBe('geo');
    expect(errorCauseOf('OriginConnectError')).toBe('origin');
    expect(errorCauseOf('OriginDnsError')).toBe('origin');
    expect(errorCauseOf('AbortedOrigin')).toBe('origin');
    expect(errorCauseOf('FunctionExecutionError')).toBe('function');
    expect(errorCauseOf('LambdaExecutionError')).toBe('function');
    expect(errorCauseOf('InvalidRequestHeader')).toBe('edge');
    expect(errorCauseOf('ClientCommError')).toBe('edge');
    expect(errorCauseOf('Error', 403)).toBe('access');
    expect(errorCauseOf('Error', 502)).toBe('edge');
    expect(errorCauseOf('Miss')).toBe('originResponse');
  });

  it('tells access denials from other plain errors by the 403 list', () => {
    const counts = countByCause(
      [
        { detailedResult: 'Error', requests: 50 },
        { detailedResult: 'ClientGeoBlocked', requests: 30 },
        { detailedResult: 'OriginReadError', requests: 5 },
        { detailedResult: 'Miss', requests: 7 },
      ],
      [
        { detailedResult: 'Error', requests: 40 },
        { detailedResult: 'ClientGeoBlocked', requests: 30 },
      ],
    );
    expect(Object.fromEntries(counts)).toEqual({ origin: 5, originResponse: 7, edge: 10, function: 0, access: 40, geo: 30 });
  });
});

describe('video formats', () => {
  it('from manifest paths and segment content types', () => {
    expect(manifestFormat('/vod/x/hls/master.m3u8')).toBe('HLS');
    expect(manifestFormat('/live/x/dash/manifest.mpd')).toBe('DASH');
    expect(manifestFormat('/vod/x/smooth/x.ism/Manifest')).toBe('Smooth Streaming');
    expect(manifestFormat('/index.html')).toBe('other');
    expect(segmentPackaging('video/MP2T')).toBe('MPEG-TS (HLS)');
    expect(segmentPackaging('video/iso.segment; charset=x')).toBe('fMP4 / CMAF (HLS, DASH)');
    expect(segmentPackaging('')).toBe('(no Content-Type)');
  });

  it('find the live prefix within the user’s path filter', () => {
    expect(livePrefixWithin(undefined, '/live/')).toBe('/live/');
    expect(livePrefixWithin('/live/final/', '/live/')).toBe('/live/final/');
    expect(livePrefixWithin('/', '/live/')).toBe('/live/');
    expect(livePrefixWithin('/vod/', '/live/')).toBeNull();
  });
});

describe('narrowFilter', () => {
  it('keeps the wanted values the user’s filter allows', () => {
    expect(narrowFilter(parseHash('#/performance'), 'statusClass', ['4xx', '5xx'])).toBe('4xx,5xx');
    expect(narrowFilter(parseHash('#/performance?statusClass=5xx,2xx'), 'statusClass', ['4xx', '5xx'])).toBe('5xx');
    expect(narrowFilter(parseHash('#/performance?statusClass=2xx'), 'statusClass', ['4xx', '5xx'])).toBeNull();
  });
});

describe('alerts', () => {
  const alert = (overrides: Partial<AlertView>): AlertView =>
    ({
      id: 'a1',
      kind: 'geoBlockedSpike',
      state: 'firing',
      severity: 'warning',
      startedAt: '2026-11-30T10:00:00.000Z',
      firedAt: '2026-11-30T10:01:00.000Z',
      message: 'Geo-blocked requests spike on E1',
      link: '/#/live?distribution=E1&cacheStatus=error&statusClass=4xx',
      ...overrides,
    }) as AlertView;
  const response = (active: AlertView[], recent: AlertView[] = []): AlertsResponse => ({ active, recent, mode: 'live', evaluatedAt: null, evalIntervalMs: 15_000 });

  it('mark geo-blocked spikes when they fired, within the range', () => {
    const from = Date.parse('2026-11-30T09:00:00Z');
    const to = Date.parse('2026-11-30T11:00:00Z');
    const markers = alertMarkers(
      response([alert({}), alert({ id: 'a2', kind: 'errorRate5xx' })], [alert({ id: 'a3', state: 'discarded' }), alert({ id: 'a4', firedAt: '2026-11-29T10:00:00.000Z' })]),
      ['geoBlockedSpike'],
      from,
      to,
    );
    expect(markers).toEqual([{ t: Date.parse('2026-11-30T10:01:00.000Z'), label: 'warning: Geo-blocked requests spike on E1' }]);
  });

  it('link only to dashboard views of this page', () => {
    expect(dashboardLinkOf(alert({}))).toBe('/#/live?distribution=E1&cacheStatus=error&statusClass=4xx');
    expect(dashboardLinkOf(alert({ link: 'https://evil.example/#/live' }))).toBeNull();
    expect(dashboardLinkOf(alert({ link: '//evil.example/#/live' }))).toBeNull();
    expect(dashboardLinkOf(alert({ link: '/#/live?x="><img src=x>' }))).toBeNull();
    expect(dashboardLinkOf(alert({ link: null }))).toBeNull();
  });

  it('values in their unit', () => {
    expect(alertValue(0.123, 'fraction').replace('\u00a0', ' ')).toBe('12.3 %');
    expect(alertValue(28.44, 'requests/s').replace('\u00a0', ' ')).toBe('28.4 requests/s');
    expect(alertValue(null, 'ms')).toBe('—');
  });
});
