/**
 * How the Kinesis source reads, from the configuration: the per-shard byte budget for polling and,
 * when EDGEWATCH_KINESIS_CONSUMER_NAME is set, enhanced fan-out (with its HTTP/2 client for SubscribeToShard).
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createFanOutKinesisClient } from '../ingest/kinesis/fan-out/fan-out-client.js';
import { FanOutFetchers } from '../ingest/kinesis/fan-out/fan-out-fetchers.js';
import type { KinesisShardStatus } from '../ingest/kinesis/kinesis-source.js';
import type { SourceLogger } from '../ingest/kinesis/source-logger.js';
import type { ShardHealth } from '../api/health.js';
import type { Config } from './config.js';

export interface KinesisReadSetup {
  readonly readBytesPerSecond: number;
  readonly fetchers?: FanOutFetchers;
  /** Closes the fan-out client; call after the source has stopped. */
  close(): void;
}

export function kinesisReadSetup(config: Config, client: KinesisClient, endpoint: string | undefined, logger: SourceLogger): KinesisReadSetup {
  const { consumerName, readBytesPerSecond, streamName, region } = config.kinesis;
  if (consumerName === undefined) return { readBytesPerSecond, close: () => undefined };
  const subscribeClient = createFanOutKinesisClient({ region, ...(endpoint === undefined ? {} : { endpoint }) });
  const fetchers = new FanOutFetchers({ client, subscribeClient, streamName, consumerName, logger });
  return {
    readBytesPerSecond,
    fetchers,
    close: () => {
      fetchers.close();
      subscribeClient.destroy();
    },
  };
}

/** A Kinesis shard's status as /healthz reports it. */
export function kinesisShardHealth(stream: string, status: KinesisShardStatus): ShardHealth {
  const base = {
    shardId: status.shardId,
    millisBehindLatest: status.millisBehindLatest,
    lastSequence: status.lastSequence,
    recordsRead: status.recordsRead,
    finished: status.finished,
    stream,
  };
  const reads = status.reads;
  if (reads === undefined) return base;
  return {
    ...base,
    readMode: reads.mode,
    bytesRead: reads.bytesRead,
    recordsPerSecond: reads.recordsPerSecond,
    bytesPerSecond: reads.bytesPerSecond,
    throttles: reads.throttles,
    errors: reads.errors,
    leaseOwner: reads.leaseOwner,
  };
}
