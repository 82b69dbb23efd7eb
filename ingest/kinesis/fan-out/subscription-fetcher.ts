/**
 * Enhanced fan-out for one shard: SubscribeToShard from the reader's position, then the pushed
 * events one at a time. A subscription lasts up to 5 minutes; when it ends (or looks stuck past that)
 * the next fetch subscribes again after the last ContinuationSequenceNumber. ChildShards in an event
 * without a continuation mark the end of a closed shard.
 */
import { SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, StartingPosition, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { sleep } from '../backoff.js';
import type { FetchedRecords, ReadPosition, RecordFetcher } from '../record-fetcher.js';

// Kinesis ends a subscription after 5 minutes; one still open well after that is not trusted.
const MAX_SUBSCRIPTION_MS = 5 * 60_000 + 30_000;
// SubscribeToShard allows one call per second per consumer and shard.
const MIN_SUBSCRIBE_GAP_MS = 1_000;
// Subscribing again within 5 s of a successful call is refused with ResourceInUse; after that it takes over.
const RESOURCE_IN_USE_GAP_MS = 5_000;

export interface SubscriptionFetcherOptions {
  /** An HTTP/2 client (createFanOutKinesisClient). */
  readonly client: KinesisClient;
  readonly consumerArn: string;
  readonly shardId: string;
  readonly maxSubscriptionMs?: number;
  readonly minSubscribeGapMs?: number;
}

const NOTHING: FetchedRecords = { records: [], millisBehindLatest: null, shardEnd: false, childShardIds: [] };

export class SubscriptionFetcher implements RecordFetcher {
  readonly mode = 'fan-out' as const;
  readonly operation = 'SubscribeToShard';
  private readonly opts: SubscriptionFetcherOptions;
  private readonly maxSubscriptionMs: number;
  private readonly minSubscribeGapMs: number;
  private events: AsyncIterator<SubscribeToShardEventStream> | null = null;
  private subscription: AbortController | null = null;
  private subscribedAtMs = 0;
  private lastSubscribeAtMs = Number.NEGATIVE_INFINITY;
  /** After ResourceInUse: no new subscription before this time. */
  private notBeforeMs = Number.NEGATIVE_INFINITY;
  /** Where the last event left off: the position of the next subscription. */
  private continuation: string | null = null;
  private subscriptionCount = 0;

  constructor(opts: SubscriptionFetcherOptions) {
    this.opts = opts;
    this.maxSubscriptionMs = opts.maxSubscriptionMs ?? MAX_SUBSCRIPTION_MS;
    this.minSubscribeGapMs = opts.minSubscribeGapMs ?? MIN_SUBSCRIBE_GAP_MS;
  }

  /** SubscribeToShard calls made so far. */
  get subscriptions(): number {
    return this.subscriptionCount;
  }

  async fetch(from: () => ReadPosition, signal: AbortSignal): Promise<FetchedRecords> {
    if (this.events !== null && Date.now() - this.subscribedAtMs > this.maxSubscriptionMs) this.drop();
    let next: IteratorResult<SubscribeToShardEventStream>;
    try {
      const events = this.events ?? (await this.subscribe(from(), signal));
      next = await untilAborted(events.next(), signal);
    } catch (err) {
      this.drop();
      this.noteInUse(err);
      throw err;
    }
    if (next.done === true) {
      // The subscription ran its course (5 minutes): the next fetch subscribes again.
      this.drop();
      return NOTHING;
    }
    const event = next.value.SubscribeToShardEvent;
    if (event === undefined) {
      this.drop();
      const err = eventError(next.value);
      this.noteInUse(err);
      throw err;
    }
    const continuation = event.ContinuationSequenceNumber ?? null;
    if (continuation !== null) this.continuation = continuation;
    const childShardIds = (event.ChildShards ?? []).map((child) => child.ShardId).filter((id): id is string => id !== undefined);
    const shardEnd = continuation === null && childShardIds.length > 0;
    if (shardEnd) this.drop();
    return { records: event.Records ?? [], millisBehindLatest: event.MillisBehindLatest ?? null, shardEnd, childShardIds };
  }

  /** Events arrive when they arrive: no pause between fetches. */
  nextFetchAtMs(_last: FetchedRecords, callStartedAtMs: number): number {
    return callStartedAtMs;
  }

  reposition(): void {
    this.drop();
    this.continuation = null;
  }

  close(): void {
    this.drop();
  }

  private async subscribe(from: ReadPosition, signal: AbortSignal): Promise<AsyncIterator<SubscribeToShardEventStream>> {
    await sleep(Math.max(this.lastSubscribeAtMs + this.minSubscribeGapMs, this.notBeforeMs) - Date.now(), signal);
    if (signal.aborted) throw abortError();
    const position: StartingPosition =
      this.continuation === null
        ? { Type: from.type, ...(from.sequenceNumber === undefined ? {} : { SequenceNumber: from.sequenceNumber }) }
        : { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: this.continuation };
    const subscription = new AbortController();
    this.lastSubscribeAtMs = Date.now();
    this.subscriptionCount += 1;
    const out = await this.opts.client.send(
      new SubscribeToShardCommand({ ConsumerARN: this.opts.consumerArn, ShardId: this.opts.shardId, StartingPosition: position }),
      { abortSignal: AbortSignal.any([signal, subscription.signal]) },
    );
    if (out.EventStream === undefined) throw new Error(`SubscribeToShard returned no event stream for ${this.opts.shardId}`);
    this.events = out.EventStream[Symbol.asyncIterator]();
    this.subscription = subscription;
    this.subscribedAtMs = Date.now();
    return this.events;
  }

  /** Another subscription to this shard and consumer is active (or was just made): wait the 5 s out before taking over. */
  private noteInUse(err: unknown): void {
    if (err instanceof Error && err.name === 'ResourceInUseException') this.notBeforeMs = Date.now() + RESOURCE_IN_USE_GAP_MS;
  }

  private drop(): void {
    const events = this.events;
    this.events = null;
    this.subscription?.abort();
    this.subscription = null;
    // Ends the SDK's reading of the HTTP/2 stream; its outcome does not matter any more.
    void events?.return?.().catch(() => undefined);
  }
}

function abortError(): Error {
  return Object.assign(new Error('the read was stopped'), { name: 'AbortError' });
}

/** The pending next event, or an AbortError as soon as `signal` aborts (a quiet subscription would never answer). */
export function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** An error event of the stream (ResourceInUse, ResourceNotFound, InternalFailure, KMS…) as an error named after it. */
function eventError(event: SubscribeToShardEventStream): Error {
  for (const [member, value] of Object.entries(event)) {
    if (value instanceof Error) return value;
    if (member !== '$unknown' && typeof value === 'object' && value !== null) {
      const message = (value as { message?: unknown }).message;
      return Object.assign(new Error(typeof message === 'string' ? message : `SubscribeToShard sent ${member}`), { name: member });
    }
  }
  return new Error('SubscribeToShard sent an event of a type this version does not know');
}
