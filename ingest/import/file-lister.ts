/**
 * Local inputs: a file, or every file under a folder (recursively, in name order). Hidden files
 * are skipped.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImportObject, ObjectLister } from './import-object.js';
import { keyInfo } from './key-info.js';

const SAMPLE_BYTES = 1024 * 1024;

/**
 * What identifies a file's content, as an ETag does an S3 object's: its size and a digest of its
 * first and last MiB. A copy downloaded again (a new modification time) is still recognised as
 * imported; a file that grew or changed is not.
 */
async function fingerprint(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > SAMPLE_BYTES) {
      const tail = Buffer.alloc(Math.min(SAMPLE_BYTES, size - SAMPLE_BYTES));
      await handle.read(tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
  } finally {
    await handle.close();
  }
  return `${size}-${hash.digest('hex').slice(0, 32)}`;
}

async function fileObject(file: string, stat: fs.Stats): Promise<ImportObject> {
  const info = keyInfo(file.split(path.sep).join('/'));
  return {
    uri: pathToFileURL(file).href,
    name: path.basename(file),
    size: stat.size,
    etag: await fingerprint(file, stat.size),
    hourMs: info.hourMs,
    distributionId: info.distributionId,
    open: () => Promise.resolve(fs.createReadStream(file, { highWaterMark: 1024 * 1024 })),
  };
}

async function* walk(dir: string): AsyncGenerator<ImportObject> {
  const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield await fileObject(full, await fs.promises.stat(full));
  }
}

export class FileLister implements ObjectLister {
  readonly #path: string;

  constructor(target: string) {
    this.#path = path.resolve(target);
  }

  async *list(): AsyncGenerator<ImportObject> {
    const stat = await fs.promises.stat(this.#path).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${this.#path}: ${err.code ?? err.message}`, { cause: err });
    });
    if (stat.isDirectory()) yield* walk(this.#path);
    else yield await fileObject(this.#path, stat);
  }
}
