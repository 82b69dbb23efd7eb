/**
 * The capacity planner: from request rate, sampling rate, field set and retention to log lines,
 * Kinesis shards, Kafka partitions, workers, ClickHouse volume and the monthly AWS cost of real-time
 * logs and Kinesis. Pure: every figure carries the formula it came from, with the numbers put in.
 * The control plane's cost estimate for a log config is `monthlyAwsCosts`, from the same code.
 */
import { DEFAULT_LOCAL_FIELD_NAMES } from '../fields/catalogue.js';
import { layoutOf, UnknownFieldError, type Layout } from '../fields/layout.js';
import { MEASURED } from './measured.js';
import { PRICES, type Price, type PriceList } from './prices.js';

/** Kinesis write limits per shard (reference §6.2): 1,000 records/s and 1 MB/s, partition keys included. */
export const SHARD_RECORDS_PER_S = 1_000;
export const SHARD_BYTES_PER_S = 1024 * 1024;
/** The billing month of AWS price pages: 730 hours. */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_DAY = 86_400;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** A PUT payload unit is a 25 KB chunk of a record (provisioned mode). */
const PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;
/** On-demand mode bills each record rounded up to 1 KB. */
const ON_DEMAND_RECORD_UNIT_BYTES = 1024;
const GB = 1024 ** 3;

export type StreamMode = 'provisioned' | 'on-demand';

export interface CapacityInput {
  readonly requestsPerSecond: number;
  /** The log config's sampling rate, percent (1–100). Default 100. */
  readonly samplingRate?: number;
  /** The log config's fields, any order. Default: edgewatch's local field set. */
  readonly fields?: readonly string[];
  /** Days raw rows are kept in ClickHouse. Default 30 (EDGEWATCH_RAW_TTL_DAYS). */
  readonly retentionDays?: number;
  /** A measured average record size in bytes; default: estimated from the field set. */
  readonly recordBytes?: number;
  /** Share of each limit kept free (0–0.9). Default 0.25: plan shards and workers at 75 % load. */
  readonly headroom?: number;
  readonly streamMode?: StreamMode;
}

/** Input the planner refuses; `parameter` names the input at fault. */
export class CapacityInputError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
    this.name = 'CapacityInputError';
  }
}

export interface PlanInput {
  readonly requestsPerSecond: number;
  readonly samplingRate: number;
  readonly fields: readonly string[];
  readonly retentionDays: number;
  readonly recordBytes: number | null;
  readonly headroom: number;
  readonly streamMode: StreamMode;
}

export interface Figure {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** How the value was computed, with the numbers put in. */
  readonly formula: string;
}

export interface CostLine {
  readonly key: string;
  readonly label: string;
  /** Billed quantity per month, in units of `price.unit`. */
  readonly quantity: number;
  /** Null when no public price is known. */
  readonly usdPerMonth: number | null;
  readonly formula: string;
  readonly price: Price;
}

export interface MonthlyCosts {
  readonly lines: readonly CostLine[];
  /** The sum of the lines whose price is known. */
  readonly knownUsdPerMonth: number;
  /** Keys of the lines whose price is unknown (their cost is not in the sum). */
  readonly unknown: readonly string[];
}

export interface CapacityPlan {
  readonly input: PlanInput;
  readonly figures: readonly Figure[];
  readonly costs: MonthlyCosts;
  /** Where the measured constants come from. */
  readonly measuredWith: string;
}

const DEFAULTS = { samplingRate: 100, retentionDays: 30, headroom: 0.25, streamMode: 'provisioned' as StreamMode };
export const MAX_REQUESTS_PER_SECOND = 100_000_000;

