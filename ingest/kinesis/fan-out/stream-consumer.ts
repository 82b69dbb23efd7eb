/**
 * The enhanced fan-out consumer of a stream: found by name (DescribeStreamConsumer) or registered
 * (RegisterStreamConsumer), then waited for until ACTIVE. Several workers may race to register the
 * same name: ResourceInUse on registration means another one did, so it is looked up again.
 */
import { DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { sleep } from '../backoff.js';
import { kinesisErrorName } from '../kinesis-errors.js';
import type { SourceLogger } from '../source-logger.js';

export interface StreamConsumerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly consumerName: string;
  readonly logger: SourceLogger;
  readonly signal?: AbortSignal;
  /** Pause between status checks while the consumer is CREATING; default 1000 (DescribeStreamConsumer allows 20 per second per stream). */
  readonly pollIntervalMs?: number;
  /** How long to wait for ACTIVE; default 120000. */
  readonly activeTimeoutMs?: number;
}

export interface StreamConsumer {
  readonly streamArn: string;
  readonly consumerArn: string;
  readonly consumerName: string;
}

/** The consumer did not become ACTIVE in time, or is being deleted. */
export class ConsumerNotActiveError extends Error {
  override readonly name = 'ConsumerNotActiveError';

  constructor(consumerName: string, status: string) {
    super(`Kinesis stream consumer "${consumerName}" is ${status}, not ACTIVE`);
  }
}

export async function ensureStreamConsumer(opts: StreamConsumerOptions): Promise<StreamConsumer> {
  const { client, streamName, consumerName, signal } = opts;
  const pollIntervalMs = opts.pollIntervalMs ?? 1_000;
  const deadline = Date.now() + (opts.activeTimeoutMs ?? 120_000);
  const fields = { component: 'kinesis-fan-out', stream: streamName, consumerName };

  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), { abortSignal: signal });
  const streamArn = summary.StreamDescriptionSummary?.StreamARN;
  if (streamArn === undefined) throw new Error(`DescribeStreamSummary returned no ARN for stream "${streamName}"`);

  for (;;) {
    const described = await describe(client, streamArn, consumerName, signal);
    if (described === null) {
      try {
        await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }), { abortSignal: signal });
        opts.logger.info(fields, 'enhanced fan-out consumer registered; waiting for it to become ACTIVE');
      } catch (err) {
        // Another worker registered it first: look it up again.
        if (kinesisErrorName(err) !== 'ResourceInUseException') throw err;
      }
      if (Date.now() > deadline) throw new ConsumerNotActiveError(consumerName, 'not listed');
      await sleep(pollIntervalMs, signal);
      continue;
    }
    if (described.status === 'ACTIVE') return { streamArn, consumerArn: described.arn, consumerName };
    if (described.status === 'DELETING' || Date.now() > deadline) throw new ConsumerNotActiveError(consumerName, described.status);
    await sleep(pollIntervalMs, signal);
    if (signal?.aborted === true) throw new ConsumerNotActiveError(consumerName, described.status);
  }
}

async function describe(
  client: KinesisClient,
  streamArn: string,
  consumerName: string,
  signal: AbortSignal | undefined,
): Promise<{ arn: string; status: string } | null> {
  try {
    const out = await client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }), { abortSignal: signal });
    const description = out.ConsumerDescription;
    if (description?.ConsumerARN === undefined) return null;
    return { arn: description.ConsumerARN, status: description.ConsumerStatus ?? 'UNKNOWN' };
  } catch (err) {
    if (kinesisErrorName(err) === 'ResourceNotFoundException') return null;
    throw err;
  }
}
