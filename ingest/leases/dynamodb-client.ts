/**
 * Builds the DynamoDB client of the lease table (AWS, or a local endpoint such as dynalite in tests).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface DynamoDbClientOptions {
  readonly region: string;
  /** A local endpoint (`http://127.0.0.1:4568`); omit for AWS. */
  readonly endpoint?: string;
}

// A local emulator checks no signature; fixed values keep the SDK from searching for real credentials.
const LOCAL_CREDENTIALS = { accessKeyId: 'edgewatch-local', secretAccessKey: 'edgewatch-local' } as const;
// A renewal that hangs must fail well inside a lease period, or the lease is lost while waiting.
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;

export function createDynamoDbClient(opts: DynamoDbClientOptions): DynamoDBClient {
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
  });
  return new DynamoDBClient({
    region: opts.region,
    maxAttempts: 2,
    requestHandler,
    ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint, credentials: { ...LOCAL_CREDENTIALS } }),
  });
}
