import { describe, expect, it } from 'vitest';
import { classifyContent, extensionOf, mediaTypeOf, streamingFormatFromCmcd } from '../../processor/enrich/content-class.js';
import type { ContentClass, StreamingFormat } from '../../processor/types.js';

type Case = [
  label: string,
  contentType: string | null,
  path: string | null,
  expected: [ContentClass, StreamingFormat],
  cmcdStreamingFormat?: string | null,
  cmcdObjectType?: string | null,
];

function check([, contentType, path, [contentClass, streamingFormat], sf = null, ot = null]: Case): void {
  expect(classifyContent(contentType, path, 'https', sf, ot)).toEqual({ contentClass, streamingFormat });
}

describe('classifyContent — HLS', () => {
  const cases: Case[] = [
    ['m3u8 by extension', null, '/live/master.m3u8', ['video_manifest', 'hls']],
    ['m3u8 with octet-stream', 'application/octet-stream', '/live/index.M3U8', ['video_manifest', 'hls']],
    ['manifest by content type', 'application/vnd.apple.mpegurl', '/playlist', ['video_manifest', 'hls']],
    ['application/x-mpegURL any case', 'application/x-mpegURL', '/p', ['video_manifest', 'hls']],
    ['audio/mpegurl', 'audio/mpegurl', '/p', ['video_manifest', 'hls']],
    ['.ts segment', 'video/MP2T', '/live/seg_00042.ts', ['video_segment', 'hls']],
    ['.ts segment without content type', null, '/live/seg_00042.ts', ['video_segment', 'hls']],
    ['video/mp2t without extension', 'video/mp2t', '/seg/42', ['video_segment', 'hls']],
    ['.aac with HLS context (CMCD sf=h)', 'audio/aac', '/live/audio_42.aac', ['video_segment', 'hls'], 'h'],
    ['.m4s with CMCD sf=h', 'video/mp4', '/cmaf/video_42.m4s', ['video_segment', 'hls'], 'h'],
    ['CMCD manifest object type', 'text/plain', '/manifest', ['video_manifest', 'hls'], 'h', 'm'],
  ];
  it.each(cases)('%s', (...c) => check(c));
});

describe('classifyContent — DASH', () => {
  const cases: Case[] = [
    ['mpd by extension', null, '/vod/stream.mpd', ['video_manifest', 'dash']],
    ['mpd by content type', 'application/dash+xml', '/vod/manifest', ['video_manifest', 'dash']],
    ['.m4s without hints', null, '/vod/chunk-stream0-00001.m4s', ['video_segment', 'dash']],
    ['.m4s with video/iso.segment', 'video/iso.segment', '/vod/chunk.m4s', ['video_segment', 'dash']],
    ['.m4s with CMCD sf=d', 'video/mp4', '/vod/chunk.m4s', ['video_segment', 'dash'], 'd'],
    ['init .mp4 with CMCD sf=d', 'video/mp4', '/vod/init-stream0.mp4', ['video_segment', 'dash'], 'd', 'i'],
  ];
  it.each(cases)('%s', (...c) => check(c));
});

describe('classifyContent — Smooth Streaming', () => {
  const cases: Case[] = [
    ['.ism/Manifest', 'text/xml', '/vod/movie.ism/Manifest', ['video_manifest', 'smooth']],
    ['.isml/manifest (live, any case)', null, '/live/channel1.isml/manifest', ['video_manifest', 'smooth']],
    ['manifest with format filter', null, '/vod/movie.ism/Manifest(format=m3u8-aapl)', ['video_manifest', 'smooth']],
    ['QualityLevels/Fragments', 'video/mp4', '/vod/movie.ism/QualityLevels(1500000)/Fragments(video=20000000)', ['video_segment', 'smooth']],
    ['sstr content type', 'application/vnd.ms-sstr+xml', '/vod/x', ['video_manifest', 'smooth']],
  ];
  it.each(cases)('%s', (...c) => check(c));
});

