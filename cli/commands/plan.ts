/**
 * `edgewatch plan --requests-per-second N [--sampling P] [--fields f1,f2] [--retention-days D]`: prints
 * the capacity plan (processor/capacity/) with the formula behind every figure; `--json` prints it as
 * /api/v1/plan returns it.
 */
import { parseArgs } from 'node:util';
import { CapacityInputError, formatNumber, planCapacity, type CapacityPlan, type Figure, type StreamMode } from '../../processor/capacity/capacity-plan.js';

const HELP = `usage: edgewatch plan --requests-per-second N [options]

  --requests-per-second N   viewer requests per second at the peak to plan for
  --sampling P              the real-time log config's sampling rate, 1-100 (default 100)
  --fields f1,f2,...        the log config's fields (default: edgewatch's local field set)
  --retention-days D        days raw rows stay in ClickHouse (default 30)
  --record-bytes B          a measured average record size, instead of the field set's estimate
  --headroom H              share of each limit kept free, 0-0.9 (default 0.25)
  --stream-mode M           provisioned (default) or on-demand
  --json                    print the plan as JSON
  --table N1,N2,...         print a Markdown sizing table for these request rates instead
                            (the other options apply to every row; docs/deploy.md holds one)

Prints log lines/s, record size, Kinesis shards, workers, Kafka partitions, ClickHouse volume and the
monthly AWS cost at public list prices (processor/capacity/prices.ts; unknown prices are shown as such).`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new CapacityInputError(name, `'${value}' is not a number`);
  return parsed;
}

function usd(value: number): string {
  return `USD ${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const GIB = 1024 ** 3;

/** Byte figures in GiB, the rest as they are. */
function valueOf(fig: Figure): string {
  if (fig.unit === 'B/day' || fig.unit === 'B') return `${formatNumber(fig.value / GIB)} GiB${fig.unit === 'B/day' ? '/day' : ''}`;
  return `${formatNumber(fig.value)} ${fig.unit}`;
}

export function formatPlan(plan: CapacityPlan): string {
  const out: string[] = [];
  const { input } = plan;
  out.push(
    `Capacity plan for ${formatNumber(input.requestsPerSecond)} requests/s, ${input.samplingRate} % sampling, ${input.fields.length} fields, ` +
      `${input.retentionDays} days retention, ${input.streamMode} stream, ${formatNumber(input.headroom * 100)} % headroom`,
    '',
  );
  const width = Math.max(...plan.figures.map((fig) => fig.label.length));
  for (const fig of plan.figures) {
    out.push(`${fig.label.padEnd(width)}  ${valueOf(fig)}`);
    out.push(`${''.padEnd(width)}  = ${fig.formula}`);
  }
  out.push('', 'Monthly AWS cost (730 h):');
  for (const line of plan.costs.lines) {
    out.push(`  ${line.label}: ${line.usdPerMonth === null ? 'unknown (no public list price recorded)' : usd(line.usdPerMonth)}`);
    out.push(`    = ${line.formula}`);
    out.push(`    price: ${line.price.source}, read ${line.price.date}${line.price.confidence === 'unconfirmed' ? ' (unconfirmed)' : ''}`);
  }
  const unknown = plan.costs.unknown.length > 0 ? ` + the ${plan.costs.unknown.length} unknown item(s) above` : '';
  out.push(`  total: ${usd(plan.costs.knownUsdPerMonth)}${unknown}`, '', `Measured constants: ${plan.measuredWith}`);
  return `${out.join('\n')}\n`;
}

const TABLE_COLUMNS = [
  ['requests/s', 'requestsPerSecond'],
  ['log lines/s', 'logLinesPerSecond'],
  ['record B', 'averageRecordBytes'],
  ['Kinesis shards', 'kinesisShards'],
  ['ingest workers', 'ingestWorkers'],
  ['process workers', 'processWorkers'],
  ['Kafka partitions', 'kafkaPartitions'],
  ['ClickHouse rows/day', 'clickhouseRowsPerDay'],
  ['GiB/day', 'clickhouseCompressedBytesPerDay'],
  ['GiB retained', 'clickhouseCompressedBytesRetained'],
] as const;

/** One Markdown row per plan: the figures operators size a deployment with, and the known monthly cost. */
export function formatSizingTable(plans: readonly CapacityPlan[]): string {
  const header = [...TABLE_COLUMNS.map(([label]) => label), 'USD/month (known prices)'];
  const rows = plans.map((plan) => {
    const cells = TABLE_COLUMNS.map(([, key]) => {
      if (key === 'requestsPerSecond') return formatNumber(plan.input.requestsPerSecond);
      const fig = plan.figures.find((f) => f.key === key);
      if (fig === undefined) return '?';
      return key.startsWith('clickhouseCompressed') ? formatNumber(Math.round((fig.value / GIB) * 10) / 10) : formatNumber(Math.round(fig.value));
    });
    return [...cells, usd(plan.costs.knownUsdPerMonth).replace('USD ', '')];
  });
  return `${[header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')}\n`;
}

export function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'requests-per-second': { type: 'string' },
        sampling: { type: 'string' },
        fields: { type: 'string' },
        'retention-days': { type: 'string' },
        'record-bytes': { type: 'string' },
        headroom: { type: 'string' },
        'stream-mode': { type: 'string' },
        json: { type: 'boolean' },
        table: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`edgewatch plan: ${(err as Error).message}\n\n${HELP}\n`);
    return Promise.resolve(2);
  }
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return Promise.resolve(0);
  }
  if (values['requests-per-second'] === undefined && values.table === undefined) {
    process.stderr.write(`edgewatch plan: --requests-per-second is required\n\n${HELP}\n`);
    return Promise.resolve(2);
  }
  try {
    const planFor = (requestsPerSecond: number) =>
      planCapacity({
        requestsPerSecond,
        samplingRate: numberOption('sampling', values.sampling),
        fields: values.fields?.split(','),
        retentionDays: numberOption('retention-days', values['retention-days']),
        recordBytes: numberOption('record-bytes', values['record-bytes']),
        headroom: numberOption('headroom', values.headroom),
        streamMode: values['stream-mode'] as StreamMode | undefined,
      });
    if (values.table !== undefined) {
      const rates = values.table.split(',').map((rate) => numberOption('table', rate) ?? 0);
      process.stdout.write(formatSizingTable(rates.map(planFor)));
      return Promise.resolve(0);
    }
    const plan = planFor(numberOption('requests-per-second', values['requests-per-second']) ?? 0);
    process.stdout.write(values.json === true ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
    return Promise.resolve(0);
  } catch (err) {
    if (!(err instanceof CapacityInputError)) throw err;
    process.stderr.write(`edgewatch plan: ${err.message}\n`);
    return Promise.resolve(2);
  }
}
