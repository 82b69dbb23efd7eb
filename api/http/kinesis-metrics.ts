/**
 * Per-shard Kinesis read figures for /metrics, read from the health report at each scrape: lag,
 * records and bytes (totals and rates), throttles, errors by kind, and who reads the shard (lease
 * owner, polling or fan-out) as an info-style gauge. Only Kinesis shards with a reader are reported.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { HealthReport, ShardHealth } from '../health.js';

interface KinesisShard extends ShardHealth {
  readonly stream: string;
}

function kinesisShards(report: HealthReport): KinesisShard[] {
  return report.shards.filter((shard): shard is KinesisShard => shard.stream !== undefined);
}

const LABELS = ['stream', 'shard'] as const;

export function registerKinesisShardMetrics(registry: Registry, report: () => HealthReport): void {
  const registers = [registry];
  const perShard = (
    name: string,
    help: string,
    kind: 'counter' | 'gauge',
    value: (shard: KinesisShard) => number | null | undefined,
  ): void => {
    const collect = function (this: Counter | Gauge): void {
      this.reset();
      for (const shard of kinesisShards(report())) {
        const v = value(shard);
        if (v === null || v === undefined) continue;
        const labels = { stream: shard.stream, shard: shard.shardId };
        if (this instanceof Counter) this.inc(labels, v);
        else this.set(labels, v);
      }
    };
    if (kind === 'counter') new Counter({ name, help, labelNames: LABELS, registers, collect });
    else new Gauge({ name, help, labelNames: LABELS, registers, collect });
  };

  perShard('edgewatch_kinesis_millis_behind_latest', 'MillisBehindLatest of the last read of each Kinesis shard.', 'gauge', (s) => s.millisBehindLatest);
  perShard('edgewatch_kinesis_records_total', 'Records read from each Kinesis shard since start.', 'counter', (s) => s.recordsRead);
  perShard('edgewatch_kinesis_bytes_total', 'Record data bytes read from each Kinesis shard since start.', 'counter', (s) => s.bytesRead);
  perShard('edgewatch_kinesis_records_per_second', 'Records read per second from each Kinesis shard, over the last 10 seconds.', 'gauge', (s) => s.recordsPerSecond);
  perShard('edgewatch_kinesis_bytes_per_second', 'Bytes read per second from each Kinesis shard, over the last 10 seconds.', 'gauge', (s) => s.bytesPerSecond);
  perShard('edgewatch_kinesis_throttles_total', 'Reads of each Kinesis shard refused for being over its limits.', 'counter', (s) => s.throttles);

  new Counter({
    name: 'edgewatch_kinesis_errors_total',
    help: 'Read errors on each Kinesis shard, by kind (throttled, expired-iterator, stream-not-found, transient, fatal).',
    labelNames: [...LABELS, 'kind'],
    registers,
    collect() {
      this.reset();
      for (const shard of kinesisShards(report())) {
        for (const [kind, count] of Object.entries(shard.errors ?? {})) this.inc({ stream: shard.stream, shard: shard.shardId, kind }, count);
      }
    },
  });
  new Gauge({
    name: 'edgewatch_kinesis_shard_info',
    help: 'Who reads each Kinesis shard: the lease owner (empty without leases) and the read mode (polling or fan-out). Always 1.',
    labelNames: [...LABELS, 'owner', 'mode'],
    registers,
    collect() {
      this.reset();
      for (const shard of kinesisShards(report())) {
        this.set({ stream: shard.stream, shard: shard.shardId, owner: shard.leaseOwner ?? '', mode: shard.readMode ?? 'polling' }, 1);
      }
    },
  });
}
