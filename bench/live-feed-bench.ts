/**
 * The live feed's cost and size (cli/live-feed-publisher.ts, api/live/live-cells.ts), one figure a line:
 *
 *   live_cells_records_per_s        records summed into counter cells per second on one core (toLiveEntry +
 *                                   cell key + counts), the work a processor adds per stored record
 *   live_cells_per_second{rps=N}    cells one second of simulator traffic at N records/s makes
 *   live_second_message_bytes{rps=N} the JSON size of that second (all its messages)
 *   live_hub_cells_merged_per_s     cells a serve replica's hub merges per second for one subscriber
 *   live_pushed_records_per_s{filters=N} records a processor sums per second on one core with N pushed
 *                                   filters applied besides the cells (serve subscribers' filters)
 *   live_filtered_message_bytes{filters=N,rps=10000} the JSON size of one second's counts of N pushed filters
 *
 *   node bin/run-ts.mjs bench/live-feed-bench.ts
 */
import { LiveCellAggregator } from '../api/live/live-cells.js';
import { toLiveEntry } from '../api/live/live-entry.js';
import { compilePushedFilter, FilteredCellAggregator, type CompiledPushedFilter } from '../api/live/live-filter-pushdown.js';
import type { LiveFilters } from '../api/live/live-filter.js';
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

// Pushed filters: what each processor adds per record for the filters serve subscribers pushed down,
// a mix of typical dashboard filters (one distribution, a status, a path prefix, a country, a POP).
const FILTER_MIX: readonly LiveFilters[] = [
  { distributions: [DEMO_DISTRIBUTIONS[0]!.id] },
  { distributions: [], status: [404, 503] },
  { distributions: [], pathPrefix: '/api/' },
  { distributions: [], country: ['US'], cacheStatus: ['miss'] },
  { distributions: [], pop: ['FRA'], sslProtocol: ['TLSv1.3'] },
];
function filterSet(count: number): CompiledPushedFilter[] {
  return Array.from({ length: count }, (_, i) => {
    const base = FILTER_MIX[i % FILTER_MIX.length]!;
    // Distinct sets: a different second distribution each round.
    const distributions = i < FILTER_MIX.length ? base.distributions : [...base.distributions, `E${i}`];
    return compilePushedFilter({ filters: { ...base, distributions }, recordsPerSecond: 10 });
  });
}
const entries = sample.map((row) => toLiveEntry(row.enriched, 'kinesis'));
for (const count of [0, 8, 64]) {
  const filters = filterSet(count);
  const cellsOnly = new LiveCellAggregator(2_000);
  const filtered = new FilteredCellAggregator(500);
  const pushedStarted = process.hrtime.bigint();
  for (const entry of entries) {
    cellsOnly.add(entry);
    for (const f of filters) if (f.match(entry)) filtered.add(f.id, entry);
  }
  figure(`live_pushed_records_per_s{filters=${count}}`, Math.round(entries.length / (Number(process.hrtime.bigint() - pushedStarted) / 1e9)));
  cellsOnly.take();
  filtered.take();
  if (count === 0) continue;
  const second = new FilteredCellAggregator(500);
  for (const f of filters) second.track(f.id);
  for (const entry of entries.slice(0, 10_000)) for (const f of filters) if (f.match(entry)) second.add(f.id, entry);
  const taken = second.take();
  let filteredBytes = 0;
  for (let at = 0; at < taken.length; at += 8) {
    filteredBytes += encodeLiveFeedMessage({ v: 1, kind: 'filtered', processor: 'bench', t: START_MS, filters: taken.slice(at, at + 8) }).length;
  }
  figure(`live_filtered_message_bytes{filters=${count},rps=10000}`, filteredBytes);
}