function requireNumber(parameter: string, value: number, min: number, max: number, integer: boolean): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new CapacityInputError(parameter, `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

/** Validates and completes the input; throws CapacityInputError. */
export function normalizeInput(input: CapacityInput): { input: PlanInput; layout: Layout } {
  const requestsPerSecond = requireNumber('requestsPerSecond', input.requestsPerSecond, 0, MAX_REQUESTS_PER_SECOND, false);
  const samplingRate = requireNumber('sampling', input.samplingRate ?? DEFAULTS.samplingRate, 1, 100, true);
  const retentionDays = requireNumber('retentionDays', input.retentionDays ?? DEFAULTS.retentionDays, 1, 3650, true);
  const headroom = requireNumber('headroom', input.headroom ?? DEFAULTS.headroom, 0, 0.9, false);
  const recordBytes = input.recordBytes === undefined ? null : requireNumber('recordBytes', input.recordBytes, 1, 10 * 1024 * 1024, false);
  const streamMode = input.streamMode ?? DEFAULTS.streamMode;
  if (streamMode !== 'provisioned' && streamMode !== 'on-demand') throw new CapacityInputError('streamMode', "must be 'provisioned' or 'on-demand'");
  let layout: Layout;
  try {
    layout = layoutOf(input.fields ?? DEFAULT_LOCAL_FIELD_NAMES);
  } catch (err) {
    if (err instanceof UnknownFieldError) throw new CapacityInputError('fields', err.message);
    throw new CapacityInputError('fields', (err as Error).message);
  }
  return { input: { requestsPerSecond, samplingRate, fields: layout.names, retentionDays, recordBytes, headroom, streamMode }, layout };
}

/** A number for a formula: whole numbers as they are, others with up to 3 significant decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

const f = formatNumber;

/** Average record bytes of a field set: the fields' measured widths, a tab between fields, a newline. */
export function estimatedRecordBytes(layout: Layout): { bytes: number; formula: string } {
  const widths = layout.fields.map((field) => MEASURED.fieldAvgBytes[field.name] ?? 0);
  const sum = widths.reduce((a, b) => a + b, 0);
  const bytes = sum + (layout.fields.length - 1) + 1;
  return { bytes, formula: `Σ average field widths (${layout.fields.length} fields, ${f(sum)} B) + ${layout.fields.length - 1} tabs + 1 newline = ${f(bytes)} B` };
}

interface Traffic {
  readonly linesPerSecond: number;
  readonly recordBytes: number;
  readonly figures: Figure[];
}

function traffic(input: PlanInput, layout: Layout): Traffic {
  const linesPerSecond = (input.requestsPerSecond * input.samplingRate) / 100;
  const figures: Figure[] = [
    {
      key: 'logLinesPerSecond',
      label: 'log lines per second',
      value: linesPerSecond,
      unit: 'lines/s',
      formula: `${f(input.requestsPerSecond)} requests/s × ${input.samplingRate} % sampling = ${f(linesPerSecond)} lines/s`,
    },
  ];
  const estimate = estimatedRecordBytes(layout);
  const recordBytes = input.recordBytes ?? estimate.bytes;
  figures.push({
    key: 'averageRecordBytes',
    label: 'average record size',
    value: recordBytes,
    unit: 'B',
    formula: input.recordBytes === null ? estimate.formula : `given (--record-bytes); the field set's estimate is ${f(estimate.bytes)} B`,
  });
  return { linesPerSecond, recordBytes, figures };
}

/** The monthly AWS cost of a log config's real-time logs and its Kinesis stream. */
export function monthlyAwsCosts(input: CapacityInput, prices: PriceList = PRICES): MonthlyCosts {
  const { input: planInput, layout } = normalizeInput(input);
  const { linesPerSecond, recordBytes } = traffic(planInput, layout);
  return costsOf(planInput, linesPerSecond, recordBytes, shardsFor(planInput, linesPerSecond, recordBytes).value, prices);
}

