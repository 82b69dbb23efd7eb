import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import type { RecordSink } from '../../ingest/source.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { EdgeSimulator, type SimulatorLogger } from '../../ingest/simulator/edge-simulator.js';
import { createTrafficGenerator, type TrafficGenerator } from '../../ingest/simulator/traffic-model.js';

const START_MS = Date.UTC(2025, 5, 3, 12, 0, 0);
const LAYOUT = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);

/** Collects every payload written; `gate` lets a test hold writes in flight. */
class MemorySink implements RecordSink {
  readonly payloads: Buffer[] = [];
  calls = 0;
  failNext = 0;
  gate: Promise<void> | null = null;

  async putRecords(payloads: readonly Buffer[]): Promise<void> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('stream not found');
    }
    this.payloads.push(...payloads);
  }
}

class RecordingLogger implements SimulatorLogger {
  readonly entries: Array<{ level: string; message: string; fields: object }> = [];
  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', message, fields });
  }
}

/** The real generator with a flat load factor, so the expected line count is rate × time. */
function flatGenerator(): Pick<TrafficGenerator, 'linesAt' | 'loadFactor'> {
  const gen = createTrafficGenerator({ seed: 3, distributions: DEMO_DISTRIBUTIONS, layout: LAYOUT, startMs: START_MS });
  return { linesAt: (now, count, span) => gen.linesAt(now, count, span), loadFactor: () => 1 };
}

describe('EdgeSimulator', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START_MS });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes about rate × seconds lines, one payload per line', async () => {
    const sink = new MemorySink();
    const sim = new EdgeSimulator({ sink, generator: flatGenerator(), ratePerSecond: 200, tickMs: 250, logger: new RecordingLogger() });
    await sim.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await sim.stop();
    expect(sink.payloads.length).toBeGreaterThanOrEqual(1_900);
    expect(sink.payloads.length).toBeLessThanOrEqual(2_000);
    expect(sim.stats()).toMatchObject({ running: false, linesWritten: sink.payloads.length, writeErrors: 0, linesDropped: 0 });
    for (const p of sink.payloads.slice(0, 50)) {
      const text = p.toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(text.slice(0, -1).split('\t')).toHaveLength(LAYOUT.fields.length);
    }
    // Timestamps follow the clock.
    const last = Number(sink.payloads.at(-1)?.toString().split('\t')[0]) * 1000;
    expect(last).toBeGreaterThan(START_MS + 9_000);
    expect(last).toBeLessThanOrEqual(START_MS + 10_000);
  });

  it('keeps low rates exact by carrying fractions between ticks, and follows setRate', async () => {
    const sink = new MemorySink();
    const sim = new EdgeSimulator({ sink, generator: flatGenerator(), ratePerSecond: 2, tickMs: 250, logger: new RecordingLogger() });
    await sim.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sink.payloads.length).toBe(20);
    sim.setRate(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sink.payloads.length).toBe(20);
    sim.setRate(100);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sink.payloads.length).toBeGreaterThanOrEqual(490);
    expect(sink.payloads.length).toBeLessThanOrEqual(520);
    expect(() => sim.setRate(-1)).toThrow(RangeError);
    await sim.stop();
  });

  it('follows the generator’s load factor', async () => {
    const sink = new MemorySink();
    const gen = flatGenerator();
    const sim = new EdgeSimulator({ sink, generator: { linesAt: gen.linesAt, loadFactor: () => 1.5 }, ratePerSecond: 100, logger: new RecordingLogger() });
    await sim.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await sim.stop();
    expect(sink.payloads.length).toBeGreaterThanOrEqual(1_450);
    expect(sink.payloads.length).toBeLessThanOrEqual(1_500);
  });

  it('does not pile up while the sink is slow: skips ticks, caps the backlog and counts the lag', async () => {
    const sink = new MemorySink();
    let release = (): void => {};
    sink.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sim = new EdgeSimulator({ sink, generator: flatGenerator(), ratePerSecond: 200, tickMs: 250, maxBacklogMs: 2_000, logger: new RecordingLogger() });
    await sim.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sink.calls).toBe(1); // one write in flight, nothing else started
    const stalled = sim.stats();
    expect(stalled.ticksSkipped).toBeGreaterThan(30);
    expect(stalled.linesDropped).toBeGreaterThan(1_000);
    sink.gate = null;
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    await sim.stop();
    // The first batch, then at most the capped backlog (2 s of traffic) plus the last second.
    expect(sink.payloads.length).toBeLessThanOrEqual(50 + 400 + 200 + 50);
    expect(sim.stats().linesWritten).toBe(sink.payloads.length);
  });

  it('logs sink errors, retries the same lines on the next tick and keeps running', async () => {
    const sink = new MemorySink();
    sink.failNext = 3;
    const logger = new RecordingLogger();
    const sim = new EdgeSimulator({ sink, generator: flatGenerator(), ratePerSecond: 40, tickMs: 250, logger });
    await sim.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await sim.stop();
    const stats = sim.stats();
    expect(stats.writeErrors).toBe(3);
    expect(stats.linesWritten).toBe(sink.payloads.length);
    expect(sink.payloads.length).toBeGreaterThanOrEqual(180);
    // The batch that failed was written once it went through, not lost.
    const ids = sink.payloads.map((p) => p.toString().split('\t')[12]);
    expect(new Set(ids).size).toBe(ids.length);
    const warnings = logger.entries.filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(logger.entries.some((e) => e.message === 'Record sink recovered')).toBe(true);
  });

  it('waits for the write in flight when stopped, and cannot be restarted', async () => {
    const sink = new MemorySink();
    let release = (): void => {};
    sink.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sim = new EdgeSimulator({ sink, generator: flatGenerator(), ratePerSecond: 100, logger: new RecordingLogger() });
    await sim.start();
    await vi.advanceTimersByTimeAsync(300);
    let stopped = false;
    const stopping = sim.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(sink.payloads.length).toBe(sim.stats().linesWritten);
    await expect(sim.start()).rejects.toThrow(/stopped/);
  });

  it('unrefs its timer so it never keeps the process alive', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    const sim = new EdgeSimulator({ sink: new MemorySink(), generator: flatGenerator(), logger: new RecordingLogger() });
    await sim.start();
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout | undefined;
    expect(timer?.hasRef()).toBe(false);
    await sim.stop();
    spy.mockRestore();
  });
});
