/**
 * The viewer's request headers as CloudFront logs them: `cs-headers` (`name:value` items each
 * followed by `%0A`, percent-encoded, cookie value left out), `cs-header-names` and
 * `cs-headers-count`. Both lists are capped at 800 raw bytes by dropping whole trailing headers
 * (reference §2.2, field 39). HTTP/1.x clients send Title-Case names, HTTP/2 and /3 lowercase.
 *
 * This runs for every simulated line, so header pieces whose values come from fixed sets (user
 * agents, Accept values, hosts…) are encoded once and cached.
 */
import { encodeLogValue, encodeRepeated } from './percent-encoding.js';
import type { RequestPlan } from './request-plan.js';
import type { HttpVersion } from './user-agents.js';
import type { Viewer } from './viewers.js';

/** CloudFront truncates cs-headers, cs-header-names and cs-cookie at 800 bytes. */
export const HEADER_LIMIT_BYTES = 800;

export interface HeaderFields {
  /** cs-headers and cs-header-names as logged (truncated, encoded); `-` when not built. */
  readonly headers: string;
  readonly names: string;
  readonly count: number;
  /** Approximate request size on the wire (request line, headers, body): `cs-bytes`. */
  readonly requestBytes: number;
}

export interface HeaderPiece {
  /** `name:value%0A`, encoded; empty for the cookie, whose value cs-headers leaves out. */
  readonly logged: string;
  /** Raw length of `name:value\n`, what the 800-byte cap counts. */
  readonly rawLength: number;
  /** `name%0A`, encoded. */
  readonly nameLogged: string;
  readonly nameRawLength: number;
}

const NEWLINE = '%0A';
/** HTTP/1.x spellings that plain title case gets wrong. */
const TITLE_CASE = new Map<string, string>([
  ['sec-websocket-key', 'Sec-WebSocket-Key'],
  ['sec-websocket-version', 'Sec-WebSocket-Version'],
  ['cmcd-object', 'CMCD-Object'],
  ['cmcd-request', 'CMCD-Request'],
  ['cmcd-session', 'CMCD-Session'],
  ['cmcd-status', 'CMCD-Status'],
]);

function titleCase(name: string): string {
  let t = TITLE_CASE.get(name);
  if (t === undefined) {
    t = name.startsWith('sec-ch-') ? name : name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
    TITLE_CASE.set(name, t);
  }
  return t;
}

/** Headers whose values change with every request; they are encoded each time, never cached. */
const PER_REQUEST_VALUES = new Set([
  'cookie', 'authorization', 'if-none-match', 'range', 'cmcd-object', 'cmcd-request', 'cmcd-session', 'cmcd-status',
  'x-forwarded-for', 'sec-websocket-key', 'content-length',
]);

const PIECE_CACHE_LIMIT = 50_000;
const pieceCache = new Map<string, Map<string, HeaderPiece>>();
let cachedPieces = 0;

function makePiece(name: string, value: string, cookie: boolean): HeaderPiece {
  const nameLogged = encodeRepeated(name) + NEWLINE;
  return {
    logged: cookie ? '' : encodeRepeated(name) + ':' + encodeLogValue(value) + NEWLINE,
    rawLength: name.length + value.length + 2,
    nameLogged,
    nameRawLength: name.length + 1,
  };
}

function cachedPiece(name: string, value: string): HeaderPiece {
  let byValue = pieceCache.get(name);
  if (!byValue) {
    byValue = new Map();
    pieceCache.set(name, byValue);
  }
  let piece = byValue.get(value);
  if (!piece) {
    if (cachedPieces >= PIECE_CACHE_LIMIT) {
      pieceCache.clear();
      cachedPieces = 0;
      byValue = new Map();
      pieceCache.set(name, byValue);
    }
    piece = makePiece(name, value, false);
    byValue.set(value, piece);
    cachedPieces++;
  }
  return piece;
}

const CHROMIUM_HINTS = '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"';

function chromiumPlatform(userAgent: string): string {
  if (userAgent.includes('Android')) return '"Android"';
  if (userAgent.includes('Macintosh')) return '"macOS"';
  if (userAgent.includes('Linux')) return '"Linux"';
  return '"Windows"';
}

const FETCH_DEST: Readonly<Partial<Record<RequestPlan['kind'], string>>> = {
  html: 'document', image: 'image', script: 'script', style: 'style', font: 'font',
};

/** Headers that never change for a viewer, in two runs (the client sends others in between). */
export interface ViewerHeaderBlocks {
  /** sec-ch-ua* (Chromium) and user-agent. */
  readonly identity: readonly HeaderPiece[];
  /** accept-encoding and accept-language. */
  readonly preferences: readonly HeaderPiece[];
}

