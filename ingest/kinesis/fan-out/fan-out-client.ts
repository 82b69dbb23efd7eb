/**
 * The client for SubscribeToShard: enhanced fan-out pushes events over HTTP/2 for up to 5 minutes,
 * which the HTTP/1 client of the polling path cannot carry. Each subscription gets a connection of its own.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import type { KinesisClientOptions } from '../kinesis-client.js';

// A subscription is quiet between events; Kinesis sends one at least every few seconds, so a minute idle means it is dead.
const STREAM_IDLE_TIMEOUT_MS = 60_000;

export function createFanOutKinesisClient(opts: KinesisClientOptions): KinesisClient {
  return new KinesisClient({
    region: opts.region,
    // The reader classifies and retries; a subscription is not repeated by the SDK.
    maxAttempts: 1,
    requestHandler: new NodeHttp2Handler({ requestTimeout: STREAM_IDLE_TIMEOUT_MS, disableConcurrentStreams: true }),
    ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
    ...(opts.credentials === undefined ? {} : { credentials: { ...opts.credentials } }),
  });
}
