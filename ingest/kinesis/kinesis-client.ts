/**
 * Builds the Kinesis client used by the source, the writer and the local emulator set-up.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisClientOptions {
  readonly region: string;
  /** A local endpoint such as kinesalite (`http://127.0.0.1:4567`); omit for AWS. */
  readonly endpoint?: string;
  /** Omit to use the default AWS credential chain (or dummy credentials for a local endpoint). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** SDK-level attempts per call; the source and writer retry on top with their own backoff. */
  readonly maxAttempts?: number;
}

// kinesalite accepts any signature; fixed values keep the SDK from searching for real credentials.
const LOCAL_CREDENTIALS = { accessKeyId: 'edgewatch-local', secretAccessKey: 'edgewatch-local' } as const;

// GetRecords returns at most 10 MB; 30 s covers that on a slow link, and a hung call must fail, not stall a shard.
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 30_000;
// One socket per shard reader plus writers and control-plane calls.
const MAX_SOCKETS = 64;
// The callers classify errors and back off themselves, so the SDK only absorbs one quick transient failure.
const DEFAULT_MAX_ATTEMPTS = 2;

export function createKinesisClient(opts: KinesisClientOptions): KinesisClient {
  // The SDK's default handler for Kinesis is HTTP/2, which kinesalite does not speak; HTTP/1 works with both.
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  });
  const credentials = opts.credentials ?? (opts.endpoint === undefined ? undefined : LOCAL_CREDENTIALS);
  return new KinesisClient({
    region: opts.region,
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler,
    ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
    ...(credentials === undefined ? {} : { credentials: { ...credentials } }),
  });
}
