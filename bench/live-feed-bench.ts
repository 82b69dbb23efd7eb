/**
 * The live feed's cost and size (cli/live-feed-publisher.ts, api/live/live-cells.ts), one figure a line:
 *
 *   live_cells_records_per_s        records summed into counter cells per second on one core (toLiveEntry +
 *                                   cell key + counts), the work a processor adds per stored record
 *   live_cells_per_second{rps=N}    cells one second of simulator traffic at N records/s makes
 *   live_second_message_bytes{rps=N} the JSON size of that second (all its messages)
 *   live_hub_cells_merged_per_s     cells a serve replica's hub merges per second for one subscriber
 *
 *   node bin/run-ts.mjs bench/live-feed-bench.ts
 */
import { LiveCellAggregator } from '../api/live/live-cells.js';
import { toLiveEntry } from '../api/live/live-entry.js';
import { LiveHub } from '../api/live/live-hub.js';
import { encodeLiveFeedMessage } from '../cli/live-feed-message.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { layoutOf } from '../processor/fields/layout.js';
import type { RequestRow } from '../processor/storage/row-encoder.js';

const START_MS = Date.UTC(2026, 0, 1);
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const processor = new BatchProcessor({
  sink: { write: () => Promise.resolve() },
  formatOf: () => ({ layout, samplingRate: 100 }),
  resolveDistribution: (domain) => (domain === null ? '' : (domains.get(domain) ?? '')),
  sourceKind: 'kinesis',
});

function rows(count: number, seed: number): RequestRow[] {
  const generator = createTrafficGenerator({ seed, distributions: DEMO_DISTRIBUTIONS, layout, startMs: START_MS });
  const records = generator.linesAt(START_MS, count, 1_000).map((line, i) => ({ data: Buffer.from(line), sequenceNumber: String(i + 1), arrivalMs: START_MS }));
  return processor.process({ stream: 's', shardId: 'shard-0', firstSequence: '1', lastSequence: String(count), records }).rows;
}

function figure(name: string, value: number): void {
  process.stdout.write(`${name} ${Number.isInteger(value) ? value : value.toFixed(1)}\n`);
}

const sample = rows(100_000, 1);
const aggregator = new LiveCellAggregator(1_000_000);
const started = process.hrtime.bigint();
for (const row of sample) aggregator.add(toLiveEntry(row.enriched, 'kinesis'));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
figure('live_cells_records_per_s', Math.round(sample.length / seconds));
aggregator.take();

for (const rps of [1_000, 10_000, 50_000]) {
  const second = new LiveCellAggregator(2_000);
  for (const row of sample.slice(0, rps)) second.add(toLiveEntry(row.enriched, 'kinesis'));
  const { cells, overflowRecords } = second.take();
  let bytes = 0;
  for (let at = 0; at < cells.length; at += 500) {
    bytes += encodeLiveFeedMessage({ v: 1, kind: 'second', processor: 'bench', t: START_MS, cells: cells.slice(at, at + 500), overflowRecords, loss: { dropped: 0, stale: 0, invalid: 0 } }).length;
  }
  figure(`live_cells_per_second{rps=${rps}}`, cells.length);
  figure(`live_overflow_records{rps=${rps}}`, overflowRecords);
  figure(`live_second_message_bytes{rps=${rps}}`, bytes);
}

const merge = new LiveCellAggregator(2_000);
for (const row of sample.slice(0, 50_000)) merge.add(toLiveEntry(row.enriched, 'kinesis'));
const { cells } = merge.take();
const hub = new LiveHub({ feed: 'cells' });
hub.subscribe({ filters: { distributions: [], country: ['US'] }, onSecond: () => undefined });
const rounds = 200;
const mergeStarted = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) hub.publishCells(cells);
figure('live_hub_cells_merged_per_s', Math.round((cells.length * rounds) / (Number(process.hrtime.bigint() - mergeStarted) / 1e9)));
hub.stop();
