/**
 * Child process for the server-mode test: writes batches of reference records to a ClickHouse server
 * by URL through the processor and the writer, as a `process` instance of scale-out mode does.
 *
 *   node bin/run-ts.mjs test/helpers/server-mode-writer.ts <url> <database> <shardId> <batches> <recordsPerBatch>
 *
 * Prints `{"batch":i,"records":n}` once batch i is durable, and waits for a line on stdin before the
 * next one, so the parent can read the store between two writes.
 */
import readline from 'node:readline';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { createClickHouse } from '../../processor/storage/clickhouse.js';
import { REFERENCE_LAYOUT, referenceBatch } from './reference-batches.js';

const [url, database, shardId, batchesArg, recordsArg] = process.argv.slice(2);
const batches = Number(batchesArg);
const records = Number(recordsArg);
if (!url || !database || !shardId || !(batches > 0) || !(records > 0)) {
  throw new Error('usage: server-mode-writer.ts <url> <database> <shardId> <batches> <recordsPerBatch>');
}

const ch = createClickHouse({ mode: 'server', url, database, maxExecutionTimeS: 30 });
const writer = new ClickHouseWriter(ch);
const processor = new BatchProcessor({
  sink: writer,
  sourceKind: 'test',
  resolveDistribution: () => '',
  formatOf: () => ({ layout: REFERENCE_LAYOUT, samplingRate: 100 }),
});
const stdin = readline.createInterface({ input: process.stdin });
const nextLine = stdin[Symbol.asyncIterator]();

const startMs = Date.now() - 60_000;
for (let batch = 0; batch < batches; batch++) {
  const firstSequence = batch * records;
  await processor.handle(referenceBatch({ stream: 'multi', shardId, firstSequence, records, startMs: startMs + firstSequence }));
  process.stdout.write(`${JSON.stringify({ batch, records: (batch + 1) * records })}\n`);
  if (batch < batches - 1 && (await nextLine.next()).done) break;
}
await writer.stop();
await ch.close();
stdin.close();
