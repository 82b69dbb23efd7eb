import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatDuration, formatProgress, type ProgressStream } from '../../ingest/replay/progress.js';

class FakeStream implements ProgressStream {
  readonly writes: string[] = [];
  constructor(readonly isTTY: boolean) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

describe('formatProgress', () => {
  it('shows lines, skipped, rate and elapsed time', () => {
    expect(formatProgress({ lines: 12_345, skipped: 3, elapsedMs: 2_480, ratePerSecond: 4_977.8 })).toBe(
      'replay: 12,345 lines · 3 skipped · 4,978 lines/s · 0:02 elapsed',
    );
    expect(formatProgress({ lines: 10, skipped: 0, elapsedMs: 0, ratePerSecond: 0 }, 'sim')).toBe('sim: 10 lines · 0 lines/s · 0:00 elapsed');
  });

  it('adds the percentage and time left when the input size is known', () => {
    const text = formatProgress({ lines: 500, skipped: 0, elapsedMs: 30_000, ratePerSecond: 16.7, bytesRead: 250, totalBytes: 1_000 });
    expect(text).toBe('replay: 500 lines · 17 lines/s · 0:30 elapsed · 25% · 1:30 left');
    expect(formatProgress({ lines: 1, skipped: 0, elapsedMs: 1, ratePerSecond: 1, bytesRead: 10, totalBytes: null })).not.toMatch(/%/);
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61_400)).toBe('1:01');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
});

describe('createProgressRenderer', () => {
  const snapshot = { lines: 1, skipped: 0, elapsedMs: 1_000, ratePerSecond: 1 };

  it('redraws in place on a terminal, at most every minIntervalMs, and ends the line when done', () => {
    const stream = new FakeStream(true);
    let clock = 0;
    const renderer = createProgressRenderer({ stream, minIntervalMs: 200, now: () => clock });
    renderer.update(snapshot);
    clock = 100;
    renderer.update({ ...snapshot, lines: 2 });
    clock = 250;
    renderer.update({ ...snapshot, lines: 3 });
    renderer.done({ ...snapshot, lines: 4 });
    expect(stream.writes).toHaveLength(3);
    expect(stream.writes[0]).toMatch(/^\rreplay: 1 lines/);
    expect(stream.writes[1]).toMatch(/^\rreplay: 3 lines/);
    expect(stream.writes[2]).toMatch(/^\rreplay: 4 lines.*\n$/);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const stream = new FakeStream(false);
    const renderer = createProgressRenderer({ stream });
    renderer.update(snapshot);
    renderer.done(snapshot);
    expect(stream.writes).toEqual([]);
  });
});
