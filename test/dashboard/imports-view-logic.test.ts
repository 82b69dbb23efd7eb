/**
 * What the imports view works out from GET /api/v1/imports: the order (running first), rates, the
 * time left, each job's cells as text, the banner's words, and polling that stops when no import
 * runs or the view is left.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImportJobProgress, ImportJobStatus } from '../../api/imports/import-schemas.js';
import { parseHash, formatHash, DEFAULT_STATE } from '../../dashboard/src/state/url-state.js';
import { Poller } from '../../dashboard/src/ui/poller.js';
import {
  bytesPerSecond,
  formatTimeLeft,
  importRow,
  linesPerSecond,
  orderImports,
  runningBannerText,
  runningCount,
  shortInput,
  timeLeftMs,
} from '../../dashboard/src/views/import-jobs.js';

const NBSP = '\u00a0';
const PROGRESS: ImportJobProgress = { objectsTotal: 10, objectsDone: 4, objectsSkipped: 1, lines: 12_000, deadLetters: 3, bytesRead: 2_500_000, bytesTotal: 10_000_000, elapsedMs: 4_000 };

function job(id: string, state: ImportJobStatus['state'], startedAt: string, finishedAt: string | null, progress: Partial<ImportJobProgress> = {}): ImportJobStatus {
  return { id, state, inputs: [`/logs/${id}`], startedAt, finishedAt, progress: { ...PROGRESS, ...progress }, failed: [], error: null };
}

describe('imports: order', () => {
  it('puts running imports first (newest first), then finished ones by when they finished', () => {
    const jobs = [
      job('done-early', 'succeeded', '2026-11-30T08:00:00.000Z', '2026-11-30T08:05:00.000Z'),
      job('run-old', 'running', '2026-11-30T07:00:00.000Z', null),
      job('failed-late', 'failed', '2026-11-30T07:30:00.000Z', '2026-11-30T08:10:00.000Z'),
      job('run-new', 'running', '2026-11-30T08:20:00.000Z', null),
    ];
    expect(orderImports(jobs).map((j) => j.id)).toEqual(['run-new', 'run-old', 'failed-late', 'done-early']);
    expect(runningCount(jobs)).toBe(2);
    expect(runningCount([])).toBe(0);
  });
});

describe('imports: rate and time left', () => {
  it('rates lines and bytes over the elapsed time', () => {
    expect(linesPerSecond(PROGRESS)).toBe(3_000);
    expect(bytesPerSecond(PROGRESS)).toBe(625_000);
    expect(linesPerSecond({ ...PROGRESS, elapsedMs: 0 })).toBeNull();
    expect(bytesPerSecond({ ...PROGRESS, elapsedMs: 0 })).toBeNull();
  });

  it('estimates the time left of a running import from its byte rate', () => {
    // A quarter read in 4 s: three quarters left take 12 s.
    expect(timeLeftMs(job('a', 'running', '2026-11-30T08:00:00.000Z', null))).toBe(12_000);
    expect(timeLeftMs(job('a', 'running', '2026-11-30T08:00:00.000Z', null, { bytesRead: 10_000_000 }))).toBe(0);
    expect(timeLeftMs(job('a', 'running', '2026-11-30T08:00:00.000Z', null, { bytesRead: 0 }))).toBeNull();
    expect(timeLeftMs(job('a', 'running', '2026-11-30T08:00:00.000Z', null, { bytesTotal: 0 }))).toBeNull();
    expect(timeLeftMs(job('a', 'succeeded', '2026-11-30T08:00:00.000Z', '2026-11-30T08:01:00.000Z'))).toBeNull();
  });

  it('says the time left in seconds, minutes or hours', () => {
    expect(formatTimeLeft(null)).toBe('—');
    expect(formatTimeLeft(0)).toBe('finishing');
    expect(formatTimeLeft(400)).toBe(`1${NBSP}s`);
    expect(formatTimeLeft(42_000)).toBe(`42${NBSP}s`);
    expect(formatTimeLeft(185_000)).toBe(`3${NBSP}min 5${NBSP}s`);
    expect(formatTimeLeft(7_800_000)).toBe(`2${NBSP}h 10${NBSP}min`);
    expect(formatTimeLeft(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('imports: a job as text', () => {
  it('shows a running job with its progress, rate and estimate', () => {
    const row = importRow(job('a', 'running', '2026-11-30T08:00:00.000Z', null), 'UTC');
    expect(row).toMatchObject({
      state: 'running',
      stateLabel: 'running',
      inputs: ['/logs/a'],
      objects: '4 / 10 (1 already imported)',
      lines: '12,000',
      deadLetters: '3',
      bytes: `2.50${NBSP}MB / 10.0${NBSP}MB`,
      linesRate: `3,000${NBSP}lines/s`,
      bytesRate: `625${NBSP}kB/s`,
      timeLeft: `12${NBSP}s`,
      started: 'Nov 30, 08:00',
      finished: '—',
      errors: [],
      done: 0.25,
    });
  });

  it('shows a failed job with its own error and the objects that failed, as given', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const failed: ImportJobStatus = {
      ...job('b', 'failed', '2026-11-30T08:00:00.000Z', '2026-11-30T08:02:30.000Z', { objectsSkipped: 0, elapsedMs: 0 }),
      failed: [{ uri: `/logs/${hostile}.gz`, error: 'unexpected end of file' }],
      error: 'the store refused a batch',
    };
    const row = importRow(failed, 'UTC');
    expect(row.stateLabel).toBe('failed');
    expect(row.objects).toBe('4 / 10');
    expect(row.linesRate).toBe('—');
    expect(row.bytesRate).toBe('—');
    expect(row.timeLeft).toBe('—');
    expect(row.finished).toBe('Nov 30, 08:02');
    expect(row.errors).toEqual(['the store refused a batch', `/logs/${hostile}.gz: unexpected end of file`]);
    expect(importRow({ ...failed, progress: { ...failed.progress, bytesTotal: 0 } }).done).toBeNull();
  });

  it('shortens long inputs from the start, keeping the file name', () => {
    expect(shortInput('/logs/a.gz')).toBe('/logs/a.gz');
    const long = `/var/lib/edgewatch/imports/2026/11/30/${'x'.repeat(30)}/EDFDVBD6EXAMPLE.2026-11-30-05.a1b2.gz`;
    const short = shortInput(long);
    expect(short).toBe('…/EDFDVBD6EXAMPLE.2026-11-30-05.a1b2.gz');
    expect(short.length).toBeLessThanOrEqual(60);
    const noSlash = `s3://${'b'.repeat(100)}`;
    expect(shortInput(noSlash)).toBe(`…${'b'.repeat(59)}`);
  });

  it('words the banner', () => {
    expect(runningBannerText(0)).toBeNull();
    expect(runningBannerText(1)).toBe('1 import running');
    expect(runningBannerText(3)).toBe('3 imports running');
  });

  it('has its own address', () => {
    expect(parseHash('#/imports').view).toBe('imports');
    expect(formatHash({ ...DEFAULT_STATE, view: 'imports' })).toBe('#/imports');
  });
});

describe('imports: polling', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A poller on a list of answers (how many imports run), counting its requests. */
  function pollerOn(answers: number[], signal?: AbortSignal): { poller: Poller<number>; asked: () => number; seen: number[] } {
    let asked = 0;
    const seen: number[] = [];
    const poller = new Poller<number>({
      intervalMs: 2_000,
      fetch: () => Promise.resolve(answers[Math.min(asked++, answers.length - 1)] ?? 0),
      again: (running) => running > 0,
      onValue: (running) => seen.push(running),
      onError: (err) => {
        throw err;
      },
      ...(signal === undefined ? {} : { signal }),
    });
    return { poller, asked: () => asked, seen };
  }

  it('asks again every interval while an import runs, and stops when none runs', async () => {
    vi.useFakeTimers();
    const { poller, asked, seen } = pollerOn([2, 1, 0, 5]);
    poller.poll();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([2]);
    expect(poller.scheduled).toBe(true);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(asked()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([2, 1]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(seen).toEqual([2, 1, 0]);
    expect(poller.scheduled).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked()).toBe(3);
    // A refresh looks again, and keeps looking while the answer says so.
    poller.poll();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([2, 1, 0, 5]);
    expect(poller.scheduled).toBe(true);
    poller.stop();
  });

  it('stops when the view goes away, and drops an answer that arrives after', async () => {
    vi.useFakeTimers();
    const view = new AbortController();
    const { poller, asked, seen } = pollerOn([1], view.signal);
    poller.poll();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(asked()).toBe(2);
    view.abort();
    expect(poller.stopped).toBe(true);
    expect(poller.scheduled).toBe(false);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(asked()).toBe(2);
    poller.poll();
    await vi.advanceTimersByTimeAsync(0);
    expect(asked()).toBe(2);
    expect(seen).toEqual([1, 1]);

    // An answer under way when the poller stops is not shown.
    let release: (value: number) => void = () => undefined;
    const late: number[] = [];
    const slow = new Poller<number>({
      intervalMs: 2_000,
      fetch: () => new Promise<number>((resolve) => (release = resolve)),
      again: () => true,
      onValue: (v) => late.push(v),
      onError: () => undefined,
    });
    slow.poll();
    slow.stop();
    release(3);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(late).toEqual([]);
  });

  it('asks one request at a time, and an error stops the polling until asked again', async () => {
    vi.useFakeTimers();
    let asked = 0;
    let fail = true;
    const errors: unknown[] = [];
    const poller = new Poller<number>({
      intervalMs: 2_000,
      fetch: () => {
        asked++;
        return fail ? Promise.reject(new Error('the API could not be reached')) : Promise.resolve(1);
      },
      again: () => true,
      onValue: () => undefined,
      onError: (err) => errors.push(err),
    });
    poller.poll();
    poller.poll();
    expect(asked).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors).toHaveLength(1);
    expect(asked).toBe(1);
    fail = false;
    poller.poll();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(asked).toBe(4);
    poller.stop();
  });
});
