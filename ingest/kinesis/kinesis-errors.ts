/**
 * Classifies Kinesis API errors before any retry, by the SDK's error name (the service's error code)
 * and HTTP status, never by message text.
 */

export type KinesisErrorKind =
  /** Over a shard's or the account's rate: back off (at least 1 s), keep the iterator. */
  | 'throttled'
  /** The shard iterator is more than 5 minutes old: get a new one from the last record read. */
  | 'expired-iterator'
  /** The stream (or shard) does not exist. */
  | 'stream-not-found'
  /** Network error, timeout, 5xx, service-side failure, stream not ACTIVE yet: retry with backoff. */
  | 'transient'
  /** The call was cancelled by us (stop). */
  | 'aborted'
  /** Anything else (bad argument, access denied, KMS key problems): needs an operator or a code fix. */
  | 'fatal';

const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
]);

const TRANSIENT_NAMES = new Set([
  'InternalFailureException',
  'InternalFailure',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'ResourceInUseException',
  'ExpiredNextTokenException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

export function kinesisErrorName(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const name = (err as ErrorShape).name;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

export function classifyKinesisError(err: unknown): KinesisErrorKind {
  if (typeof err !== 'object' || err === null) return 'fatal';
  const shape = err as ErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  if (name === 'AbortError') return 'aborted';
  if (THROTTLING_NAMES.has(name)) return 'throttled';
  if (name === 'ExpiredIteratorException') return 'expired-iterator';
  if (name === 'ResourceNotFoundException') return 'stream-not-found';
  if (TRANSIENT_NAMES.has(name)) return 'transient';
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return 'transient';
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    if (status === 429) return 'throttled';
    if (status >= 500) return 'transient';
  }
  if (shape.$fault === 'server') return 'transient';
  return 'fatal';
}

/** The stream does not exist (wrong name, deleted, or the local emulator is not running this stream). */
export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  readonly streamName: string;

  constructor(streamName: string, options?: ErrorOptions) {
    super(`Kinesis stream "${streamName}" does not exist`, options);
    this.streamName = streamName;
  }
}