describe('classifyContent — web content', () => {
  const cases: Case[] = [
    ['html with charset', 'text/html; charset=UTF-8', '/index.html', ['html', '']],
    ['html by type on an extension-less path', 'TEXT/HTML', '/about', ['html', '']],
    ['xhtml', 'application/xhtml+xml', '/x', ['html', '']],
    ['directory path without content type (e.g. 304)', null, '/2020/speakers/', ['html', '']],
    ['javascript', 'application/javascript', '/static/app.js', ['script', '']],
    ['text/javascript', 'text/javascript;charset=utf-8', '/x', ['script', '']],
    ['.mjs by extension', 'application/octet-stream', '/m/app.mjs', ['script', '']],
    ['TypeScript source, not a segment', 'application/typescript', '/src/index.ts', ['script', '']],
    ['css', 'text/css', '/s/site.css', ['style', '']],
    ['.css by extension', null, '/s/site.css', ['style', '']],
    ['png', 'image/png', '/i/logo.png', ['image', '']],
    ['svg+xml', 'image/svg+xml', '/i/logo.svg', ['image', '']],
    ['gif tracking pixel', 'image/gif', '/i', ['image', '']],
    ['webp by extension', null, '/i/photo.WEBP', ['image', '']],
    ['woff2', 'font/woff2', '/f/inter.woff2', ['font', '']],
    ['legacy font type', 'application/vnd.ms-fontobject', '/f/x.eot', ['font', '']],
    ['ttf by extension', 'binary/octet-stream', '/f/x.ttf', ['font', '']],
    ['progressive mp4', 'video/mp4', '/media/clip.mp4', ['video_segment', '']],
    ['plain audio file', 'audio/mpeg', '/podcast/ep1.mp3', ['other', '']],
    ['.aac without streaming context', 'audio/aac', '/sounds/ding.aac', ['other', '']],
    ['pdf', 'application/pdf', '/docs/a.pdf', ['other', '']],
    ['nothing known', null, '/download', ['other', '']],
    ['absent path and type', null, null, ['other', '']],
  ];
  it.each(cases)('%s', (...c) => check(c));
});

describe('classifyContent — APIs', () => {
  const cases: Case[] = [
    ['application/json', 'application/json; charset=utf-8', '/v1/users', ['api', '']],
    ['problem+json', 'application/problem+json', '/x', ['api', '']],
    ['/api/ path with no type', null, '/api/v1/users', ['api', '']],
    ['/API path', 'text/plain', '/API', ['api', '']],
    ['graphql', null, '/graphql', ['api', '']],
    ['xml on an api path', 'application/xml', '/api/feed', ['api', '']],
    ['grpc', 'application/grpc', '/svc.Greeter/SayHello', ['api', '']],
    ['server-sent events', 'text/event-stream', '/events', ['api', '']],
    ['json file', null, '/data/config.json', ['api', '']],
    ['not an api: /apidocs/', 'text/html', '/apidocs/', ['html', '']],
  ];
  it.each(cases)('%s', (...c) => check(c));

  it('treats grpcs as api', () => {
    expect(classifyContent(null, '/svc/Method', 'grpcs')).toEqual({ contentClass: 'api', streamingFormat: '' });
  });
});

describe('classifyContent — WebSocket', () => {
  it('classifies ws/wss as websocket whatever the path or type', () => {
    expect(classifyContent(null, '/socket', 'wss')).toEqual({ contentClass: 'websocket', streamingFormat: '' });
    expect(classifyContent('application/json', '/api/ws', 'ws')).toEqual({ contentClass: 'websocket', streamingFormat: '' });
  });
});

describe('classifyContent — hostile input', () => {
  it('never throws and returns shared result objects', () => {
    const inputs = ['', ';;;', '%00', 'a'.repeat(100_000), '((((', '.ism/Manifest'.repeat(1_000), 'QualityLevels('.repeat(10_000)];
    for (const value of inputs) {
      expect(() => classifyContent(value, value, value, value, value)).not.toThrow();
    }
    expect(classifyContent('text/css', '/a.css', 'https')).toBe(classifyContent('text/css', '/b.css', 'http'));
  });
});

describe('helpers', () => {
  it('mediaTypeOf strips parameters, spaces and case', () => {
    expect(mediaTypeOf(' Text/HTML ; charset=UTF-8')).toBe('text/html');
    expect(mediaTypeOf('application/json')).toBe('application/json');
  });

  it('extensionOf reads the last path segment only', () => {
    expect(extensionOf('/a/b.M3U8')).toBe('m3u8');
    expect(extensionOf('/a.b/c')).toBe('');
    expect(extensionOf('/a/b.')).toBe('');
    expect(extensionOf('/a/b.averyverylongext')).toBe('');
    expect(extensionOf(null)).toBe('');
  });

  it('streamingFormatFromCmcd reads CTA-5004 tokens', () => {
    expect(streamingFormatFromCmcd('h')).toBe('hls');
    expect(streamingFormatFromCmcd('d')).toBe('dash');
    expect(streamingFormatFromCmcd('s')).toBe('smooth');
    expect(streamingFormatFromCmcd('o')).toBe('');
    expect(streamingFormatFromCmcd(null)).toBe('');
  });
});
