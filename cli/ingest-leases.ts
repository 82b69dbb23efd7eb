/**
 * Shard leases of `edgewatch ingest` (EDGEWATCH_LEASE_TABLE): a DynamoDB lease table shared by every
 * worker of the stream. Without a table the worker owns every shard, with checkpoints in its data dir.
 */
import { createDynamoDbClient } from '../ingest/leases/dynamodb-client.js';
import { LeaseCoordinator } from '../ingest/leases/lease-coordinator.js';
import { DynamoDbLeaseTable } from '../ingest/leases/lease-table.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export interface ShardLeases {
  readonly coordinator: LeaseCoordinator;
  /** Releases the leases (after the source's final checkpoints) and closes the client. */
  stop(): Promise<void>;
}

/** Null when no lease table is configured. Starting creates the table if missing and takes a first share. */
export async function startShardLeases(config: Config, logger: Logger): Promise<ShardLeases | null> {
  const { table, dynamodbEndpoint, workerId, durationMs } = config.leases;
  if (table === undefined) return null;
  const client = createDynamoDbClient({ region: config.kinesis.region, endpoint: dynamodbEndpoint });
  const coordinator = new LeaseCoordinator({
    table: new DynamoDbLeaseTable({ client, tableName: table, streamName: config.kinesis.streamName }),
    workerId,
    leaseDurationMs: durationMs,
    logger,
  });
  try {
    await coordinator.start();
  } catch (err) {
    client.destroy();
    throw err;
  }
  return {
    coordinator,
    stop: async () => {
      await coordinator.stop();
      client.destroy();
    },
  };
}
