/**
 * Child process for the crash test. Modes:
 *  - `crash <dataDir> <kinesisPort>`: runs the pipeline with the simulator and kills itself with
 *    SIGKILL right after a batch was inserted into ClickHouse and before its checkpoint was committed.
 *  - `drain <dataDir> <kinesisPort>`: restarts on the same data dir without the simulator, waits until
 *    every record in the stream is stored, and prints counts as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline } from '../../cli/pipeline.js';
import type { CheckpointStore } from '../../ingest/checkpoints/checkpoint-store.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';

const [mode, dataDir, kinesisPort] = process.argv.slice(2);
if (!mode || !dataDir || !kinesisPort) throw new Error('usage: crash-pipeline.ts crash|drain <dataDir> <kinesisPort>');

const config = loadConfig({
  EDGEWATCH_DATA_DIR: dataDir,
  PORT: '0',
  EDGEWATCH_LOCAL_KINESIS_PORT: kinesisPort,
  EDGEWATCH_SIMULATOR: mode === 'crash' ? '1' : '0',
  EDGEWATCH_SIMULATOR_RATE: '1000',
  EDGEWATCH_BATCH_MAX_AGE_MS: '300',
  EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '200',
  EDGEWATCH_LOG_LEVEL: 'error',
});
const marker = path.join(dataDir, 'crashed-batch.json');

function crashAfterThirdInsert(store: CheckpointStore): CheckpointStore {
  let commits = 0;
  return {
    load: (stream, shard) => store.load(stream, shard),
    markInFlight: (stream, shard, range) => store.markInFlight(stream, shard, range),
    markFinished: (stream, shard) => store.markFinished(stream, shard),
    commit: async (stream, shard, sequenceNumber) => {
      commits++;
      if (commits === 3) {
        // The batch is in ClickHouse; its checkpoint never will be.
        fs.writeFileSync(marker, JSON.stringify({ shard, sequenceNumber }));
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      }
      return store.commit(stream, shard, sequenceNumber);
    },
  };
}

async function countStream(endpoint: string): Promise<number> {
  const client = createKinesisClient({ region: config.kinesis.region, endpoint });
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: config.kinesis.streamName }));
  let total = 0;
  for (const shard of Shards) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: config.kinesis.streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      total += page.Records?.length ?? 0;
      if ((page.Records?.length ?? 0) === 0 || !page.NextShardIterator) break;
      iterator = page.NextShardIterator;
    }
  }
  client.destroy();
  return total;
}

const pipeline = await startPipeline(config, createLogger('error'), mode === 'crash' ? { wrapCheckpoints: crashAfterThirdInsert } : {});
if (mode === 'drain') {
  const inStream = await countStream(pipeline.localKinesisEndpoint!);
  const db = config.clickhouse.database;
  const deadline = Date.now() + 120_000;
  let counts = { rows: 0, distinct: 0, rollup: 0 };
  for (;;) {
    // Queries run beside inserts: an insert's raw rows can be visible before its rollup rows are.
    const [row] = await pipeline.clickhouse.query<{ rows: string; distinct_ids: string; rollup: string }>(
      `SELECT count() AS rows, uniqExact(x_edge_request_id) AS distinct_ids, (SELECT sum(sampled_requests) FROM ${db}.requests_1m) AS rollup FROM ${db}.requests`,
    );
    counts = { rows: Number(row!.rows), distinct: Number(row!.distinct_ids), rollup: Number(row!.rollup) };
    if ((counts.distinct >= inStream && counts.rollup >= inStream) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const deadLetters = await pipeline.clickhouse.query<{ reason: string; input: string }>(`SELECT reason, input FROM ${db}.dead_letters`);
  const batchesWritten = pipeline.writer.stats().batchesWritten;
  await pipeline.stop();
  process.stdout.write(`${JSON.stringify({ inStream, ...counts, batchesWritten, deadLetters })}\n`);
}
