/**
 * `edgewatch parse [--fields f1,f2,...] [--sampling-rate P]`: reads CloudFront real-time log lines on
 * stdin, prints one JSON object per valid line on stdout and one per invalid line on stderr.
 */
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { layoutFromList, layoutOf, type Layout } from '../../processor/fields/layout.js';
import { createEnricher, type Enricher } from '../../processor/enrich/enrich.js';
import { toJsonRow } from '../../processor/json-row.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { loadConfig } from '../config.js';
import { openRegistriesFromConfig, RegistriesUnavailableError, type OpenedRegistries } from '../registries-from-config.js';
import { streamLogConfig } from '../stream-log-config.js';

const HELP = `usage: edgewatch parse [--fields f1,f2,...] [--sampling-rate P] < lines.tsv

  --fields          the log config's field set, in any order (default: the stream's log config)
  --sampling-rate   the log config's sampling rate, 1-100 (default: the stream's log config)

The stream's log config and the domain -> distribution map come from the registry the pipeline uses:
the ClickHouse server's tables when EDGEWATCH_CLICKHOUSE_URL is set, else the files in the data dir.

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
  let fields: Layout | undefined;
  try {
    fields = values.fields === undefined ? undefined : layoutFromList(values.fields);
  } catch (err) {
    process.stderr.write(`edgewatch parse: --fields: ${(err as Error).message}\n`);
    return 2;
  }
  const rate = values['sampling-rate'] === undefined ? undefined : Number(values['sampling-rate']);
  if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 100)) {
    process.stderr.write('edgewatch parse: --sampling-rate must be a whole number from 1 to 100\n');
    return 2;
  }
  const config = loadConfig();
  let registries: OpenedRegistries;
  try {
    registries = await openRegistriesFromConfig(config);
  } catch (err) {
    if (!(err instanceof RegistriesUnavailableError)) throw err;
    process.stderr.write(`edgewatch parse: ${err.message}\n`);
    return err.exitCode;
  }
  try {
    const defaults = streamLogConfig(config, registries.logConfigs);
    const layout = fields ?? layoutOf(defaults.fields);
    const parser = new LogParser(layout);
    const enrich = createEnricher({ samplingRate: rate ?? defaults.samplingRate, resolveDistribution: registries.distributions.resolveDomain });
    await parseLines(layout, parser, enrich);
  } finally {
    await registries.close();
  }
  return 0;
}

async function parseLines(layout: Layout, parser: LogParser, enrich: Enricher): Promise<void> {
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
}
