/**
 * What a simulated viewer asks for, before the edge decides what happens to it. Content models
 * (web, api, downloads, video) produce plans; the outcome model and the record builder turn a plan
 * into a log record.
 */

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'OPTIONS' | 'DELETE';

export type ContentKind =
  | 'html'
  | 'script'
  | 'style'
  | 'image'
  | 'font'
  | 'api'
  | 'beacon'
  | 'manifest'
  | 'segment'
  | 'init'
  | 'download'
  | 'websocket'
  | 'other';

/** How a cacheable object tends to be found at the edge (shares of Hit / RefreshHit; the rest miss). */
export interface CacheOdds {
  readonly hit: number;
  readonly refreshHit: number;
}

/** CMCD keys (CTA-5004) a player sent; absent keys are logged as `-`. */
export interface CmcdValues {
  br?: number;
  bl?: number;
  bs?: boolean;
  cid?: string;
  d?: number;
  dl?: number;
  mtp?: number;
  nor?: string;
  nrr?: string;
  ot?: string;
  pr?: number;
  rtp?: number;
  sf?: 'h' | 'd' | 's' | 'o';
  sid?: string;
  st?: 'v' | 'l';
  su?: boolean;
  tb?: number;
  v?: number;
}

/** A request refused at the edge by configuration, whatever the cache holds. */
export type EdgeDenial = 'signed-url-missing' | 'signed-url-expired' | 'waf-block' | 'method-not-allowed';

export interface RequestPlan {
  method: Method;
  /** Path without query, unencoded. */
  path: string;
  /** Query without `?`, unencoded (as sent: may itself contain `%XX`); null when none. */
  query: string | null;
  pathPattern: string;
  kind: ContentKind;
  /** Response Content-Type when served normally; null when the response has none. */
  contentType: string | null;
  /** Full size of the object (or generated response body) in bytes. */
  objectBytes: number;
  /** Status when everything goes right: 200, 201, 204, 206, 101… */
  status: number;
  /** Cache behaviour for GET/HEAD; null when the behavior never caches (always Miss). */
  cache: CacheOdds | null;
  /** The behavior's origin sits behind Origin Shield. */
  originShield: boolean;
  /** Origin processing time in ms for a full (non-conditional) request. */
  originWorkMs: number;
  /** Origin sends the body with chunked encoding (no Content-Length), e.g. compressed HTML. */
  chunked: boolean;
  range: { start: number; end: number } | null;
  /** Viewer sent If-None-Match / If-Modified-Since. */
  conditional: boolean;
  referer: string | null;
  cookie: string | null;
  accept: string | null;
  requestBodyBytes: number;
  requestContentType: string | null;
  /** More request headers, in the order the client sends them. */
  extraHeaders: Array<readonly [string, string]>;
  cmcd: CmcdValues | null;
  /** Edge function on the behavior, which may fail. */
  edgeFunction: 'lambda' | 'cloudfront-function' | null;
  fle: { status: string; encryptedFields: number } | null;
  denial: EdgeDenial | null;
  /** WebSocket connection: how long it stayed open and bytes each way. */
  websocket: { durationMs: number; bytesIn: number; bytesOut: number } | null;
}

/** A plan with every optional part empty; content models fill in what they need. */
export function basePlan(fields: Pick<RequestPlan, 'path' | 'pathPattern' | 'kind' | 'contentType' | 'objectBytes'> & Partial<RequestPlan>): RequestPlan {
  return {
    method: 'GET',
    query: null,
    status: 200,
    cache: null,
    originShield: false,
    originWorkMs: 20,
    chunked: false,
    range: null,
    conditional: false,
    referer: null,
    cookie: null,
    accept: '*/*',
    requestBodyBytes: 0,
    requestContentType: null,
    extraHeaders: [],
    cmcd: null,
    edgeFunction: null,
    fle: null,
    denial: null,
    websocket: null,
    ...fields,
  };
}
