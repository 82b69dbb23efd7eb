/**
 * Simulated traffic that follows the local control plane: the enabled distributions of its state get
 * traffic, their geo restrictions refuse viewers (ClientGeoBlocked 403s) from the next line on, and
 * the stream's log config decides the fields written and the share of requests logged (sampling).
 * The state and the log-config registry are files under the data dir, re-read when they change.
 */
import { geoBlocks, simulatedDistributions, type LocalControlPlaneState, type SimulatedDistribution } from '../../processor/control-plane/local-state.js';
import type { DistributionConfig } from '../../processor/control-plane/model.js';
import { layoutOf } from '../../processor/fields/layout.js';
import type { DemoDistribution, TrafficProfile } from './demo-distributions.js';
import { Rng, mixSeed } from './random.js';
import { createTrafficGenerator, type TrafficGenerator } from './traffic-model.js';

export interface StreamLogFormat {
  /** Field names in canonical order. */
  readonly fields: readonly string[];
  /** 1–100: percentage of requests logged. */
  readonly samplingRate: number;
}

export interface ControlledTrafficOptions {
  readonly seed: number;
  readonly state: LocalControlPlaneState;
  /** The stream's log config now (read on every call). */
  readonly logFormat: () => StreamLogFormat;
  readonly startMs: number;
}

const PROFILES: readonly TrafficProfile[] = ['web', 'video', 'api', 'downloads'];

/** The traffic profile of a distribution: its simulator tag, else video for MediaPackage or Smooth Streaming, else web. */
export function profileOf(d: SimulatedDistribution): TrafficProfile {
  if (d.profile !== null && (PROFILES as readonly string[]).includes(d.profile)) return d.profile as TrafficProfile;
  const behaviors = [d.config.defaultCacheBehavior, ...d.config.cacheBehaviors];
  if (d.config.origins.some((o) => o.kind === 'mediapackage') || behaviors.some((b) => b.smoothStreaming)) return 'video';
  return 'web';
}

export class ControlledTrafficGenerator implements Pick<TrafficGenerator, 'linesAt' | 'loadFactor'> {
  readonly #options: ControlledTrafficOptions;
  readonly #sampling: Rng;
  #inner: TrafficGenerator | null = null;
  #key = '';
  #configs = new Map<string, DistributionConfig>();
  #samplingRate = 100;
  #generation = 0;

  constructor(options: ControlledTrafficOptions) {
    this.#options = options;
    this.#sampling = new Rng(mixSeed(options.seed, 0x5a3b1e));
  }

  linesAt(nowMs: number, count: number, spanMs = 0): string[] {
    this.#sync(nowMs);
    if (this.#inner === null) return [];
    const lines = this.#inner.linesAt(nowMs, count, spanMs);
    if (this.#samplingRate >= 100) return lines;
    const rate = this.#samplingRate / 100;
    return lines.filter(() => this.#sampling.next() < rate);
  }

  loadFactor(nowMs: number): number {
    this.#sync(nowMs);
    return this.#inner?.loadFactor(nowMs) ?? 1;
  }

  /** Picks up changes of the state and the log config; rebuilds the generator when what it plays changes. */
  #sync(nowMs: number): void {
    const { state, logFormat } = this.#options;
    state.refresh();
    const serving = simulatedDistributions(state.state).filter((d) => d.enabled);
    this.#configs = new Map(serving.map((d) => [d.id, d.config]));
    const format = logFormat();
    this.#samplingRate = format.samplingRate;
    const distributions: DemoDistribution[] = serving.map((d) => ({ id: d.id, domainName: d.domainName, aliases: d.aliases, profile: profileOf(d), comment: d.config.comment }));
    const key = JSON.stringify([distributions.map((d) => [d.id, d.domainName, d.aliases, d.profile]), format.fields]);
    if (key === this.#key) return;
    this.#key = key;
    this.#generation++;
    // A new start time: request IDs derive from it, so a rebuilt generator never repeats an ID.
    this.#inner =
      distributions.length === 0
        ? null
        : createTrafficGenerator({
            seed: mixSeed(this.#options.seed, this.#generation),
            distributions,
            layout: layoutOf(format.fields),
            startMs: Math.max(nowMs, this.#options.startMs),
            blocksViewer: (id, country) => {
              const config = this.#configs.get(id);
              return config !== undefined && geoBlocks(config, country);
            },
          });
  }
}
