/**
 * What a real-time log config costs per month before it is saved: CloudFront's charge per log line
 * and the Kinesis stream that takes the lines. Computed by the capacity planner
 * (processor/capacity/), the one place where prices and shard sizing live, so the estimate and
 * `edgewatch plan` never disagree.
 */
import { planCapacity, type CapacityPlan, type CostLine } from '../../processor/capacity/capacity-plan.js';
import { PRICES } from '../../processor/capacity/prices.js';

/** USD per million log lines CloudFront publishes; null when no public price is known. */
export const PRICE_PER_MILLION_LINES_USD = PRICES.realtimeLogLines.usd;

export interface CostEstimate {
  readonly linesPerSecond: number;
  readonly linesPerMonth: number;
  readonly bytesPerRecord: number;
  readonly megabytesPerSecond: number;
  readonly suggestedShards: number;
  /** USD per month; a line is null when its price is not publicly known (then it is not in `total`). */
  readonly monthlyUsd: { readonly logLines: number | null; readonly shardHours: number | null; readonly putPayloadUnits: number | null; readonly total: number };
  /** Each cost's formula and the source and date of its price. */
  readonly assumptions: readonly string[];
}

const cents = (usd: number | null): number | null => (usd === null ? null : Math.round(usd * 100) / 100);

function figure(plan: CapacityPlan, key: string): number {
  const found = plan.figures.find((f) => f.key === key);
  if (found === undefined) throw new Error(`the capacity plan has no figure ${key}`);
  return found.value;
}

function describe(line: CostLine): string {
  const confidence = line.price.confidence === 'unconfirmed' ? ', unconfirmed' : '';
  return `${line.label}: ${line.formula} (price: ${line.price.source}; read ${line.price.date}${confidence})`;
}

/** Lines, shards (provisioned, 25 % headroom) and monthly cost of a log config; throws CapacityInputError. */
export function estimateLogConfigCost(input: { requestsPerSecond: number; samplingRate: number; fields: readonly string[] }): CostEstimate {
  const plan = planCapacity({ requestsPerSecond: input.requestsPerSecond, samplingRate: input.samplingRate, fields: input.fields, streamMode: 'provisioned' });
  const linesPerSecond = figure(plan, 'logLinesPerSecond');
  const bytesPerRecord = figure(plan, 'averageRecordBytes');
  const usd = (key: string): number | null => cents(plan.costs.lines.find((l) => l.key === key)?.usdPerMonth ?? null);
  return {
    linesPerSecond,
    linesPerMonth: Math.round(linesPerSecond * 730 * 3600),
    bytesPerRecord,
    megabytesPerSecond: Math.round(((linesPerSecond * bytesPerRecord) / 1_048_576) * 1000) / 1000,
    suggestedShards: figure(plan, 'kinesisShards'),
    monthlyUsd: {
      logLines: usd('realtimeLogs'),
      shardHours: usd('kinesisShardHours'),
      putPayloadUnits: usd('kinesisPutPayloadUnits'),
      total: cents(plan.costs.knownUsdPerMonth) ?? 0,
    },
    assumptions: [
      ...plan.costs.lines.map(describe),
      ...plan.figures.filter((f) => f.key === 'averageRecordBytes' || f.key === 'kinesisShards').map((f) => `${f.label}: ${f.formula}`),
    ],
  };
}

/** Provisioned shards for a log config's write load (the planner's sizing, 25 % headroom). */
export function suggestShards(input: { requestsPerSecond: number; samplingRate: number; fields: readonly string[] }): number {
  return estimateLogConfigCost(input).suggestedShards;
}
