/**
 * What the imports view works out from the API's job list: the order (running first), rates, an
 * estimate of the time left, and each job's cells as text.
 */
import type { ImportJobProgress, ImportJobStatus } from '../api/api-types.js';
import { formatBytes, formatBytesPerSecond, formatCount, formatDateTime, NONE, UNIT_SPACE } from '../format/format.js';

/** Running jobs first, newest first; then finished ones, the most recently finished first. */
export function orderImports(jobs: readonly ImportJobStatus[]): ImportJobStatus[] {
  const running = jobs.filter((j) => j.state === 'running').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const finished = jobs.filter((j) => j.state !== 'running').sort((a, b) => (b.finishedAt ?? b.startedAt).localeCompare(a.finishedAt ?? a.startedAt));
  return [...running, ...finished];
}

export function runningCount(jobs: readonly ImportJobStatus[]): number {
  return jobs.filter((j) => j.state === 'running').length;
}

/** Lines per second over the job's elapsed time; null before any time has passed. */
export function linesPerSecond(progress: ImportJobProgress): number | null {
  return progress.elapsedMs > 0 ? (progress.lines * 1000) / progress.elapsedMs : null;
}

export function bytesPerSecond(progress: ImportJobProgress): number | null {
  return progress.elapsedMs > 0 ? (progress.bytesRead * 1000) / progress.elapsedMs : null;
}

/**
 * Time left of a running job, at the byte rate so far (as the command line estimates it); 0 once
 * every byte is read (the last rows are being stored); null when there is nothing to go by yet or
 * the job has ended.
 */
export function timeLeftMs(job: ImportJobStatus): number | null {
  if (job.state !== 'running') return null;
  const { bytesRead, bytesTotal, elapsedMs } = job.progress;
  if (bytesTotal <= 0 || bytesRead <= 0 || elapsedMs <= 0) return null;
  if (bytesRead >= bytesTotal) return 0;
  return (elapsedMs * (bytesTotal - bytesRead)) / bytesRead;
}

/** 42_000 → "42 s", 185_000 → "3 min 5 s", 7_800_000 → "2 h 10 min". */
export function formatTimeLeft(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return NONE;
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 1) return 'finishing';
  if (seconds < 60) return `${seconds}${UNIT_SPACE}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}${UNIT_SPACE}min ${seconds % 60}${UNIT_SPACE}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}${UNIT_SPACE}h ${minutes % 60}${UNIT_SPACE}min`;
}

export function formatLinesPerSecond(value: number | null): string {
  return value === null ? NONE : `${formatCount(Math.round(value))}${UNIT_SPACE}lines/s`;
}

const INPUT_CHARS = 60;

/**
 * A path or URI short enough for a cell, keeping its end (the file name says most): the last
 * `maxChars` characters, from a `/` when one is near, after "…".
 */
export function shortInput(input: string, maxChars = INPUT_CHARS): string {
  if (input.length <= maxChars) return input;
  const tail = input.slice(input.length - (maxChars - 1));
  const slash = tail.indexOf('/');
  return `…${slash >= 0 && slash < maxChars / 2 ? tail.slice(slash) : tail}`;
}

/** A job as the view shows it: every cell as text. */
export interface ImportRow {
  readonly id: string;
  readonly state: ImportJobStatus['state'];
  readonly stateLabel: string;
  readonly inputs: readonly string[];
  readonly objects: string;
  readonly lines: string;
  readonly deadLetters: string;
  readonly bytes: string;
  /** Lines per second, and bytes per second, over the elapsed time. */
  readonly linesRate: string;
  readonly bytesRate: string;
  readonly timeLeft: string;
  readonly started: string;
  readonly finished: string;
  /** The job's own error, then each object that failed. */
  readonly errors: readonly string[];
  /** Share of the bytes read, 0–1; null when the size is unknown. */
  readonly done: number | null;
}

const STATE_LABELS: Readonly<Record<ImportJobStatus['state'], string>> = { running: 'running', succeeded: 'done', failed: 'failed' };

export function importRow(job: ImportJobStatus, timeZone?: string): ImportRow {
  const p = job.progress;
  const time = (iso: string | null): string => {
    const ms = iso === null ? Number.NaN : Date.parse(iso);
    return Number.isFinite(ms) ? formatDateTime(ms, timeZone) : NONE;
  };
  const skipped = p.objectsSkipped > 0 ? ` (${formatCount(p.objectsSkipped)} already imported)` : '';
  return {
    id: job.id,
    state: job.state,
    stateLabel: STATE_LABELS[job.state],
    inputs: job.inputs,
    objects: `${formatCount(p.objectsDone)} / ${formatCount(p.objectsTotal)}${skipped}`,
    lines: formatCount(p.lines),
    deadLetters: formatCount(p.deadLetters),
    bytes: `${formatBytes(p.bytesRead)} / ${formatBytes(p.bytesTotal)}`,
    linesRate: formatLinesPerSecond(linesPerSecond(p)),
    bytesRate: formatBytesPerSecond(bytesPerSecond(p)),
    timeLeft: job.state === 'running' ? formatTimeLeft(timeLeftMs(job)) : NONE,
    started: time(job.startedAt),
    finished: time(job.finishedAt),
    errors: [...(job.error === null ? [] : [job.error]), ...job.failed.map((f) => `${f.uri}: ${f.error}`)],
    done: p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : null,
  };
}

/** The banner's text: "1 import running", "3 imports running"; null when none runs. */
export function runningBannerText(count: number): string | null {
  if (count <= 0) return null;
  return `${formatCount(count)} ${count === 1 ? 'import' : 'imports'} running`;
}
