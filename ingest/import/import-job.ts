/**
 * One import run: lists every input, then imports the objects with bounded concurrency, retrying an
 * object that failed for a reason other than its data (a dropped download, a storage hiccup) from
 * its start — the chunk tokens make the repeat harmless. Reports progress and a summary.
 */
import type { ImportObject, ObjectLister } from './import-object.js';
import { hourInRange } from './key-info.js';
import type { ObjectImporter, ObjectProgress } from './object-importer.js';

export interface ImportProgress {
  /** Objects listed (all inputs are listed before importing starts). */
  readonly objectsTotal: number;
  /** Objects finished: imported, skipped or failed. */
  readonly objectsDone: number;
  readonly objectsSkipped: number;
  readonly lines: number;
  readonly deadLetters: number;
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly elapsedMs: number;
}

export interface FailedObject {
  readonly uri: string;
  readonly error: string;
}

export interface ImportSummary extends ImportProgress {
  readonly failed: readonly FailedObject[];
  /** Lines (rows and dead letters) per second over the whole run. */
  readonly linesPerSecond: number;
}

export interface ImportJobOptions {
  readonly listers: readonly ObjectLister[];
  readonly importer: ObjectImporter;
  /** Objects imported at once. */
  readonly concurrency: number;
  /** Objects whose name says an hour outside [fromMs, toMs) are left out. */
  readonly fromMs?: number | null;
  readonly toMs?: number | null;
  /** Attempts per object for failures that are not about its data. Default 3. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly onObjectError?: (uri: string, attempt: number, err: unknown) => void;
  readonly signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export async function runImport(options: ImportJobOptions): Promise<ImportSummary> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  const started = Date.now();
  const objects: ImportObject[] = [];
  const seen = new Set<string>();
  for (const lister of options.listers) {
    for await (const object of lister.list()) {
      if (seen.has(object.uri) || !hourInRange(object.hourMs, options.fromMs ?? null, options.toMs ?? null)) continue;
      seen.add(object.uri);
      objects.push(object);
    }
  }
  const totals = { objectsDone: 0, objectsSkipped: 0, lines: 0, deadLetters: 0, bytesRead: 0 };
  const bytesTotal = objects.reduce((sum, o) => sum + o.size, 0);
  const failed: FailedObject[] = [];
  const snapshot = (): ImportProgress => ({ objectsTotal: objects.length, ...totals, bytesTotal, elapsedMs: Date.now() - started });
  const maxAttempts = options.maxAttempts ?? 3;

  const importOne = async (object: ImportObject): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const counted = { lines: 0, deadLetters: 0, bytes: 0 };
      const onProgress = (delta: ObjectProgress): void => {
        counted.lines += delta.lines;
        counted.deadLetters += delta.deadLetters;
        counted.bytes += delta.bytes;
        totals.lines += delta.lines;
        totals.deadLetters += delta.deadLetters;
        totals.bytesRead += delta.bytes;
        options.onProgress?.(snapshot());
      };
      try {
        const result = await options.importer.import(object, onProgress);
        if (result.status === 'skipped') {
          totals.objectsSkipped++;
          totals.bytesRead += object.size;
        }
        return;
      } catch (err) {
        // Progress of the failed attempt is taken back: the next attempt counts its lines again.
        totals.lines -= counted.lines;
        totals.deadLetters -= counted.deadLetters;
        totals.bytesRead -= counted.bytes;
        options.onObjectError?.(object.uri, attempt, err);
        if (options.signal?.aborted === true || attempt >= maxAttempts) {
          failed.push({ uri: object.uri, error: err instanceof Error ? err.message : String(err) });
          return;
        }
        await sleep((options.retryDelayMs ?? 1000) * attempt);
      }
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length && options.signal?.aborted !== true) {
      const object = objects[next++]!;
      await importOne(object);
      totals.objectsDone++;
      options.onProgress?.(snapshot());
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(objects.length, 1)) }, worker));
  const final = snapshot();
  return { ...final, failed, linesPerSecond: final.elapsedMs > 0 ? (final.lines * 1000) / final.elapsedMs : 0 };
}
