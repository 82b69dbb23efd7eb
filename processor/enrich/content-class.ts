/**
 * What kind of content a request served (`content_class`) and, for adaptive video, which
 * streaming format (`streaming_format`), from the response content type, the URI path,
 * the viewer protocol and the CMCD fields the player sent.
 *
 * Order of evidence: protocol (WebSocket) → streaming signals (Smooth Streaming paths,
 * manifest and segment types/extensions, CMCD) → the content type → the file extension →
 * API-looking paths. A content type that says nothing (absent, octet-stream, text/plain)
 * defers to the extension.
 */
import type { ContentClass, StreamingFormat } from '../types.js';
import { BoundedCache } from './bounded-cache.js';
import { isWebSocketProtocol } from './protocol.js';

export interface ContentClassification {
  readonly contentClass: ContentClass;
  readonly streamingFormat: StreamingFormat;
}

/** What a content type or an extension says about the payload. */
type Kind =
  | 'hls_manifest'
  | 'dash_manifest'
  | 'smooth_manifest'
  | 'mpeg_ts' // `.ts` / video/mp2t: an HLS segment
  | 'fmp4_segment' // `.m4s`: DASH, or HLS/CMAF with CMCD saying so
  | 'video'
  | 'audio' // a segment only with streaming context
  | 'html'
  | 'script'
  | 'style'
  | 'image'
  | 'font'
  | 'api'
  | 'generic' // absent or says nothing: octet-stream, text/plain
  | 'other';

const CONTENT_TYPE_CACHE_ENTRIES = 2_048;
/** Longer content types are classified but not cached, to bound the cache's memory. */
const MAX_CACHED_CONTENT_TYPE_LENGTH = 256;
const MAX_EXTENSION_LENGTH = 8;

const CONTENT_TYPE_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['application/vnd.apple.mpegurl', 'hls_manifest'],
  ['application/x-mpegurl', 'hls_manifest'],
  ['audio/mpegurl', 'hls_manifest'],
  ['audio/x-mpegurl', 'hls_manifest'],
  ['application/dash+xml', 'dash_manifest'],
  ['application/vnd.ms-sstr+xml', 'smooth_manifest'],
  ['video/mp2t', 'mpeg_ts'],
  ['video/mpeg2-ts', 'mpeg_ts'],
  ['video/iso.segment', 'fmp4_segment'],
  ['application/mp4', 'video'],
  ['audio/iso.segment', 'fmp4_segment'],
  ['text/html', 'html'],
  ['application/xhtml+xml', 'html'],
  ['application/javascript', 'script'],
  ['application/x-javascript', 'script'],
  ['application/ecmascript', 'script'],
  ['text/javascript', 'script'],
  ['text/ecmascript', 'script'],
  ['text/jscript', 'script'],
  ['application/typescript', 'script'],
  ['application/x-typescript', 'script'],
  ['application/wasm', 'script'],
  ['text/css', 'style'],
  ['application/vnd.ms-fontobject', 'font'],
  ['application/font-woff', 'font'],
  ['application/font-woff2', 'font'],
  ['application/font-sfnt', 'font'],
  ['application/x-font-ttf', 'font'],
  ['application/x-font-otf', 'font'],
  ['application/x-font-woff', 'font'],
  ['application/json', 'api'],
  ['text/json', 'api'],
  ['application/x-ndjson', 'api'],
  ['application/graphql', 'api'],
  ['application/grpc', 'api'],
  ['application/grpc-web', 'api'],
  ['application/grpc-web-text', 'api'],
  ['application/x-protobuf', 'api'],
  ['application/protobuf', 'api'],
  ['text/event-stream', 'api'],
  ['application/octet-stream', 'generic'],
  ['binary/octet-stream', 'generic'],
  ['text/plain', 'generic'],
]);

