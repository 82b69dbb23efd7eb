/**
 * S3 inputs: every object under `s3://bucket/prefix`, listed page by page (ListObjectsV2), opened
 * with GetObject. Credentials come from the SDK's default chain; an endpoint (an S3-compatible
 * server) switches to path-style addressing.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { ImportObject, ObjectLister } from './import-object.js';
import { hourInRange, keyInfo } from './key-info.js';

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** `s3://bucket/prefix` → its parts; null when `uri` is not an S3 URI. */
export function parseS3Uri(uri: string): S3Location | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match?.[1]) return null;
  return { bucket: match[1], prefix: match[2] ?? '' };
}

export interface S3ClientOptions {
  readonly region?: string;
  /** An S3-compatible endpoint (tests, MinIO); path-style addressing is used with it. */
  readonly endpoint?: string;
  /** Attempts per request (the SDK's retry strategy, with backoff). Default 5. */
  readonly maxAttempts?: number;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 5,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
  });
}

export interface S3ListerOptions {
  readonly client: S3Client;
  readonly location: S3Location;
  /** Objects whose key names an hour outside [fromMs, toMs) are not listed. */
  readonly fromMs?: number | null;
  readonly toMs?: number | null;
  /** Keys per ListObjectsV2 page (S3's default and maximum: 1000). */
  readonly pageSize?: number;
}

export class S3Lister implements ObjectLister {
  constructor(private readonly options: S3ListerOptions) {}

  async *list(): AsyncGenerator<ImportObject> {
    const { client, location } = this.options;
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, ContinuationToken: token, MaxKeys: this.options.pageSize }));
      for (const entry of page.Contents ?? []) {
        const key = entry.Key;
        if (key === undefined || key.endsWith('/')) continue;
        const info = keyInfo(key);
        if (!hourInRange(info.hourMs, this.options.fromMs ?? null, this.options.toMs ?? null)) continue;
        yield {
          uri: `s3://${location.bucket}/${key}`,
          name: key.slice(key.lastIndexOf('/') + 1),
          size: entry.Size ?? 0,
          etag: (entry.ETag ?? '').replace(/"/g, ''),
          hourMs: info.hourMs,
          distributionId: info.distributionId,
          open: () => this.#open(key),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async #open(key: string): Promise<Readable> {
    const { client, location } = this.options;
    const object = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    const body = object.Body as Readable | undefined;
    if (body === undefined) throw new Error(`s3://${location.bucket}/${key}: GetObject returned no body`);
    return body;
  }
}
