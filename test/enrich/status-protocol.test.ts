import { describe, expect, it } from 'vitest';
import { httpVersion, isWebSocketProtocol } from '../../processor/enrich/protocol.js';
import { statusClass } from '../../processor/enrich/status.js';

describe('statusClass', () => {
  it.each([
    [100, '1xx'],
    [101, '1xx'],
    [200, '2xx'],
    [206, '2xx'],
    [304, '3xx'],
    [403, '4xx'],
    [499, '4xx'],
    [500, '5xx'],
    [503, '5xx'],
    [599, '5xx'],
  ] as const)('%d → %s', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });

  it("gives '000' when the viewer closed the connection before a response", () => {
    expect(statusClass(0)).toBe('000');
    expect(statusClass('000')).toBe('000');
  });

  it("gives '' when absent or out of range", () => {
    expect(statusClass(null)).toBe('');
    expect(statusClass(99)).toBe('');
    expect(statusClass(600)).toBe('');
    expect(statusClass(200.5)).toBe('');
    expect(statusClass('abc')).toBe('');
  });
});

describe('httpVersion', () => {
  it.each([
    ['HTTP/0.9', '0.9'],
    ['HTTP/1.0', '1.0'],
    ['HTTP/1.1', '1.1'],
    ['HTTP/2.0', '2'],
    ['HTTP/3.0', '3'],
    ['http/2.0', '2'],
  ])('%s → %s', (value, expected) => {
    expect(httpVersion(value)).toBe(expected);
  });

  it('keeps unknown values as written and gives empty for absent', () => {
    expect(httpVersion('SPDY/3')).toBe('SPDY/3');
    expect(httpVersion(null)).toBe('');
  });
});

describe('isWebSocketProtocol', () => {
  it('is true for ws and wss only', () => {
    expect(isWebSocketProtocol('ws')).toBe(true);
    expect(isWebSocketProtocol('wss')).toBe(true);
    expect(isWebSocketProtocol('WSS')).toBe(true);
    expect(isWebSocketProtocol('https')).toBe(false);
    expect(isWebSocketProtocol('http')).toBe(false);
    expect(isWebSocketProtocol('grpcs')).toBe(false);
    expect(isWebSocketProtocol(null)).toBe(false);
  });
});