const EXTENSION_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['m3u8', 'hls_manifest'],
  ['m3u', 'hls_manifest'],
  ['mpd', 'dash_manifest'],
  ['ts', 'mpeg_ts'],
  ['m4s', 'fmp4_segment'],
  ['mp4', 'video'],
  ['m4v', 'video'],
  ['cmfv', 'video'],
  ['webm', 'video'],
  ['mov', 'video'],
  ['mkv', 'video'],
  ['aac', 'audio'],
  ['m4a', 'audio'],
  ['cmfa', 'audio'],
  ['ac3', 'audio'],
  ['ec3', 'audio'],
  ['html', 'html'],
  ['htm', 'html'],
  ['shtml', 'html'],
  ['xhtml', 'html'],
  ['js', 'script'],
  ['mjs', 'script'],
  ['cjs', 'script'],
  ['wasm', 'script'],
  ['css', 'style'],
  ['png', 'image'],
  ['jpg', 'image'],
  ['jpeg', 'image'],
  ['gif', 'image'],
  ['webp', 'image'],
  ['avif', 'image'],
  ['svg', 'image'],
  ['ico', 'image'],
  ['bmp', 'image'],
  ['tif', 'image'],
  ['tiff', 'image'],
  ['heic', 'image'],
  ['jxl', 'image'],
  ['apng', 'image'],
  ['woff', 'font'],
  ['woff2', 'font'],
  ['ttf', 'font'],
  ['otf', 'font'],
  ['eot', 'font'],
  ['json', 'api'],
]);

