/**
 * The pipeline's health as `/healthz` reports it.
 */

export interface ShardHealth {
  readonly shardId: string;
  readonly millisBehindLatest: number | null;
  readonly lastSequence: string | null;
  readonly recordsRead: number;
  readonly finished: boolean;
}

export interface HealthReport {
  readonly status: 'starting' | 'ok' | 'degraded' | 'stopping';
  readonly uptimeS: number;
  readonly recordsIngested: number;
  readonly deadLetters: number;
  readonly lastInsertAt: string | null;
  readonly insertErrors: number;
  /** Values of enumerated fields that edgewatch does not know yet (field → value → count): kept, not dropped. */
  readonly unknownValues: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly shards: readonly ShardHealth[];
}

export type HealthSource = () => HealthReport;
