/**
 * Checkpoints in JSON files, one per stream (`<dir>/<stream>.json`), for the single-worker (embedded) mode.
 * Each file is replaced atomically (temp file, fsync, rename), so a crash leaves either the old or the
 * new content, never a torn file.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CheckpointStore, SequenceRange, ShardCheckpoint } from './checkpoint-store.js';

const sequenceNumber = z.string().regex(/^(0|[1-9]\d{0,128})$/, 'a decimal sequence number');
const shardCheckpointSchema = z.strictObject({
  sequenceNumber: sequenceNumber.nullable(),
  inFlight: z.strictObject({ first: sequenceNumber, last: sequenceNumber }).nullable(),
  finished: z.boolean(),
});
const checkpointFileSchema = z.strictObject({
  version: z.literal(1),
  stream: z.string(),
  shards: z.record(z.string(), shardCheckpointSchema),
});
type CheckpointFile = z.infer<typeof checkpointFileSchema>;

const EMPTY: ShardCheckpoint = Object.freeze({ sequenceNumber: null, inFlight: null, finished: false });

/** The checkpoint file exists but cannot be used; edgewatch will not guess where to resume. */
export class CheckpointFileError extends Error {
  override readonly name = 'CheckpointFileError';
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`checkpoint file ${path} ${problem}`, options);
    this.path = path;
  }
}

/** A commit would move a shard's checkpoint backwards, which only a second reader of the same shard does. */
export class CheckpointRegressionError extends Error {
  override readonly name = 'CheckpointRegressionError';

  constructor(stream: string, shardId: string, current: string, attempted: string) {
    super(`refusing to move the checkpoint of ${stream}/${shardId} back from ${current} to ${attempted}`);
  }
}

/** One stream's file: the in-memory map is the truth, the file follows it. */
interface StreamFile {
  readonly stream: string;
  readonly path: string;
  readonly shards: Map<string, ShardCheckpoint>;
  /** The write running or last run; writes never overlap, so an older snapshot cannot land after a newer one. */
  writing: Promise<void>;
  /** A write queued behind `writing` that has not taken its snapshot yet; later changes join it. */
  queued: Promise<void> | null;
}

export class FileCheckpointStore implements CheckpointStore {
  private readonly dir: string;
  private readonly files = new Map<string, Promise<StreamFile>>();
  private tempCounter = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  async load(stream: string, shardId: string): Promise<ShardCheckpoint | undefined> {
    const file = await this.open(stream);
    return file.shards.get(shardId);
  }

  async markInFlight(stream: string, shardId: string, range: SequenceRange): Promise<void> {
    checkSequence(range.first);
    checkSequence(range.last);
    if (BigInt(range.first) > BigInt(range.last)) {
      throw new RangeError(`in-flight range of ${stream}/${shardId} starts after it ends: ${range.first} > ${range.last}`);
    }
    const file = await this.open(stream);
    const current = file.shards.get(shardId) ?? EMPTY;
    this.set(file, shardId, { ...current, inFlight: Object.freeze({ first: range.first, last: range.last }) });
    await this.persist(file);
  }

  async commit(stream: string, shardId: string, sequenceNumber: string): Promise<void> {
    checkSequence(sequenceNumber);
    const file = await this.open(stream);
    const current = file.shards.get(shardId) ?? EMPTY;
    if (current.sequenceNumber !== null && BigInt(sequenceNumber) < BigInt(current.sequenceNumber)) {
      throw new CheckpointRegressionError(stream, shardId, current.sequenceNumber, sequenceNumber);
    }
    this.set(file, shardId, { ...current, sequenceNumber, inFlight: null });
    await this.persist(file);
  }

  async markFinished(stream: string, shardId: string): Promise<void> {
    const file = await this.open(stream);
    const current = file.shards.get(shardId) ?? EMPTY;
    this.set(file, shardId, { ...current, inFlight: null, finished: true });
    await this.persist(file);
  }

  /** Path of the file that holds `stream`'s checkpoints. */
  pathFor(stream: string): string {
    // Stream names are [a-zA-Z0-9_.-]; encoding keeps any other configured name inside the directory.
    return join(this.dir, `${encodeURIComponent(stream)}.json`);
  }

  private set(file: StreamFile, shardId: string, checkpoint: ShardCheckpoint): void {
    file.shards.set(shardId, Object.freeze(checkpoint));
  }

  private open(stream: string): Promise<StreamFile> {
    let opening = this.files.get(stream);
    if (opening === undefined) {
      opening = this.read(stream);
      this.files.set(stream, opening);
      // A failed read (unreadable file) is retried on the next call rather than cached.
      opening.catch(() => this.files.delete(stream));
    }
    return opening;
  }

  private async read(stream: string): Promise<StreamFile> {
    const path = this.pathFor(stream);
    const shards = new Map<string, ShardCheckpoint>();
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new CheckpointFileError(path, 'is not valid JSON', { cause: err });
      }
      const parsed = checkpointFileSchema.safeParse(json);
      if (!parsed.success) {
        throw new CheckpointFileError(path, `does not match the checkpoint format: ${z.prettifyError(parsed.error)}`);
      }
      if (parsed.data.stream !== stream) {
        throw new CheckpointFileError(path, `belongs to stream "${parsed.data.stream}", not "${stream}"`);
      }
      for (const [shardId, checkpoint] of Object.entries(parsed.data.shards)) {
        shards.set(shardId, Object.freeze({ ...checkpoint, inFlight: checkpoint.inFlight && Object.freeze(checkpoint.inFlight) }));
      }
    }
    return { stream, path, shards, writing: Promise.resolve(), queued: null };
  }

  /** Resolves once a write that includes every change made so far is on disk. */
  private persist(file: StreamFile): Promise<void> {
    if (file.queued !== null) return file.queued;
    const run = file.writing.then(() => {
      file.queued = null;
      return this.write(file);
    });
    file.queued = run;
    file.writing = run.catch(() => undefined);
    return run;
  }

  private async write(file: StreamFile): Promise<void> {
    const content: CheckpointFile = { version: 1, stream: file.stream, shards: Object.fromEntries(file.shards) };
    const text = `${JSON.stringify(content, null, 2)}\n`;
    const temp = `${file.path}.${process.pid}.${++this.tempCounter}.tmp`;
    await mkdir(this.dir, { recursive: true });
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file.path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await syncDirectory(this.dir);
  }
}

function checkSequence(value: string): void {
  if (!sequenceNumber.safeParse(value).success) throw new RangeError(`not a sequence number: ${JSON.stringify(value)}`);
}

/** Makes the rename itself durable. Not supported everywhere (Windows), where the rename has to do. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: see above
  } finally {
    await handle?.close();
  }
}