const SMOOTH_MANIFEST_PATH = /\.isml?\/manifest(?:$|\()/i;
// Bounded repetition: paths are attacker-controlled and up to 8 KB, so no unbounded scans.
const SMOOTH_FRAGMENT_PATH = /qualitylevels\([^)/]{0,64}\)\/fragments\(/i;
/** CMCD object types of media: audio, video, muxed, init segment, captions, timed text. */
const MEDIA_OBJECT_TYPES: ReadonlySet<string> = new Set(['a', 'v', 'av', 'i', 'c', 'tt']);
const API_PATH = /(?:^|\/)(?:api|graphql)(?:\/|$)/i;

// Every (class, format) pair as one frozen object, so classification allocates nothing.
function row(contentClass: ContentClass): Readonly<Record<StreamingFormat, ContentClassification>> {
  const of = (streamingFormat: StreamingFormat): ContentClassification => Object.freeze({ contentClass, streamingFormat });
  return Object.freeze({ hls: of('hls'), dash: of('dash'), smooth: of('smooth'), '': of('') });
}
const RESULTS: Readonly<Record<ContentClass, Readonly<Record<StreamingFormat, ContentClassification>>>> = Object.freeze({
  html: row('html'),
  script: row('script'),
  style: row('style'),
  image: row('image'),
  font: row('font'),
  video_segment: row('video_segment'),
  video_manifest: row('video_manifest'),
  api: row('api'),
  websocket: row('websocket'),
  other: row('other'),
});
function classified(contentClass: ContentClass, streamingFormat: StreamingFormat): ContentClassification {
  return RESULTS[contentClass][streamingFormat];
}

const kindByContentType = new BoundedCache<string, Kind>(CONTENT_TYPE_CACHE_ENTRIES);

/** `Text/HTML; charset=UTF-8` → `text/html`. */
export function mediaTypeOf(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function kindOfMediaType(mediaType: string): Kind {
  const known = CONTENT_TYPE_KINDS.get(mediaType);
  if (known !== undefined) return known;
  if (mediaType.length === 0) return 'generic';
  if (mediaType.startsWith('image/')) return 'image';
  if (mediaType.startsWith('font/')) return 'font';
  if (mediaType.startsWith('video/')) return 'video';
  if (mediaType.startsWith('audio/')) return 'audio';
  if (mediaType.endsWith('+json') || mediaType.startsWith('application/grpc')) return 'api';
  return 'other';
}

/** Kind of a raw `sc-content-type` value (parameters and case ignored); cached per value. */
function kindOfContentType(contentType: string | null): Kind {
  if (contentType === null) return 'generic';
  if (contentType.length > MAX_CACHED_CONTENT_TYPE_LENGTH) return kindOfMediaType(mediaTypeOf(contentType));
  let kind = kindByContentType.get(contentType);
  if (kind === undefined) {
    kind = kindOfMediaType(mediaTypeOf(contentType));
    kindByContentType.set(contentType, kind);
  }
  return kind;
}

/** Lower-case extension of the last path segment (`/a/b.M3U8` → `m3u8`); '' when none. */
export function extensionOf(path: string | null): string {
  if (path === null) return '';
  const dot = path.lastIndexOf('.');
  if (dot === -1 || dot === path.length - 1) return '';
  if (path.lastIndexOf('/') > dot) return '';
  if (path.length - dot - 1 > MAX_EXTENSION_LENGTH) return '';
  return path.slice(dot + 1).toLowerCase();
}

/** CMCD `sf` token (CTA-5004): `h` HLS, `d` DASH, `s` Smooth; anything else ''. */
export function streamingFormatFromCmcd(token: string | null): StreamingFormat {
  switch (token) {
    case 'h':
      return 'hls';
    case 'd':
      return 'dash';
    case 's':
      return 'smooth';
    default:
      return '';
  }
}

function isSmoothManifestPath(path: string): boolean {
  return (path.includes('.is') || path.includes('.IS')) && SMOOTH_MANIFEST_PATH.test(path);
}

function isSmoothFragmentPath(path: string): boolean {
  return path.includes('(') && SMOOTH_FRAGMENT_PATH.test(path);
}

function isTextual(kind: Kind): boolean {
  return kind === 'html' || kind === 'script' || kind === 'style' || kind === 'api';
}

function classOfKind(kind: Kind): ContentClass | null {
  switch (kind) {
    case 'html':
    case 'script':
    case 'style':
    case 'image':
    case 'font':
    case 'api':
      return kind;
    default:
      return null;
  }
}

/** Video manifests and segments; null when nothing points to adaptive streaming or video. */
function classifyStreaming(
  typeKind: Kind,
  extKind: Kind | undefined,
  path: string | null,
  cmcd: StreamingFormat,
  cmcdObjectType: string | null,
): ContentClassification | null {
  if (path !== null) {
    if (isSmoothManifestPath(path)) return classified('video_manifest', 'smooth');
    if (isSmoothFragmentPath(path)) return classified('video_segment', 'smooth');
  }
  if (typeKind === 'hls_manifest') return classified('video_manifest', 'hls');
  if (typeKind === 'dash_manifest') return classified('video_manifest', 'dash');
  if (typeKind === 'smooth_manifest') return classified('video_manifest', 'smooth');
  if (extKind === 'hls_manifest') return classified('video_manifest', 'hls');
  if (extKind === 'dash_manifest') return classified('video_manifest', 'dash');
  if (cmcd !== '' && cmcdObjectType === 'm') return classified('video_manifest', cmcd);

  // `.ts` is also TypeScript source: a textual content type wins over the extension.
  if (typeKind === 'mpeg_ts' || (extKind === 'mpeg_ts' && !isTextual(typeKind))) {
    return classified('video_segment', cmcd === '' ? 'hls' : cmcd);
  }
  if (typeKind === 'fmp4_segment' || (extKind === 'fmp4_segment' && !isTextual(typeKind))) {
    return classified('video_segment', cmcd === '' ? 'dash' : cmcd);
  }
  if (typeKind === 'video' || (extKind === 'video' && (typeKind === 'generic' || typeKind === 'audio'))) {
    return classified('video_segment', cmcd);
  }
  // Audio (e.g. HLS packed `.aac`) counts as a segment only when the player says it streams.
  if (cmcd !== '' && (typeKind === 'audio' || (extKind === 'audio' && typeKind === 'generic'))) {
    return classified('video_segment', cmcd);
  }
  if (cmcd !== '' && cmcdObjectType !== null && MEDIA_OBJECT_TYPES.has(cmcdObjectType) && !isTextual(typeKind)) {
    return classified('video_segment', cmcd);
  }
  return null;
}

/**
 * Classifies one request. Positional arguments keep the hot path free of allocations.
 * @param contentType `sc-content-type`
 * @param path URI path (no query)
 * @param protocol `cs-protocol`
 * @param cmcdStreamingFormat `cmcd-streaming-format` (h/d/s/o)
 * @param cmcdObjectType `cmcd-object-type` (m = manifest; a/v/av/i/c/tt = media)
 */
export function classifyContent(
  contentType: string | null,
  path: string | null,
  protocol: string | null,
  cmcdStreamingFormat: string | null = null,
  cmcdObjectType: string | null = null,
): ContentClassification {
  if (isWebSocketProtocol(protocol)) return classified('websocket', '');
  const typeKind = kindOfContentType(contentType);
  const extKind = EXTENSION_KINDS.get(extensionOf(path));
  const cmcd = streamingFormatFromCmcd(cmcdStreamingFormat);

  const streaming = classifyStreaming(typeKind, extKind, path, cmcd, cmcdObjectType);
  if (streaming !== null) return streaming;

  const fromType = classOfKind(typeKind);
  if (fromType !== null) return classified(fromType, '');
  if (typeKind === 'generic' && extKind !== undefined) {
    const fromExtension = classOfKind(extKind);
    if (fromExtension !== null) return classified(fromExtension, '');
  }
  if (protocol === 'grpcs') return classified('api', '');
  if (path !== null && API_PATH.test(path)) return classified('api', '');
  // No content type (e.g. a 304) on a directory-style path: a page.
  if (contentType === null && path !== null && path.endsWith('/')) return classified('html', '');
  return classified('other', '');
}
