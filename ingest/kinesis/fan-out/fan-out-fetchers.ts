/**
 * Enhanced fan-out when a consumer name is configured: the consumer is registered (or found) once per
 * source, and each shard reader reads by SubscribeToShard. When enhanced fan-out is unavailable
 * (registration refused, LimitExceeded, a stream or endpoint without it such as kinesalite), every
 * shard falls back to polling with one warning.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { backoffDelayMs, sleep } from '../backoff.js';
import type { BackoffPolicy } from '../backoff.js';
import { classifyKinesisError, kinesisErrorName } from '../kinesis-errors.js';
import type { FetchedRecords, FetcherContext, ReadPosition, RecordFetcher, RecordFetcherFactory } from '../record-fetcher.js';
import type { SourceLogger } from '../source-logger.js';
import { ensureStreamConsumer } from './stream-consumer.js';
import type { StreamConsumer } from './stream-consumer.js';
import { SubscriptionFetcher, untilAborted } from './subscription-fetcher.js';

export interface FanOutOptions {
  /** For the control plane (DescribeStreamSummary, DescribeStreamConsumer, RegisterStreamConsumer). */
  readonly client: KinesisClient;
  /** For SubscribeToShard: an HTTP/2 client (createFanOutKinesisClient); default `client`. */
  readonly subscribeClient?: KinesisClient;
  readonly streamName: string;
  readonly consumerName: string;
  readonly logger: SourceLogger;
  /** Status checks while the consumer is CREATING; default 1000 ms. */
  readonly registrationPollMs?: number;
  /** Tries for registration failing on network or 5xx errors before falling back; default 3. */
  readonly registrationAttempts?: number;
}

const REGISTRATION_RETRY: BackoffPolicy = { baseMs: 1_000, maxMs: 10_000 };

export class FanOutFetchers implements RecordFetcherFactory {
  private readonly opts: FanOutOptions;
  private readonly fields: Record<string, unknown>;
  private readonly abort = new AbortController();
  private consumer: Promise<StreamConsumer | null> | null = null;
  private fallbackReported = false;

  constructor(opts: FanOutOptions) {
    this.opts = opts;
    this.fields = { component: 'kinesis-fan-out', stream: opts.streamName, consumerName: opts.consumerName };
  }

  create(context: FetcherContext): RecordFetcher {
    return new FanOutOrPollingFetcher(this, context);
  }

  /** The registered, ACTIVE consumer; null when enhanced fan-out is unavailable (polling then). */
  streamConsumer(): Promise<StreamConsumer | null> {
    this.consumer ??= this.register();
    return this.consumer;
  }

  /** The consumer went away (deregistered): the next reader registers it again. */
  forgetConsumer(): void {
    this.consumer = null;
  }

  /** Subscribing failed in a way retries do not fix: every reader polls from now on. */
  markUnavailable(err: unknown): void {
    this.consumer = Promise.resolve(null);
    this.reportFallback(err, 'SubscribeToShard');
  }

  /** Cancels a registration under way. */
  close(): void {
    this.abort.abort();
  }

  subscriber(consumerArn: string, shardId: string): SubscriptionFetcher {
    return new SubscriptionFetcher({ client: this.opts.subscribeClient ?? this.opts.client, consumerArn, shardId });
  }

  private async register(): Promise<StreamConsumer | null> {
    const attempts = this.opts.registrationAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const consumer = await ensureStreamConsumer({
          client: this.opts.client,
          streamName: this.opts.streamName,
          consumerName: this.opts.consumerName,
          logger: this.opts.logger,
          signal: this.abort.signal,
          ...(this.opts.registrationPollMs === undefined ? {} : { pollIntervalMs: this.opts.registrationPollMs }),
        });
        this.opts.logger.info({ ...this.fields, consumerArn: consumer.consumerArn }, 'reading with enhanced fan-out (SubscribeToShard)');
        return consumer;
      } catch (err) {
        if (this.abort.signal.aborted) return null;
        if (classifyKinesisError(err) === 'transient' && attempt < attempts) {
          this.opts.logger.warn({ ...this.fields, attempt, errorName: kinesisErrorName(err), err }, 'registering the fan-out consumer failed; retrying');
          await sleep(backoffDelayMs(attempt, REGISTRATION_RETRY), this.abort.signal);
          continue;
        }
        this.reportFallback(err, 'RegisterStreamConsumer');
        return null;
      }
    }
  }

  private reportFallback(err: unknown, operation: string): void {
    if (this.fallbackReported) return;
    this.fallbackReported = true;
    this.opts.logger.warn(
      { ...this.fields, operation, errorName: kinesisErrorName(err), err },
      'enhanced fan-out is unavailable; reading by polling (GetRecords) instead',
    );
  }
}

/** Subscribes when the consumer is available, polls otherwise; switches to polling when subscribing cannot work. */
class FanOutOrPollingFetcher implements RecordFetcher {
  private readonly fetchers: FanOutFetchers;
  private readonly context: FetcherContext;
  private current: RecordFetcher | null = null;

  constructor(fetchers: FanOutFetchers, context: FetcherContext) {
    this.fetchers = fetchers;
    this.context = context;
  }

  get mode(): RecordFetcher['mode'] {
    return this.current?.mode ?? 'fan-out';
  }

  get operation(): string {
    return this.current?.operation ?? 'RegisterStreamConsumer';
  }

  async fetch(from: () => ReadPosition, signal: AbortSignal): Promise<FetchedRecords> {
    const current = this.current ?? (await this.choose(signal));
    try {
      return await current.fetch(from, signal);
    } catch (err) {
      if (current.mode !== 'fan-out') throw err;
      const kind = classifyKinesisError(err);
      if (kind === 'fatal') {
        // Not a passing failure (no SubscribeToShard at this endpoint, access denied): poll instead.
        this.fetchers.markUnavailable(err);
        const polling = this.context.polling();
        this.replace(polling);
        return polling.fetch(from, signal);
      }
      if (kind === 'stream-not-found') {
        // The consumer (or the stream) is gone: register again before the next subscription.
        this.fetchers.forgetConsumer();
        this.replace(null);
      }
      throw err;
    }
  }

  nextFetchAtMs(last: FetchedRecords, callStartedAtMs: number): number {
    return this.current?.nextFetchAtMs(last, callStartedAtMs) ?? callStartedAtMs;
  }

  reposition(): void {
    this.current?.reposition();
  }

  close(): void {
    this.current?.close();
  }

  private async choose(signal: AbortSignal): Promise<RecordFetcher> {
    const consumer = await untilAborted(this.fetchers.streamConsumer(), signal);
    const chosen = consumer === null ? this.context.polling() : this.fetchers.subscriber(consumer.consumerArn, this.context.shardId);
    this.current = chosen;
    return chosen;
  }

  private replace(next: RecordFetcher | null): void {
    this.current?.close();
    this.current = next;
  }
}
