/**
 * Wire shapes of the imports API (`/api/v1/imports`): what an import job is asked to do and how far
 * it got. The command line's hand-off client sends and reads exactly these.
 */

export interface ImportJobBody {
  /** Absolute paths on the server's machine, or `s3://bucket/prefix` URIs. */
  readonly inputs: readonly string[];
  readonly format?: 'standard' | 'realtime';
  readonly fields?: readonly string[];
  readonly samplingRate?: number;
  readonly distributionId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly concurrency?: number;
}

export interface ImportJobProgress {
  readonly objectsTotal: number;
  readonly objectsDone: number;
  readonly objectsSkipped: number;
  readonly lines: number;
  readonly deadLetters: number;
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly elapsedMs: number;
}

export type ImportJobState = 'running' | 'succeeded' | 'failed';

export interface ImportJobStatus {
  readonly id: string;
  readonly state: ImportJobState;
  readonly inputs: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: ImportJobProgress;
  readonly failed: readonly { readonly uri: string; readonly error: string }[];
  readonly error: string | null;
}

/** The server side of the API: runs jobs (one store, one process), reports on them. */
export interface ImportJobs {
  /** Starts a job; throws ApiError (400) for a request it cannot run. */
  start(body: ImportJobBody): ImportJobStatus;
  get(id: string): ImportJobStatus | undefined;
  /** Running jobs and the most recent finished ones, newest first. */
  list(): readonly ImportJobStatus[];
}

export const importJobBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['inputs'],
  properties: {
    inputs: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', minLength: 1, maxLength: 2048 },
      description: 'Files or folders (absolute paths on the server) and s3://bucket/prefix URIs.',
    },
    format: { type: 'string', enum: ['standard', 'realtime'], description: 'Kind of log; detected per object when absent.' },
    fields: {
      type: 'array',
      minItems: 1,
      maxItems: 80,
      items: { type: 'string', minLength: 1, maxLength: 64 },
      description: 'Field set of real-time lines (default: the stream’s log config).',
    },
    samplingRate: { type: 'integer', minimum: 1, maximum: 100, description: 'Sampling rate of real-time lines, in %.' },
    distributionId: { type: 'string', pattern: '^[A-Z0-9]{1,64}$' },
    from: { type: 'string', format: 'date-time', description: 'Objects whose key names an hour before this are skipped.' },
    to: { type: 'string', format: 'date-time', description: 'Objects whose key names an hour from this on are skipped.' },
    concurrency: { type: 'integer', minimum: 1, maximum: 16, default: 2 },
  },
} as const;

const progressSchema = {
  type: 'object',
  required: ['objectsTotal', 'objectsDone', 'objectsSkipped', 'lines', 'deadLetters', 'bytesRead', 'bytesTotal', 'elapsedMs'],
  properties: {
    objectsTotal: { type: 'integer' },
    objectsDone: { type: 'integer' },
    objectsSkipped: { type: 'integer' },
    lines: { type: 'integer' },
    deadLetters: { type: 'integer' },
    bytesRead: { type: 'integer' },
    bytesTotal: { type: 'integer' },
    elapsedMs: { type: 'integer' },
  },
} as const;

export const importJobStatusSchema = {
  type: 'object',
  required: ['id', 'state', 'inputs', 'startedAt', 'finishedAt', 'progress', 'failed', 'error'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
    inputs: { type: 'array', items: { type: 'string' } },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    progress: progressSchema,
    failed: {
      type: 'array',
      items: { type: 'object', required: ['uri', 'error'], properties: { uri: { type: 'string' }, error: { type: 'string' } } },
    },
    error: { type: ['string', 'null'] },
  },
} as const;
