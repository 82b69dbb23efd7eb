/**
 * A one-line terminal progress display for replays: lines written, skipped, rate, and — when the
 * input size is known — percentage and time left. It redraws in place with `\r` and only when the
 * stream is a terminal, so logs and pipes never receive control characters.
 */

export interface ProgressSnapshot {
  readonly lines: number;
  readonly skipped: number;
  readonly elapsedMs: number;
  readonly ratePerSecond: number;
  /** Input consumed so far and its total size, when the input is a file. */
  readonly bytesRead?: number;
  readonly totalBytes?: number | null;
}

/** `m:ss`, or `h:mm:ss` from one hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = s.toString().padStart(2, '0');
  return h > 0 ? `${h}:${m.toString().padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatProgress(p: ProgressSnapshot, label = 'replay'): string {
  const parts = [`${label}: ${integer.format(p.lines)} lines`];
  if (p.skipped > 0) parts.push(`${integer.format(p.skipped)} skipped`);
  parts.push(`${integer.format(p.ratePerSecond)} lines/s`, `${formatDuration(p.elapsedMs)} elapsed`);
  const total = p.totalBytes ?? null;
  if (total !== null && total > 0 && p.bytesRead !== undefined) {
    const fraction = Math.min(1, p.bytesRead / total);
    parts.push(`${Math.floor(fraction * 100)}%`);
    if (fraction > 0 && fraction < 1) parts.push(`${formatDuration((p.elapsedMs * (1 - fraction)) / fraction)} left`);
  }
  return parts.join(' · ');
}

/** The part of a writable stream the renderer uses (process.stderr fits). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export interface ProgressRenderer {
  /** Redraws the line (at most every `minIntervalMs`). */
  update(progress: ProgressSnapshot): void;
  /** Draws the final state and ends the line. */
  done(progress: ProgressSnapshot): void;
}

export interface ProgressRendererOptions {
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  readonly label?: string;
  /** Default 200 ms. */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
}

const CLEAR_TO_END = '\u001b[K';

export function createProgressRenderer(options: ProgressRendererOptions = {}): ProgressRenderer {
  const stream = options.stream ?? process.stderr;
  const label = options.label ?? 'replay';
  const minIntervalMs = options.minIntervalMs ?? 200;
  const now = options.now ?? Date.now;
  const enabled = stream.isTTY === true;
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  return {
    update(progress) {
      if (!enabled) return;
      const t = now();
      if (t - lastDrawMs < minIntervalMs) return;
      lastDrawMs = t;
      stream.write(`\r${formatProgress(progress, label)}${CLEAR_TO_END}`);
    },
    done(progress) {
      if (!enabled) return;
      stream.write(`\r${formatProgress(progress, label)}${CLEAR_TO_END}\n`);
    },
  };
}
