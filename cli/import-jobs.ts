/**
 * Imports run inside the server (`POST /api/v1/imports`): the server owns the embedded store, so a
 * command-line import on the same data dir is handed over and runs here, through the same code as a
 * direct import. Jobs run one after another's listing, each with its own concurrency; finished jobs
 * are kept (the last 20) for GET.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, invalidParameter } from '../api/errors.js';
import type { ImportJobBody, ImportJobs, ImportJobStatus } from '../api/imports/import-schemas.js';
import type { ImportProgress } from '../ingest/import/import-job.js';
import { checkInputs, executeImport, ImportRequestError, type ImportEnvironment, type ImportRequest } from '../ingest/import/import-request.js';
import { layoutOf, type Layout } from '../processor/fields/layout.js';

const KEEP_FINISHED = 20;

interface Job {
  status: ImportJobStatus;
}

export interface ServerImportJobsOptions {
  readonly environment: ImportEnvironment;
  readonly onError?: (id: string, err: unknown) => void;
}

const EMPTY_PROGRESS: ImportProgress = { objectsTotal: 0, objectsDone: 0, objectsSkipped: 0, lines: 0, deadLetters: 0, bytesRead: 0, bytesTotal: 0, elapsedMs: 0 };

function requestOf(body: ImportJobBody): ImportRequest {
  try {
    checkInputs(body.inputs);
  } catch (err) {
    if (err instanceof ImportRequestError) throw invalidParameter('inputs', err.message);
    throw err;
  }
  let layout: Layout | undefined;
  try {
    layout = body.fields === undefined ? undefined : layoutOf(body.fields);
  } catch (err) {
    throw invalidParameter('fields', (err as Error).message);
  }
  const time = (value: string | undefined, name: string): number | null => {
    if (value === undefined) return null;
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw invalidParameter(name, 'must be an ISO date-time');
    return ms;
  };
  const fromMs = time(body.from, 'from');
  const toMs = time(body.to, 'to');
  if (fromMs !== null && toMs !== null && fromMs >= toMs) throw invalidParameter('from', 'must be before to');
  return {
    inputs: body.inputs,
    ...(body.format === undefined ? {} : { format: body.format }),
    ...(layout === undefined ? {} : { layout }),
    ...(body.samplingRate === undefined ? {} : { samplingRate: body.samplingRate }),
    ...(body.distributionId === undefined ? {} : { distributionId: body.distributionId }),
    fromMs,
    toMs,
    concurrency: body.concurrency ?? 2,
  };
}

export class ServerImportJobs implements ImportJobs {
  readonly #jobs = new Map<string, Job>();
  readonly #running = new Set<Promise<void>>();
  readonly #controller = new AbortController();
  #stopped = false;

  constructor(private readonly options: ServerImportJobsOptions) {}

  start(body: ImportJobBody): ImportJobStatus {
    if (this.#stopped) throw new ApiError(503, 'overloaded', 'the server is stopping', undefined, 5);
    const request = requestOf(body);
    const id = randomUUID();
    const job: Job = {
      status: { id, state: 'running', inputs: [...body.inputs], startedAt: new Date().toISOString(), finishedAt: null, progress: EMPTY_PROGRESS, failed: [], error: null },
    };
    this.#jobs.set(id, job);
    const run = executeImport(request, this.options.environment, {
      onProgress: (progress) => {
        job.status = { ...job.status, progress };
      },
      signal: this.#controller.signal,
    }).then(
      (summary) => {
        const { failed, linesPerSecond: _rate, ...progress } = summary;
        job.status = { ...job.status, state: failed.length > 0 ? 'failed' : 'succeeded', progress, failed, finishedAt: new Date().toISOString() };
      },
      (err: unknown) => {
        this.options.onError?.(id, err);
        job.status = { ...job.status, state: 'failed', error: err instanceof Error ? err.message : String(err), finishedAt: new Date().toISOString() };
      },
    );
    const tracked = run.finally(() => {
      this.#running.delete(tracked);
      this.#prune();
    });
    this.#running.add(tracked);
    return job.status;
  }

  get(id: string): ImportJobStatus | undefined {
    return this.#jobs.get(id)?.status;
  }

  list(): readonly ImportJobStatus[] {
    return [...this.#jobs.values()].map((j) => j.status).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** Stops the jobs (what is durable stays; a re-run resumes the rest) and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#controller.abort();
    await Promise.allSettled([...this.#running]);
  }

  #prune(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.status.state !== 'running').sort((a, b) => a.status.startedAt.localeCompare(b.status.startedAt));
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.#jobs.delete(job.status.id);
  }
}
