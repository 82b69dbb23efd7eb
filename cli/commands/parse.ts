/**
 * `edgewatch parse [--fields f1,f2,...] [--sampling-rate P]`: reads CloudFront real-time log lines on
 * stdin, prints one JSON object per valid line on stdout and one per invalid line on stderr.
 */
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { layoutFromList, type Layout } from '../../processor/fields/layout.js';
import { createEnricher } from '../../processor/enrich/enrich.js';
import { toJsonRow } from '../../processor/json-row.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { FileDistributionRegistry } from '../../processor/registry/distribution-registry.js';
import { loadConfig } from '../config.js';
import { streamLogConfig } from '../stream-log-config.js';

const HELP = `usage: edgewatch parse [--fields f1,f2,...] [--sampling-rate P] < lines.tsv

  --fields          the log config's field set, in any order (default: the local log config's fields)
  --sampling-rate   the log config's sampling rate, 1-100 (default: the local log config's rate)

Valid lines go to stdout as JSON objects keyed by ClickHouse column names; invalid lines go to
stderr as JSON objects with line, reason, field and input. Exit code 0 once the input is read.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { fields: { type: 'string' }, 'sampling-rate': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig();
  const defaults = streamLogConfig(config);
  let layout: Layout;
  try {
    layout = layoutFromList(values.fields ?? defaults.fields.join(','));
  } catch (err) {
    process.stderr.write(`edgewatch parse: --fields: ${(err as Error).message}\n`);
    return 2;
  }
  const samplingRate = values['sampling-rate'] === undefined ? defaults.samplingRate : Number(values['sampling-rate']);
  if (!Number.isInteger(samplingRate) || samplingRate < 1 || samplingRate > 100) {
    process.stderr.write('edgewatch parse: --sampling-rate must be a whole number from 1 to 100\n');
    return 2;
  }
  const distributions = new FileDistributionRegistry(config.dataDir);
  const parser = new LogParser(layout);
  const enrich = createEnricher({ samplingRate, resolveDistribution: distributions.resolveDomain });

  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    const result = parser.parseLine(line, lineNumber);
    if (result.ok) {
      const row = toJsonRow(layout, { record: result.record, derived: enrich(result.record) });
      if (!process.stdout.write(`${JSON.stringify(row)}\n`)) await new Promise((r) => process.stdout.once('drain', r));
    } else {
      const { line: ln, reason, field, input } = result.deadLetter;
      process.stderr.write(`${JSON.stringify({ line: ln, reason, ...(field === null ? {} : { field }), input })}\n`);
    }
  }
  return 0;
}
