/**
 * Known values of enumerated fields (reference §3). Enumerations stay open: a value not listed here is
 * kept as written and counted, so a new result type or protocol shows up in metrics, not in dead letters.
 */

const RESULT_TYPES = [
  'Hit', 'RefreshHit', 'Miss', 'LimitExceeded', 'CapacityExceeded', 'Error', 'Redirect', 'LambdaExecutionError',
  // CloudFront Functions result types: reported by third parties, unconfirmed by AWS (reference §3.1).
  'FunctionGeneratedResponse', 'FunctionExecutionError', 'FunctionThrottledError',
];

const DETAILED_RESULT_TYPES = [
  ...RESULT_TYPES,
  'OriginShieldHit', 'MissGeneratedResponse', 'AbortedOrigin', 'ClientCommError', 'ClientGeoBlocked',
  'ClientHungUpRequest', 'InvalidRequest', 'InvalidRequestBlocked', 'InvalidRequestCertificate',
  'InvalidRequestHeader', 'InvalidRequestMethod', 'OriginCommError', 'OriginConnectError',
  'OriginContentRangeLengthError', 'OriginDnsError', 'OriginError', 'OriginHeaderTooBigError',
  'OriginInvalidResponseError', 'OriginReadError', 'OriginWriteError', 'OriginZeroSizeObjectError',
  'SlowReaderOriginError',
];

export const KNOWN_VALUES: Readonly<Record<string, ReadonlySet<string>>> = {
  'cs-method': new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'DELETE']),
  'cs-protocol': new Set(['http', 'https', 'ws', 'wss', 'grpcs']),
  'cs-protocol-version': new Set(['HTTP/0.9', 'HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/3.0']),
  'c-ip-version': new Set(['IPv4', 'IPv6']),
  'x-edge-response-result-type': new Set(RESULT_TYPES),
  'x-edge-result-type': new Set(RESULT_TYPES),
  'x-edge-detailed-result-type': new Set(DETAILED_RESULT_TYPES),
  'ssl-protocol': new Set(['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']),
  'fle-status': new Set([
    'Processed', 'ForwardedByContentType', 'ForwardedByQueryArgs', 'ForwardedDueToNoProfile',
    'MalformedContentTypeClientError', 'MalformedInputClientError', 'MalformedQueryArgsClientError',
    'RejectedByContentType', 'RejectedByQueryArgs', 'ServerError', 'FieldLengthLimitClientError',
    'FieldNumberLimitClientError', 'RequestLengthLimitClientError',
  ]),
  'cmcd-object-type': new Set(['m', 'a', 'v', 'av', 'i', 'c', 'tt', 'k', 'o']),
  'cmcd-streaming-format': new Set(['d', 'h', 's', 'o']),
  'cmcd-stream-type': new Set(['v', 'l']),
};
