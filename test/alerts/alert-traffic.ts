/**
 * Traffic for the alert tests: the simulator's realistic CloudFront lines (its own geo-blocked
 * bursts left out, so only the test decides when one happens), and geo-blocked bursts made from them
 * with the fields CloudFront logs for a geo restriction (reference §3.4). Plus a LiveTap + LiveHub +
 * LiveAlertSource on a hand-driven clock, for tests without Kinesis.
 */
import { LiveAlertSource } from '../../api/alerts/live-alert-source.js';
import { LiveHub } from '../../api/live/live-hub.js';
import { LiveTap } from '../../api/live/live-tap.js';
import { DEMO_DISTRIBUTIONS, type DemoDistribution } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator, type TrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../processor/fields/catalogue.js';
import { layoutOf, type Layout } from '../../processor/fields/layout.js';
import { TestClock, rawRecords } from '../api/live-kit.js';

export const LOCAL_LAYOUT = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
export const WEB: DemoDistribution = DEMO_DISTRIBUTIONS[0]!;
export const VIDEO: DemoDistribution = DEMO_DISTRIBUTIONS[1]!;
const DOMAINS = new Map(DEMO_DISTRIBUTIONS.flatMap((d) => [d.domainName, ...d.aliases].map((domain) => [domain, d.id] as const)));
export const resolveDemoDomain = (domain: string | null): string => (domain === null ? '' : (DOMAINS.get(domain) ?? ''));

export type FieldValues = Readonly<Record<string, string>>;

export class TrafficScript {
  readonly layout: Layout;
  readonly #generator: TrafficGenerator;
  readonly #index: Map<string, number>;
  #sequence = 0;

  constructor(options: { readonly seed?: number; readonly layout?: Layout; readonly startMs?: number } = {}) {
    this.layout = options.layout ?? LOCAL_LAYOUT;
    this.#generator = createTrafficGenerator({ seed: options.seed ?? 11, distributions: DEMO_DISTRIBUTIONS, layout: this.layout, startMs: options.startMs ?? Date.now() });
    this.#index = new Map(this.layout.names.map((name, i) => [name, i]));
  }

  /** `count` simulated lines (newline-terminated) logged at about `nowMs`, none of them geo-blocked. */
  normal(nowMs: number, count: number): string[] {
    const lines: string[] = [];
    while (lines.length < count) {
      for (const line of this.#generator.linesAt(nowMs, count - lines.length, 1000)) {
        if (!line.includes('\tClientGeoBlocked\t')) lines.push(line);
      }
    }
    return lines;
  }

  /** `count` lines of `distribution` refused by its geo restriction, from `countries` in turn. */
  geoBlocked(nowMs: number, count: number, countries: readonly string[], distribution: DemoDistribution = WEB): string[] {
    return this.normal(nowMs, count).map((line, i) =>
      this.withFields(line, {
        'x-host-header': distribution.domainName,
        'sc-status': '403',
        'sc-bytes': '915',
        'x-edge-result-type': 'Error',
        'x-edge-response-result-type': 'Error',
        'x-edge-detailed-result-type': 'ClientGeoBlocked',
        'c-country': countries[i % countries.length]!,
        'sc-content-type': 'text/html',
        'origin-fbl': '-',
        'origin-lbl': '-',
      }),
    );
  }

  /** A line with some fields replaced (names as in the log config). */
  withFields(line: string, values: FieldValues): string {
    const fields = line.replace(/\n$/, '').split('\t');
    for (const [name, value] of Object.entries(values)) {
      const i = this.#index.get(name);
      if (i !== undefined) fields[i] = value;
    }
    const id = this.#index.get('x-edge-request-id');
    if (id !== undefined) fields[id] = `alert-test-${++this.#sequence}-${fields[id] ?? ''}`.slice(0, 60);
    return `${fields.join('\t')}\n`;
  }

  /** Lines of one distribution only. */
  of(distribution: DemoDistribution, nowMs: number, count: number, values: FieldValues = {}): string[] {
    return this.normal(nowMs, count).map((line) => this.withFields(line, { 'x-host-header': distribution.domainName, ...values }));
  }
}

/** The live view and the alerts' in-process source on a clock the test moves. */
export interface LiveAlertRig {
  readonly clock: TestClock;
  readonly hub: LiveHub;
  readonly tap: LiveTap;
  readonly source: LiveAlertSource;
  /** Lines arriving now (parsed at once). */
  feed(lines: readonly string[]): void;
}

export function liveAlertRig(options: { readonly startMs?: number; readonly samplingRate?: number; readonly layout?: Layout } = {}): LiveAlertRig {
  const clock = new TestClock(options.startMs ?? Date.UTC(2026, 5, 1, 8, 0, 0));
  const hub = new LiveHub({ now: clock.now });
  const layout = options.layout ?? LOCAL_LAYOUT;
  const tap = new LiveTap({
    hub,
    now: clock.now,
    sourceKind: 'kinesis',
    formatOf: () => ({ layout, samplingRate: options.samplingRate ?? 100 }),
    resolveDistribution: resolveDemoDomain,
    maxRecordsPerSecond: 1_000_000,
    maxQueuedRecords: 1_000_000,
  });
  const source = new LiveAlertSource({ hub, now: clock.now });
  source.start();
  return {
    clock,
    hub,
    tap,
    source,
    feed(lines) {
      if (lines.length === 0) return;
      tap.tap('edgewatch-test', 'shardId-000000000000', rawRecords(lines, clock.nowMs - 50));
      tap.drain();
    },
  };
}
