/**
 * One thing to import: a local file or an S3 object, with what identifies its content (size and
 * ETag) and the hour its key names, if any.
 */
import type { Readable } from 'node:stream';

export interface ImportObject {
  /** `file:///abs/path` or `s3://bucket/key`: the ledger's key. */
  readonly uri: string;
  /** Last part of the path or key. */
  readonly name: string;
  readonly size: number;
  /** S3 ETag; for files, size and a digest of their ends (a changed file is imported again). */
  readonly etag: string;
  /** Start of the hour the name says the object holds (epoch ms), or null. */
  readonly hourMs: number | null;
  /** Distribution ID the name carries (standard-log keys), or null. */
  readonly distributionId: string | null;
  /** Opens the object's bytes as they are stored (possibly gzip). */
  open(): Promise<Readable>;
}

/** Where objects come from: a file, a folder, an S3 prefix. */
export interface ObjectLister {
  list(): AsyncIterable<ImportObject>;
}
