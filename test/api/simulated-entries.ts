/**
 * Live entries of realistic varied traffic (the edge simulator's model), parsed and enriched as the
 * processors do: the input of the tests that compare a cell-fed or push-down hub with the in-process one.
 */
import { toLiveEntry, type LiveEntry } from '../../api/live/live-entry.js';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { createEnricher } from '../../processor/enrich/enrich.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';

export const SIMULATED_START_MS = 1_700_000_000_000;
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const domains = new Map(DEMO_DISTRIBUTIONS.map((d) => [d.domainName, d.id]));
const resolveDistribution = (domain: string | null): string => (domain === null ? '' : (domains.get(domain) ?? ''));

export function simulatedEntries(count: number, samplingRate: number, seed = 7): LiveEntry[] {
  const generator = createTrafficGenerator({ seed, distributions: DEMO_DISTRIBUTIONS, layout, startMs: SIMULATED_START_MS });
  const parser = new LogParser(layout);
  const enrich = createEnricher({ samplingRate, resolveDistribution });
  const result: LiveEntry[] = [];
  for (const line of generator.linesAt(SIMULATED_START_MS, count, 1_000)) {
    for (const record of parser.parsePayload(line).records) result.push(toLiveEntry({ record, derived: enrich(record) }, 'kafka'));
  }
  return result;
}