function blocksFor(viewer: Viewer, h1: boolean): ViewerHeaderBlocks {
  const entry = viewer.headerCache;
  const cached = h1 ? entry.h1 : entry.h2;
  if (cached) return cached;
  const client = viewer.client;
  const piece = (lowerName: string, value: string): HeaderPiece => cachedPiece(h1 ? titleCase(lowerName) : lowerName, value);
  const identity: HeaderPiece[] = [];
  if (client.chromium) {
    identity.push(piece('sec-ch-ua', CHROMIUM_HINTS), piece('sec-ch-ua-mobile', client.kind === 'mobile' ? '?1' : '?0'), piece('sec-ch-ua-platform', chromiumPlatform(client.userAgent)));
  }
  identity.push(piece('user-agent', client.userAgent));
  const preferences: HeaderPiece[] = [];
  if (client.acceptEncoding !== null) preferences.push(piece('accept-encoding', client.acceptEncoding));
  if (client.kind !== 'cli' && client.kind !== 'player') preferences.push(piece('accept-language', viewer.country.acceptLanguage));
  const blocks = { identity, preferences };
  if (h1) entry.h1 = blocks;
  else entry.h2 = blocks;
  return blocks;
}

/** Collects one request's headers in the order its client sends them. */
class HeaderList {
  readonly pieces: HeaderPiece[] = [];
  wireBytes = 0;

  constructor(private readonly h1: boolean) {}

  add(lowerName: string, value: string): void {
    const name = this.h1 ? titleCase(lowerName) : lowerName;
    const perRequest = PER_REQUEST_VALUES.has(lowerName);
    this.push(perRequest ? makePiece(name, value, lowerName === 'cookie') : cachedPiece(name, value));
  }

  addAll(pieces: readonly HeaderPiece[]): void {
    for (const piece of pieces) this.push(piece);
  }

  private push(piece: HeaderPiece): void {
    this.pieces.push(piece);
    // name + ": " + value + CRLF on the wire.
    this.wireBytes += piece.rawLength + 2;
  }
}

export function requestHeaderFields(
  viewer: Viewer,
  plan: RequestPlan,
  request: { readonly host: string; readonly httpVersion: HttpVersion; readonly requestId: string },
  build: boolean,
): HeaderFields {
  const h1 = request.httpVersion === 'HTTP/1.1' || request.httpVersion === 'HTTP/1.0';
  const client = viewer.client;
  const blocks = blocksFor(viewer, h1);
  const list = new HeaderList(h1);
  list.add('host', request.host);
  list.addAll(blocks.identity);
  if (plan.accept !== null) list.add('accept', plan.accept);
  if (client.chromium) {
    const dest = FETCH_DEST[plan.kind] ?? 'empty';
    const site = plan.referer === null ? 'none' : plan.referer.startsWith(`https://${request.host}/`) ? 'same-origin' : 'cross-site';
    list.add('sec-fetch-site', site);
    list.add('sec-fetch-mode', dest === 'document' ? 'navigate' : 'cors');
    list.add('sec-fetch-dest', dest);
  }
  if (plan.referer !== null) list.add('referer', plan.referer);
  list.addAll(blocks.preferences);
  if (plan.requestContentType !== null) {
    list.add('content-type', plan.requestContentType);
    list.add('content-length', String(plan.requestBodyBytes));
  }
  for (const [name, value] of plan.extraHeaders) list.add(name, value);
  if (plan.conditional) list.add('if-none-match', `"${request.requestId.slice(0, 32).toLowerCase()}"`);
  if (viewer.forwardedFor !== null) list.add('x-forwarded-for', viewer.forwardedFor);
  if (h1 && plan.websocket === null) list.add('connection', 'keep-alive');
  if (plan.cookie !== null) list.add('cookie', plan.cookie);

  const target = plan.path.length + (plan.query === null ? 0 : plan.query.length + 1);
  const requestLine = plan.method.length + target + 12;
  // HTTP/2 and HTTP/3 compress headers (HPACK/QPACK): count roughly half.
  const headerBytes = h1 ? requestLine + list.wireBytes + 2 : Math.round((requestLine + list.wireBytes) * 0.55);
  const requestBytes = headerBytes + plan.requestBodyBytes + (plan.websocket?.bytesIn ?? 0);
  const count = list.pieces.length;
  if (!build) return { headers: '-', names: '-', count, requestBytes };

  let headers = '';
  let names = '';
  let headersRaw = 0;
  let namesRaw = 0;
  let headersFull = false;
  let namesFull = false;
  for (const piece of list.pieces) {
    if (!headersFull && piece.logged !== '') {
      if (headersRaw + piece.rawLength <= HEADER_LIMIT_BYTES) {
        headersRaw += piece.rawLength;
        headers += piece.logged;
      } else headersFull = true;
    }
    if (!namesFull) {
      if (namesRaw + piece.nameRawLength <= HEADER_LIMIT_BYTES) {
        namesRaw += piece.nameRawLength;
        names += piece.nameLogged;
      } else namesFull = true;
    }
  }
  return { headers: headers === '' ? '-' : headers, names: names === '' ? '-' : names, count, requestBytes };
}
