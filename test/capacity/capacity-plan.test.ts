import { describe, expect, it } from 'vitest';
import {
  CapacityInputError,
  estimatedRecordBytes,
  monthlyAwsCosts,
  planCapacity,
  type CapacityPlan,
  type Figure,
} from '../../processor/capacity/capacity-plan.js';
import { MEASURED } from '../../processor/capacity/measured.js';
import { PRICES, type Price, type PriceList } from '../../processor/capacity/prices.js';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';

function figure(plan: CapacityPlan, key: string): Figure {
  const found = plan.figures.find((f) => f.key === key);
  if (!found) throw new Error(`no figure ${key}`);
  return found;
}

const SMALL_FIELDS = ['timestamp', 'c-ip', 'sc-status', 'cs-method', 'cs-uri-stem', 'x-edge-location', 'x-edge-request-id', 'x-host-header', 'x-edge-result-type', 'x-edge-detailed-result-type', 'c-country', 'asn'];

describe('measured figures and prices', () => {
  it('has a measured width for every field of the catalogue', () => {
    for (const field of FIELDS) expect(MEASURED.fieldAvgBytes[field.name], field.name).toBeGreaterThan(0);
    expect(Object.keys(MEASURED.fieldAvgBytes).sort()).toEqual(FIELDS.map((f) => f.name).sort());
  });

  it('gives every price a source and a date, and marks a missing price as unknown rather than zero', () => {
    for (const [name, price] of Object.entries(PRICES) as [string, Price][]) {
      expect(price.source.length, name).toBeGreaterThan(10);
      expect(price.date, name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (price.usd === null) expect(price.confidence, name).toBeNull();
      else expect(price.usd, name).toBeGreaterThan(0);
    }
  });
});

describe('planCapacity', () => {
  it('sizes the CloudFront guide example: 50,000 req/s of small records needs 50 shards before headroom (records limit binds)', () => {
    const plan = planCapacity({ requestsPerSecond: 50_000, fields: SMALL_FIELDS, headroom: 0 });
    const record = figure(plan, 'averageRecordBytes');
    expect(record.value).toBeLessThan(400);
    const shards = figure(plan, 'kinesisShards');
    expect(shards.value).toBe(50);
    expect(shards.formula).toContain('the records limit binds');
    expect(shards.formula).toContain('50,000 records/s ÷ 1,000');
  });

  it('adds headroom and lets the 1 MB/s limit bind for wide records', () => {
    const plan = planCapacity({ requestsPerSecond: 10_000, recordBytes: 2_000, headroom: 0.25 });
    // 10,000 × 2,000 B = 19.07 MiB/s → 19.07 / 0.75 → 26 shards
    expect(figure(plan, 'kinesisShards').value).toBe(26);
    expect(figure(plan, 'kinesisShards').formula).toContain('the bytes limit binds');
  });

  it('applies the sampling rate to log lines, and every figure after it', () => {
    const full = planCapacity({ requestsPerSecond: 20_000, samplingRate: 100 });
    const tenth = planCapacity({ requestsPerSecond: 20_000, samplingRate: 10 });
    expect(figure(full, 'logLinesPerSecond').value).toBe(20_000);
    expect(figure(tenth, 'logLinesPerSecond').value).toBe(2_000);
    expect(figure(tenth, 'logLinesPerSecond').formula).toBe('20,000 requests/s × 10 % sampling = 2,000 lines/s');
    expect(figure(tenth, 'clickhouseRowsPerDay').value).toBe(2_000 * 86_400);
    expect(figure(tenth, 'kinesisShards').value).toBeLessThan(figure(full, 'kinesisShards').value);
  });

  it('estimates the record size from the measured field widths plus separators', () => {
    const layout = layoutOf(SMALL_FIELDS);
    const sum = layout.fields.reduce((s, f) => s + MEASURED.fieldAvgBytes[f.name]!, 0);
    expect(estimatedRecordBytes(layout).bytes).toBeCloseTo(sum + SMALL_FIELDS.length, 6);
    const plan = planCapacity({ requestsPerSecond: 1, fields: SMALL_FIELDS });
    expect(figure(plan, 'averageRecordBytes').formula).toContain(`${SMALL_FIELDS.length} fields`);
    // Fields come back in canonical order whatever order they were given in.
    expect(planCapacity({ requestsPerSecond: 1, fields: [...SMALL_FIELDS].reverse() }).input.fields).toEqual(layout.names);
  });

  it('derives workers from the measured per-core throughput and partitions from shards and processors', () => {
    const plan = planCapacity({ requestsPerSecond: 30_000, headroom: 0.5 });
    const process = figure(plan, 'processWorkers');
    expect(process.value).toBe(Math.ceil(30_000 / (MEASURED.processRecordsPerSecondPerCore * 0.5)));
    expect(process.formula).toContain('process_records_per_cpu_s');
    const ingest = figure(plan, 'ingestWorkers');
    expect(ingest.value).toBeLessThanOrEqual(figure(plan, 'kinesisShards').value);
    expect(ingest.formula).toContain('ingest_records_per_cpu_s');
    expect(figure(plan, 'kafkaPartitions').value).toBe(Math.max(figure(plan, 'kinesisShards').value, process.value));
  });

  it('computes ClickHouse volume from the measured bytes per row, scaled by record size, and the retention', () => {
    const plan = planCapacity({ requestsPerSecond: 1_000, recordBytes: MEASURED.benchLineAvgBytes, retentionDays: 7 });
    expect(figure(plan, 'clickhouseBytesPerRow').value).toBeCloseTo(MEASURED.requestsCompressedBytesPerRow, 6);
    const perDay = figure(plan, 'clickhouseCompressedBytesPerDay').value;
    expect(perDay).toBeCloseTo(1_000 * 86_400 * MEASURED.requestsCompressedBytesPerRow, 0);
    expect(figure(plan, 'clickhouseCompressedBytesRetained').value).toBeCloseTo(perDay * 7, 0);
  });

  it('has one to a few workers and one shard for a tiny site', () => {
    const plan = planCapacity({ requestsPerSecond: 0.5 });
    expect(figure(plan, 'kinesisShards').value).toBe(1);
    expect(figure(plan, 'ingestWorkers').value).toBe(1);
    expect(figure(plan, 'processWorkers').value).toBe(1);
  });

  it.each([
    [{ requestsPerSecond: -1 }, 'requestsPerSecond'],
    [{ requestsPerSecond: Number.NaN }, 'requestsPerSecond'],
    [{ requestsPerSecond: 10, samplingRate: 0 }, 'sampling'],
    [{ requestsPerSecond: 10, samplingRate: 50.5 }, 'sampling'],
    [{ requestsPerSecond: 10, retentionDays: 0 }, 'retentionDays'],
    [{ requestsPerSecond: 10, headroom: 1 }, 'headroom'],
    [{ requestsPerSecond: 10, fields: ['timestamp', 'bogus'] }, 'fields'],
    [{ requestsPerSecond: 10, fields: [] }, 'fields'],
  ])('refuses %j, naming %s', (input, parameter) => {
    expect(() => planCapacity(input)).toThrow(CapacityInputError);
    try {
      planCapacity(input);
    } catch (err) {
      expect((err as CapacityInputError).parameter).toBe(parameter);
    }
  });
});

describe('monthly AWS cost', () => {
  it('prices real-time log lines at the recorded rate, with the formula shown', () => {
    const costs = monthlyAwsCosts({ requestsPerSecond: 1_000, samplingRate: 100 });
    const logs = costs.lines.find((l) => l.key === 'realtimeLogs')!;
    // 1,000 lines/s × 730 h × 3600 s = 2.628e9 lines → 2,628 × USD 0.01
    expect(logs.quantity).toBe(2_628_000_000);
    expect(logs.usdPerMonth).toBeCloseTo(26.28, 6);
    expect(logs.formula).toContain('2,628,000,000 lines');
    expect(logs.price.confidence).toBe('unconfirmed');
  });

  it('prices provisioned Kinesis per shard-hour and PUT payload unit', () => {
    const costs = monthlyAwsCosts({ requestsPerSecond: 1_000, recordBytes: 500, headroom: 0 });
    const shardHours = costs.lines.find((l) => l.key === 'kinesisShardHours')!;
    expect(shardHours.quantity).toBe(730);
    expect(shardHours.usdPerMonth).toBeCloseTo(730 * PRICES.kinesisShardHour.usd!, 6);
    const units = costs.lines.find((l) => l.key === 'kinesisPutPayloadUnits')!;
    expect(units.quantity).toBe(2_628_000_000);
    expect(costs.knownUsdPerMonth).toBeCloseTo(costs.lines.reduce((s, l) => s + (l.usdPerMonth ?? 0), 0), 6);
    expect(costs.unknown).toEqual([]);
  });

  it('says "unknown" for on-demand Kinesis, whose list prices are not recorded, and leaves them out of the total', () => {
    const costs = monthlyAwsCosts({ requestsPerSecond: 1_000, recordBytes: 1_500, streamMode: 'on-demand' });
    expect(costs.unknown).toEqual(['kinesisStreamHours', 'kinesisDataInGb', 'kinesisDataOutGb']);
    const dataIn = costs.lines.find((l) => l.key === 'kinesisDataInGb')!;
    expect(dataIn.usdPerMonth).toBeNull();
    expect(dataIn.formula).toContain('price unknown');
    // Each 1,500 B record is billed as 2 KB.
    expect(dataIn.quantity).toBeCloseTo((2_628_000_000 * 2048) / 1024 ** 3, 6);
    expect(costs.knownUsdPerMonth).toBeCloseTo(26.28, 6);
  });

  it('uses the prices it is given, so a price change is one edit in prices.ts', () => {
    const free: PriceList = { ...PRICES, realtimeLogLines: { ...PRICES.realtimeLogLines, usd: null, confidence: null } };
    const costs = monthlyAwsCosts({ requestsPerSecond: 1_000 }, free);
    expect(costs.unknown).toContain('realtimeLogs');
  });
});
