/**
 * The Kinesis side every reading command builds from its configuration: the local Kinesis (when
 * configured), the client, and the read setup (polling or enhanced fan-out).
 */
import path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../ingest/kinesis/kinesis-client.js';
import { startLocalKinesis, type LocalKinesis } from '../ingest/kinesis/local-kinesis.js';
import type { Config } from './config.js';
import { kinesisReadSetup, type KinesisReadSetup } from './kinesis-read-setup.js';
import type { Logger } from './logger.js';

export interface KinesisConnection {
  /** The embedded Kinesis, when the configuration asks for it; the caller closes it. */
  readonly local: LocalKinesis | null;
  readonly client: KinesisClient;
  readonly reading: KinesisReadSetup;
}

export async function connectKinesis(config: Config, logger: Logger): Promise<KinesisConnection> {
  let local: LocalKinesis | null = null;
  if (config.kinesis.local) {
    local = await startLocalKinesis({
      path: path.join(config.dataDir, 'kinesis'),
      port: config.kinesis.localPort,
      streamName: config.kinesis.streamName,
      shardCount: config.kinesis.localShardCount,
    });
    logger.child({ component: 'local-kinesis' }).info({ endpoint: local.endpoint, stream: local.streamName }, 'local Kinesis ready');
  }
  const endpoint = local?.endpoint ?? config.kinesis.endpoint;
  const client = createKinesisClient({ region: config.kinesis.region, endpoint });
  return { local, client, reading: kinesisReadSetup(config, client, endpoint, logger) };
}