function shardsFor(input: PlanInput, linesPerSecond: number, recordBytes: number): Figure {
  const load = 1 - input.headroom;
  const byRecords = linesPerSecond / SHARD_RECORDS_PER_S;
  const byBytes = (linesPerSecond * recordBytes) / SHARD_BYTES_PER_S;
  const shards = Math.max(1, Math.ceil(Math.max(byRecords, byBytes) / load));
  const binding = byRecords >= byBytes ? 'records' : 'bytes';
  return {
    key: 'kinesisShards',
    label: 'Kinesis shards',
    value: shards,
    unit: 'shards',
    formula:
      `max(1, ceil(max(${f(linesPerSecond)} records/s ÷ 1,000, ${f((linesPerSecond * recordBytes) / SHARD_BYTES_PER_S)} MB/s ÷ 1 MB/s) ÷ ${f(load)})) = ${shards} ` +
      `(the ${binding} limit binds; ${f(input.headroom * 100)} % headroom)`,
  };
}

function cost(key: string, label: string, quantity: number, quantityFormula: string, price: Price, perUnits: number): CostLine {
  const usd = price.usd === null ? null : (quantity / perUnits) * price.usd;
  const priced = price.usd === null ? `; price unknown (${price.unit})` : ` × USD ${price.usd} per ${price.unit} = USD ${f(usd ?? 0)}`;
  return { key, label, quantity, usdPerMonth: usd, formula: `${quantityFormula}${priced}`, price };
}

function costsOf(input: PlanInput, linesPerSecond: number, recordBytes: number, shards: number, prices: PriceList): MonthlyCosts {
  const linesPerMonth = linesPerSecond * SECONDS_PER_MONTH;
  const lines: CostLine[] = [
    cost('realtimeLogs', 'CloudFront real-time logs', linesPerMonth, `${f(linesPerSecond)} lines/s × ${f(SECONDS_PER_MONTH)} s = ${f(linesPerMonth)} lines`, prices.realtimeLogLines, 1_000_000),
  ];
  if (input.streamMode === 'provisioned') {
    const shardHours = shards * HOURS_PER_MONTH;
    lines.push(cost('kinesisShardHours', 'Kinesis shard-hours', shardHours, `${shards} shards × ${HOURS_PER_MONTH} h = ${f(shardHours)} shard-hours`, prices.kinesisShardHour, 1));
    const unitsPerRecord = Math.ceil(recordBytes / PUT_PAYLOAD_UNIT_BYTES);
    const units = linesPerMonth * unitsPerRecord;
    lines.push(
      cost('kinesisPutPayloadUnits', 'Kinesis PUT payload units', units, `${f(linesPerMonth)} records × ceil(${f(recordBytes)} B ÷ 25 KB) = ${f(units)} units`, prices.kinesisPutPayloadUnits, 1_000_000),
    );
  } else {
    lines.push(
      cost('kinesisStreamHours', 'Kinesis on-demand stream-hours', HOURS_PER_MONTH, `1 stream × ${HOURS_PER_MONTH} h = ${HOURS_PER_MONTH} stream-hours`, prices.kinesisOnDemandStreamHour, 1),
    );
    const billedBytes = Math.ceil(recordBytes / ON_DEMAND_RECORD_UNIT_BYTES) * ON_DEMAND_RECORD_UNIT_BYTES;
    const gbIn = (linesPerMonth * billedBytes) / GB;
    lines.push(cost('kinesisDataInGb', 'Kinesis on-demand data written', gbIn, `${f(linesPerMonth)} records × ${f(billedBytes)} B (rounded up to 1 KB) = ${f(gbIn)} GB`, prices.kinesisOnDemandDataInGb, 1));
    const gbOut = (linesPerMonth * recordBytes) / GB;
    lines.push(cost('kinesisDataOutGb', 'Kinesis on-demand data read (one consumer)', gbOut, `${f(linesPerMonth)} records × ${f(recordBytes)} B = ${f(gbOut)} GB`, prices.kinesisOnDemandDataOutGb, 1));
  }
  const known = lines.reduce((sum, line) => sum + (line.usdPerMonth ?? 0), 0);
  return { lines, knownUsdPerMonth: known, unknown: lines.filter((l) => l.usdPerMonth === null).map((l) => l.key) };
}

