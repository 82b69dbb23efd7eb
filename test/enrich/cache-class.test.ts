import { describe, expect, it } from 'vitest';
import { classifyCache, isGeoBlocked } from '../../processor/enrich/cache-class.js';
import type { CacheClass } from '../../processor/types.js';

describe('classifyCache', () => {
  // Reference §3.1 / §3.2 (x-edge-result-type, x-edge-response-result-type).
  const resultTypes: [string, CacheClass][] = [
    ['Hit', 'hit'],
    ['RefreshHit', 'refresh_hit'],
    ['Miss', 'miss'],
    ['LimitExceeded', 'limit_exceeded'],
    ['CapacityExceeded', 'capacity_exceeded'],
    ['Error', 'error'],
    ['Redirect', 'redirect'],
    ['LambdaExecutionError', 'error'],
  ];
  it.each(resultTypes)('result type %s → %s', (value, expected) => {
    expect(classifyCache(null, value)).toBe(expected);
    expect(classifyCache(value, null)).toBe(expected);
  });

  // Reference §3.3 (x-edge-detailed-result-type).
  const detailedTypes: [string, CacheClass][] = [
    ['AbortedOrigin', 'error'],
    ['ClientCommError', 'error'],
    ['ClientGeoBlocked', 'error'],
    ['ClientHungUpRequest', 'error'],
    ['Error', 'error'],
    ['InvalidRequest', 'error'],
    ['InvalidRequestBlocked', 'error'],
    ['InvalidRequestCertificate', 'error'],
    ['InvalidRequestHeader', 'error'],
    ['InvalidRequestMethod', 'error'],
    ['OriginCommError', 'error'],
    ['OriginConnectError', 'error'],
    ['OriginContentRangeLengthError', 'error'],
    ['OriginDnsError', 'error'],
    ['OriginError', 'error'],
    ['OriginHeaderTooBigError', 'error'],
    ['OriginInvalidResponseError', 'error'],
    ['OriginReadError', 'error'],
    ['OriginWriteError', 'error'],
    ['OriginZeroSizeObjectError', 'error'],
    ['SlowReaderOriginError', 'error'],
    ['OriginShieldHit', 'origin_shield_hit'],
    ['MissGeneratedResponse', 'miss'],
    ['FunctionExecutionError', 'error'],
    ['FunctionThrottledError', 'error'],
  ];
  it.each(detailedTypes)('detailed type %s → %s', (value, expected) => {
    expect(classifyCache(value, 'Miss')).toBe(expected);
  });

  it('prefers the detailed type over the result type', () => {
    expect(classifyCache('OriginShieldHit', 'Hit')).toBe('origin_shield_hit');
    expect(classifyCache('ClientGeoBlocked', 'Error')).toBe('error');
  });

  it('falls back to the result type when the detailed type is absent or unknown', () => {
    expect(classifyCache(null, 'RefreshHit')).toBe('refresh_hit');
    expect(classifyCache('', 'Hit')).toBe('hit');
    expect(classifyCache('SomethingNew', 'Hit')).toBe('hit');
  });

  it('classifies new error-shaped types as error', () => {
    expect(classifyCache('OriginTlsHandshakeError', null)).toBe('error');
    expect(classifyCache('InvalidRequestSomething', null)).toBe('error');
  });

  it('maps unknown or absent values to other without throwing', () => {
    expect(classifyCache(null, null)).toBe('other');
    expect(classifyCache('hit', 'HIT')).toBe('other');
    expect(classifyCache('<script>', '%00')).toBe('other');
    expect(classifyCache('FunctionGeneratedResponse', null)).toBe('other');
  });
});

describe('isGeoBlocked', () => {
  it('is true only for ClientGeoBlocked', () => {
    expect(isGeoBlocked('ClientGeoBlocked')).toBe(true);
    expect(isGeoBlocked('Error')).toBe(false);
    expect(isGeoBlocked('InvalidRequestBlocked')).toBe(false);
    expect(isGeoBlocked(null)).toBe(false);
  });
});
