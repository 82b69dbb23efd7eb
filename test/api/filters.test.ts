import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { activeFilters, parseFilters, parseTime, type FilterQuery } from '../../api/query/filters.js';
import { filterConditions, rollupCanFilter, type SqlParams } from '../../api/query/filter-sql.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 30);
const resolve = (x: string): string | undefined => (x === 'd111111abcdef8.cloudfront.net' ? 'E2DIST' : x.includes('.') ? undefined : x);
const parse = (query: FilterQuery) => parseFilters(query, resolve, undefined, NOW);

function rejection(query: FilterQuery): ApiError {
  try {
    parse(query);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe('parseFilters', () => {
  it('defaults to the last hour, ending at the next whole minute', () => {
    const f = parse({});
    expect(f.toMs).toBe(Date.UTC(2026, 10, 20, 12, 1, 0));
    expect(f.toMs - f.fromMs).toBe(3_600_000);
    expect(f.distributions).toEqual([]);
    expect(activeFilters(f)).toEqual([]);
  });

  it('reads ISO 8601 and epoch milliseconds', () => {
    expect(parseTime('from', '2026-11-20T10:00:00Z')).toBe(Date.UTC(2026, 10, 20, 10));
    expect(parseTime('from', '2026-11-20T10:00:00.5+01:00')).toBe(Date.UTC(2026, 10, 20, 9, 0, 0, 500));
    expect(parseTime('to', String(Date.UTC(2026, 10, 20)))).toBe(Date.UTC(2026, 10, 20));
  });

  it('resolves CloudFront domains to distribution IDs and keeps IDs', () => {
    expect(parse({ distribution: 'd111111abcdef8.cloudfront.net,E3OTHER' }).distributions).toEqual(['E2DIST', 'E3OTHER']);
  });

  it('normalises and validates every list filter', () => {
    const f = parse({
      country: 'us,de',
      pop: 'iad,FRA56-P1',
      cacheStatus: 'HIT,miss',
      statusClass: '5XX',
      status: '404,503',
      method: 'get',
      protocol: 'HTTPS',
      httpVersion: 'HTTP/2,1.1',
      sslProtocol: 'TLSv1.3',
      detailedResult: 'ClientGeoBlocked',
      contentClass: 'video_segment',
      cacheBehavior: '/api/*',
      pathPrefix: '/videos/',
      device: 'mobile',
      bot: 'false',
      source: 'realtime',
    });
    expect(f).toMatchObject({
      country: ['US', 'DE'],
      pop: ['IAD', 'FRA56-P1'],
      cacheStatus: ['hit', 'miss'],
      statusClass: ['5xx'],
      status: [404, 503],
      method: ['GET'],
      protocol: ['https'],
      httpVersion: ['2', '1.1'],
      sslProtocol: ['TLSv1.3'],
      detailedResult: ['ClientGeoBlocked'],
      contentClass: ['video_segment'],
      cacheBehavior: ['/api/*'],
      pathPrefix: '/videos/',
      device: ['mobile'],
      bot: false,
      source: ['realtime'],
    });
  });

  it.each<[FilterQuery, string]>([
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-13-45T00:00:00Z' }, 'to'],
    [{ from: '2026-11-20T12:00:00Z', to: '2026-11-20T11:00:00Z' }, 'from'],
    [{ from: '2020-01-01T00:00:00Z', to: '2026-11-20T00:00:00Z' }, 'from'],
    [{ to: '9999999999999' }, 'to'],
    [{ distribution: 'dunknown.cloudfront.net' }, 'distribution'],
    [{ distribution: "E1' OR 1=1 --" }, 'distribution'],
    [{ country: 'USA' }, 'country'],
    [{ pop: 'I@D' }, 'pop'],
    [{ cacheStatus: 'warm' }, 'cacheStatus'],
    [{ statusClass: '6xx' }, 'statusClass'],
    [{ status: '20x' }, 'status'],
    [{ method: 'BREW' }, 'method'],
    [{ protocol: 'gopher' }, 'protocol'],
    [{ httpVersion: '4' }, 'httpVersion'],
    [{ sslProtocol: "TLS'1" }, 'sslProtocol'],
    [{ detailedResult: 'Client Geo' }, 'detailedResult'],
    [{ contentClass: 'music' }, 'contentClass'],
    [{ cacheBehavior: '/a\u0000b' }, 'cacheBehavior'],
    [{ pathPrefix: 'no-slash' }, 'pathPrefix'],
    [{ device: 'toaster' }, 'device'],
    [{ bot: 'maybe' }, 'bot'],
    [{ source: 'carrier-pigeon' }, 'source'],
    [{ country: ',,' }, 'country'],
    [{ country: Array.from({ length: 51 }, (_, i) => `A${String.fromCharCode(65 + (i % 26))}`).join(',') }, 'country'],
  ])('rejects %j naming %s', (query, parameter) => {
    const err = rejection(query);
    expect(err.statusCode).toBe(400);
    expect(err.parameter).toBe(parameter);
    expect(err.message.startsWith(`${parameter}:`)).toBe(true);
  });
});

describe('filterConditions', () => {
  it('binds every value as a parameter and never writes one into the SQL', () => {
    const params: SqlParams = {};
    const f = parse({ distribution: 'E2DIST', country: 'US', pop: 'IAD,FRA56-P1', status: '404', pathPrefix: "/x'; DROP TABLE requests; --", bot: 'true' });
    const sql = filterConditions(f, 'raw', params);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('US');
    expect(params).toMatchObject({ f_distribution: ['E2DIST'], f_country: ['US'], f_pop: ['IAD'], f_edge_location: ['FRA56-P1'], f_status: [404], f_bot: 1 });
    expect(params.f_path_prefix).toBe("/x'; DROP TABLE requests; --");
  });

  it('knows which filters the rollups hold', () => {
    expect(rollupCanFilter(parse({ country: 'US', pop: 'IAD', cacheStatus: 'hit', statusClass: '2xx', contentClass: 'html', cacheBehavior: '*' }))).toBe(true);
    for (const query of [{ status: '200' }, { detailedResult: 'Miss' }, { method: 'GET' }, { device: 'mobile' }, { bot: 'true' }, { pathPrefix: '/' }, { protocol: 'https' }]) {
      expect(rollupCanFilter(parse(query))).toBe(false);
    }
    expect(() => filterConditions(parse({ method: 'GET' }), 'rollup', {})).toThrow(/rollup/);
  });
});
