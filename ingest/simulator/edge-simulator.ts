/**
 * The edge simulator stage: writes generated CloudFront log lines into a RecordSink (one payload
 * per line, as CloudFront writes Kinesis records) at `ratePerSecond × loadFactor`.
 *
 * Backpressure: at most one write is in flight. While it is, ticks only add to the lines owed;
 * the backlog is capped (`maxBacklogMs` worth of lines) and whatever exceeds it is dropped and
 * counted as lag, so a slow sink never makes memory grow. A failed write is logged and the same
 * payloads are retried on the next tick; the simulator never crashes on sink errors.
 */
import type { Stage } from '../../processor/batch.js';
import type { RecordSink } from '../source.js';
import type { TrafficGenerator } from './traffic-model.js';

/** The logging calls the simulator makes (pino's Logger satisfies it). */
export interface SimulatorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface EdgeSimulatorOptions {
  readonly sink: RecordSink;
  readonly generator: Pick<TrafficGenerator, 'linesAt' | 'loadFactor'>;
  /** Mean lines per second before the load factor (diurnal, live event, bursts). Default 200. */
  readonly ratePerSecond?: number;
  /** Default 250 ms. */
  readonly tickMs?: number;
  /** Most lines kept owed while the sink is busy, in ms of traffic. Default 2 000 ms. */
  readonly maxBacklogMs?: number;
  readonly logger: SimulatorLogger;
  /** Clock (epoch ms); default `Date.now`. */
  readonly now?: () => number;
}

export interface EdgeSimulatorStats {
  readonly running: boolean;
  readonly ratePerSecond: number;
  readonly linesWritten: number;
  /** Failed `putRecords` calls (each retried on a later tick). */
  readonly writeErrors: number;
  /** Ticks that found the previous write still in flight. */
  readonly ticksSkipped: number;
  /** Lines never generated because the sink fell more than `maxBacklogMs` behind (lag). */
  readonly linesDropped: number;
  /** Lines of a failed write waiting for their retry. */
  readonly linesPendingRetry: number;
}

const DEFAULT_RATE = 200;
const DEFAULT_TICK_MS = 250;
const DEFAULT_MAX_BACKLOG_MS = 2_000;
/** During a failure streak, repeat the warning at most this often. */
const ERROR_LOG_INTERVAL_MS = 30_000;

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`ratePerSecond must be a finite number ≥ 0, got ${rate}`);
  return rate;
}

export class EdgeSimulator implements Stage {
  private readonly sink: RecordSink;
  private readonly generator: EdgeSimulatorOptions['generator'];
  private readonly tickMs: number;
  private readonly maxBacklogMs: number;
  private readonly logger: SimulatorLogger;
  private readonly now: () => number;
  private rate: number;
  private timer: NodeJS.Timeout | null = null;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private inFlight: Promise<void> | null = null;
  private pending: Buffer[] | null = null;
  /** Fractional lines owed (carried between ticks so low rates still produce lines). */
  private owed = 0;
  private lastTickMs = 0;
  private lastGeneratedMs = 0;
  private failingSinceMs: number | null = null;
  private lastErrorLogMs = 0;
  private failuresInStreak = 0;
  private counters = { linesWritten: 0, writeErrors: 0, ticksSkipped: 0, linesDropped: 0 };

  constructor(options: EdgeSimulatorOptions) {
    this.sink = options.sink;
    this.generator = options.generator;
    this.rate = checkRate(options.ratePerSecond ?? DEFAULT_RATE);
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    if (!(this.tickMs >= 1)) throw new RangeError(`tickMs must be ≥ 1, got ${this.tickMs}`);
    this.maxBacklogMs = Math.max(this.tickMs, options.maxBacklogMs ?? DEFAULT_MAX_BACKLOG_MS);
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  start(): Promise<void> {
    if (this.state === 'stopped') return Promise.reject(new Error('the edge simulator was stopped; create a new one'));
    if (this.state === 'running') return Promise.resolve();
    this.state = 'running';
    this.lastTickMs = this.now();
    this.lastGeneratedMs = this.lastTickMs;
    this.timer = setInterval(() => this.safeTick(), this.tickMs);
    this.timer.unref();
    this.logger.info({ component: 'edge-simulator', ratePerSecond: this.rate, tickMs: this.tickMs }, 'Edge simulator started');
    return Promise.resolve();
  }

  /** Stops ticking and waits for the write in flight; a failed batch awaiting retry is dropped. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    await this.inFlight;
    if (wasRunning) {
      this.logger.info({ component: 'edge-simulator', ...this.counters, linesPendingRetry: this.pending?.length ?? 0 }, 'Edge simulator stopped');
    }
  }

  setRate(ratePerSecond: number): void {
    this.rate = checkRate(ratePerSecond);
  }

  stats(): EdgeSimulatorStats {
    return {
      running: this.state === 'running',
      ratePerSecond: this.rate,
      ...this.counters,
      linesPendingRetry: this.pending?.length ?? 0,
    };
  }

  private safeTick(): void {
    try {
      this.tick();
    } catch (err) {
      // A timer callback that throws would take the process down; a broken tick only loses its lines.
      this.logger.warn({ component: 'edge-simulator', err }, 'Edge simulator tick failed');
    }
  }

  private tick(): void {
    if (this.state !== 'running') return;
    const now = this.now();
    const elapsedMs = Math.max(0, now - this.lastTickMs);
    this.lastTickMs = now;
    const linesPerMs = (this.rate * this.generator.loadFactor(now)) / 1000;
    this.owed += linesPerMs * elapsedMs;
    const cap = Math.max(1, linesPerMs * this.maxBacklogMs);
    if (this.owed > cap) {
      this.counters.linesDropped += Math.floor(this.owed - cap);
      this.owed = cap;
    }
    if (this.inFlight) {
      this.counters.ticksSkipped++;
      return;
    }
    if (this.pending) {
      this.write(this.pending, now);
      return;
    }
    const count = Math.floor(this.owed);
    if (count === 0) return;
    this.owed -= count;
    // Spread timestamps over the time since the last batch (longer after skipped ticks).
    const spanMs = Math.min(this.maxBacklogMs, Math.max(0, now - this.lastGeneratedMs));
    this.lastGeneratedMs = now;
    const lines = this.generator.linesAt(now, count, spanMs);
    this.write(lines.map((line) => Buffer.from(line, 'utf8')), now);
  }

  private write(payloads: Buffer[], now: number): void {
    this.inFlight = this.sink.putRecords(payloads).then(
      () => {
        this.counters.linesWritten += payloads.length;
        this.pending = null;
        if (this.failingSinceMs !== null) {
          this.logger.info(
            { component: 'edge-simulator', failedAttempts: this.failuresInStreak, outageMs: this.now() - this.failingSinceMs },
            'Record sink recovered',
          );
        }
        this.failingSinceMs = null;
        this.failuresInStreak = 0;
      },
      (err: unknown) => {
        this.counters.writeErrors++;
        this.failuresInStreak++;
        this.pending = payloads;
        if (this.failingSinceMs === null || now - this.lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
          this.failingSinceMs ??= now;
          this.lastErrorLogMs = now;
          this.logger.warn(
            { component: 'edge-simulator', err, lines: payloads.length, failedAttempts: this.failuresInStreak },
            'Record sink write failed; retrying on the next tick',
          );
        }
      },
    ).finally(() => {
      this.inFlight = null;
    });
  }
}
