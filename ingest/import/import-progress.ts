/**
 * Progress of an import on the terminal: a cli-progress bar on a TTY (objects, lines, bytes, rate,
 * time left), plain periodic lines otherwise (logs and pipes get no control characters), and the
 * final summary.
 */
import cliProgress from 'cli-progress';
import { formatDuration } from '../replay/progress.js';
import type { ImportProgress, ImportSummary } from './import-job.js';

export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export interface ImportProgressDisplay {
  update(progress: ImportProgress): void;
  stop(): void;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function rate(p: ImportProgress): number {
  return p.elapsedMs > 0 ? (p.lines * 1000) / p.elapsedMs : 0;
}

function timeLeft(p: ImportProgress): string {
  if (p.bytesTotal <= 0 || p.bytesRead <= 0 || p.bytesRead >= p.bytesTotal) return '-';
  return formatDuration((p.elapsedMs * (p.bytesTotal - p.bytesRead)) / p.bytesRead);
}

/** One line: `import: 3/10 objects · 1,200,000 lines · 12 dead letters · 80.0/200.0 MB · 95,000 lines/s · 0:12 left`. */
export function formatImportProgress(p: ImportProgress): string {
  return [
    `import: ${p.objectsDone}/${p.objectsTotal} objects`,
    `${integer.format(p.lines)} lines`,
    `${integer.format(p.deadLetters)} dead letters`,
    `${megabytes(p.bytesRead)}/${megabytes(p.bytesTotal)}`,
    `${integer.format(rate(p))} lines/s`,
    `${timeLeft(p)} left`,
  ].join(' · ');
}

export function formatImportSummary(s: ImportSummary): string {
  const lines = [
    `imported ${integer.format(s.lines)} lines (${integer.format(s.deadLetters)} dead letters) from ${s.objectsDone - s.objectsSkipped - s.failed.length} objects` +
      ` in ${(s.elapsedMs / 1000).toFixed(1)} s: ${integer.format(s.linesPerSecond)} lines/s` +
      (s.objectsSkipped > 0 ? `; ${s.objectsSkipped} already imported, skipped` : ''),
  ];
  for (const f of s.failed) lines.push(`failed: ${f.uri}: ${f.error}`);
  return `${lines.join('\n')}\n`;
}

export function createImportProgressDisplay(output: ProgressOutput = process.stderr, plainIntervalMs = 1000): ImportProgressDisplay {
  if (output.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'import [{bar}] {percentage}% · {objects} objects · {lines} lines · {dead} dead letters · {mb} · {rate} lines/s · {left} left',
        hideCursor: true,
        stream: output as NodeJS.WritableStream,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const payload = {
          objects: `${p.objectsDone}/${p.objectsTotal}`,
          lines: integer.format(p.lines),
          dead: integer.format(p.deadLetters),
          mb: `${megabytes(p.bytesRead)}/${megabytes(p.bytesTotal)}`,
          rate: integer.format(rate(p)),
          left: timeLeft(p),
        };
        if (!started) {
          bar.start(Math.max(p.bytesTotal, 1), 0, payload);
          started = true;
        }
        bar.update(Math.min(p.bytesRead, Math.max(p.bytesTotal, 1)), payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastMs = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - lastMs < plainIntervalMs) return;
      lastMs = now;
      output.write(`${formatImportProgress(p)}\n`);
    },
    stop() {},
  };
}