function workers(key: string, label: string, linesPerSecond: number, perCore: number, figureName: string, load: number): Figure {
  const count = Math.max(1, Math.ceil(linesPerSecond / (perCore * load)));
  return {
    key,
    label,
    value: count,
    unit: 'workers (1 core each)',
    formula: `max(1, ceil(${f(linesPerSecond)} lines/s ÷ (${f(perCore)} records/s per core [${figureName}] × ${f(load)}))) = ${count}`,
  };
}

export function planCapacity(input: CapacityInput): CapacityPlan {
  const { input: planInput, layout } = normalizeInput(input);
  const { linesPerSecond, recordBytes, figures } = traffic(planInput, layout);
  const load = 1 - planInput.headroom;

  const shards = shardsFor(planInput, linesPerSecond, recordBytes);
  figures.push(shards);
  const ingest = workers('ingestWorkers', 'ingest workers', linesPerSecond, MEASURED.ingestRecordsPerSecondPerCore, 'ingest_records_per_cpu_s', load);
  // A shard is leased by one ingest worker at a time: more workers than shards would idle.
  const ingestWorkers = Math.min(ingest.value, shards.value);
  figures.push({ ...ingest, value: ingestWorkers, formula: `min(${ingest.formula}, ${shards.value} shards) = ${ingestWorkers}` });
  const process = workers('processWorkers', 'process workers', linesPerSecond, MEASURED.processRecordsPerSecondPerCore, 'process_records_per_cpu_s', load);
  figures.push(process);
  // Processors of one consumer group share partitions: one partition per processor at least, and one
  // per shard so that ranges of different shards do not queue behind each other.
  const partitions = Math.max(shards.value, process.value);
  figures.push({
    key: 'kafkaPartitions',
    label: 'Kafka partitions (raw topic)',
    value: partitions,
    unit: 'partitions',
    formula: `max(${shards.value} shards, ${process.value} process workers) = ${partitions}`,
  });

  const rowsPerDay = linesPerSecond * SECONDS_PER_DAY;
  figures.push({ key: 'clickhouseRowsPerDay', label: 'ClickHouse rows per day', value: rowsPerDay, unit: 'rows/day', formula: `${f(linesPerSecond)} lines/s × 86,400 s = ${f(rowsPerDay)} rows` });
  const bytesPerRow = MEASURED.requestsCompressedBytesPerRow * (recordBytes / MEASURED.benchLineAvgBytes);
  figures.push({
    key: 'clickhouseBytesPerRow',
    label: 'ClickHouse compressed bytes per row (requests)',
    value: bytesPerRow,
    unit: 'B/row',
    formula: `${f(MEASURED.requestsCompressedBytesPerRow)} B measured [requests_compressed_bytes_per_row] × ${f(recordBytes)} B ÷ ${f(MEASURED.benchLineAvgBytes)} B (record size of the measured field set) = ${f(bytesPerRow)} B`,
  });
  const bytesPerDay = rowsPerDay * bytesPerRow;
  figures.push({
    key: 'clickhouseCompressedBytesPerDay',
    label: 'ClickHouse compressed bytes per day',
    value: bytesPerDay,
    unit: 'B/day',
    formula: `${f(rowsPerDay)} rows × ${f(bytesPerRow)} B = ${f(bytesPerDay / GB)} GiB`,
  });
  const stored = bytesPerDay * planInput.retentionDays;
  figures.push({
    key: 'clickhouseCompressedBytesRetained',
    label: `ClickHouse raw rows on disk at ${planInput.retentionDays} days retention`,
    value: stored,
    unit: 'B',
    formula: `${f(bytesPerDay / GB)} GiB/day × ${planInput.retentionDays} days = ${f(stored / GB)} GiB (rollups not included)`,
  });

  return {
    input: planInput,
    figures,
    costs: costsOf(planInput, linesPerSecond, recordBytes, shards.value, PRICES),
    measuredWith: MEASURED.source,
  };
}
