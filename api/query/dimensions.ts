/**
 * Dimensions a stats query may group by: the allow-list that maps an API name to SQL. Only
 * these expressions ever reach a query's GROUP BY; user input selects among them by name.
 */

export interface Dimension {
  /** Expression over rollup columns, or null when only raw rows hold the dimension. */
  readonly rollup: string | null;
  /** Expression over raw `requests` columns. */
  readonly raw: string;
  readonly description: string;
  /** In the dim rollups: as a dimension of its own (`value`), or as a column of every row ('column'). */
  readonly dim?: 'dimension' | 'column';
}

export const DIMENSIONS = {
  distribution: { rollup: 'distribution_id', raw: 'distribution_id', description: 'Distribution ID', dim: 'column' },
  country: { rollup: 'country', raw: 'country', description: 'Viewer country (ISO 3166-1 alpha-2)', dim: 'dimension' },
  continent: { rollup: 'continent', raw: 'continent', description: 'Viewer continent code', dim: 'dimension' },
  pop: { rollup: 'pop_code', raw: 'pop_code', description: 'POP code (first three letters of x-edge-location)', dim: 'dimension' },
  edgeLocation: { rollup: 'x_edge_location', raw: "ifNull(x_edge_location, '')", description: 'x-edge-location' },
  cacheStatus: { rollup: 'cache_class', raw: 'cache_class', description: 'Cache status (from x-edge-detailed-result-type)', dim: 'dimension' },
  statusClass: { rollup: 'status_class', raw: 'status_class', description: 'Status class (2xx, 4xx, …)', dim: 'dimension' },
  contentClass: { rollup: 'content_class', raw: 'content_class', description: 'Content class (html, image, video_segment, …)', dim: 'dimension' },
  cacheBehavior: {
    rollup: 'cache_behavior_path_pattern',
    raw: "ifNull(cache_behavior_path_pattern, '')",
    description: 'Cache behavior path pattern',
    dim: 'dimension',
  },
  uri: { rollup: null, raw: "ifNull(uri_path, '')", description: 'Decoded URI path' },
  referrerHost: { rollup: null, raw: "domain(ifNull(cs_referer, ''))", description: 'Host of the Referer header' },
  asn: { rollup: null, raw: "ifNull(toString(asn), '')", description: 'Viewer autonomous system number' },
  userAgent: { rollup: null, raw: "ifNull(cs_user_agent, '')", description: 'User-Agent header' },
  browser: { rollup: null, raw: 'browser', description: 'Browser family' },
  os: { rollup: null, raw: 'os', description: 'Operating system' },
  device: { rollup: null, raw: 'device_type', description: 'Device type' },
  contentType: { rollup: null, raw: "ifNull(sc_content_type, '')", description: 'Content-Type of the response' },
  status: { rollup: null, raw: "ifNull(toString(sc_status), '')", description: 'HTTP status code' },
  detailedResult: { rollup: null, raw: "ifNull(x_edge_detailed_result_type, '')", description: 'x-edge-detailed-result-type' },
  method: { rollup: null, raw: "ifNull(cs_method, '')", description: 'HTTP method' },
  protocol: { rollup: null, raw: "ifNull(cs_protocol, '')", description: 'Viewer protocol' },
  httpVersion: { rollup: null, raw: 'http_version', description: 'HTTP version' },
  sslProtocol: { rollup: null, raw: "ifNull(ssl_protocol, '')", description: 'TLS protocol' },
  sslCipher: { rollup: null, raw: "ifNull(ssl_cipher, '')", description: 'TLS cipher' },
  streamingFormat: { rollup: null, raw: 'streaming_format', description: 'Streaming format (hls, dash, smooth; empty for other content)' },
  cmcdStreamType: { rollup: null, raw: "ifNull(cmcd_stream_type, '')", description: 'CMCD stream type (v: on demand, l: live)' },
} as const satisfies Record<string, Dimension>;

export type DimensionName = keyof typeof DIMENSIONS;

export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as DimensionName[];

/** Dimensions of the top route (issue list), plus `missedUris`, which ranks URIs by misses. */
export const TOP_DIMENSIONS = [
  'uri',
  'missedUris',
  'referrerHost',
  'country',
  'pop',
  'asn',
  'userAgent',
  'browser',
  'os',
  'device',
  'contentType',
  'cacheBehavior',
  'status',
  'detailedResult',
  'distribution',
  'edgeLocation',
  'cacheStatus',
  'contentClass',
  'method',
  'protocol',
  'httpVersion',
  'sslProtocol',
  'sslCipher',
  'streamingFormat',
  'cmcdStreamType',
] as const;

export type TopDimension = (typeof TOP_DIMENSIONS)[number];
