/**
 * The local control plane's state: distributions, real-time log configs and invalidations as a
 * CloudFront account would hold them, in one JSON file under the data dir
 * (`<dataDir>/control-plane/local-cloudfront.json`), written atomically. The API's local provider
 * writes it; the edge simulator reads it (re-read when the file's mtime changes), so a change made
 * through the API shows in the simulated traffic within a tick.
 */
import path from 'node:path';
import { mtimeMs, readJsonFile, writeJsonFileAtomic } from '../registry/json-file.js';
import type { Distribution, DistributionConfig, Invalidation, RealtimeLogConfig } from './model.js';

/** The local account's ID in every ARN. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** Tag that tells the edge simulator what traffic a distribution gets (web, video, api, downloads). */
export const SIMULATOR_PROFILE_TAG = 'edgewatch:simulator-profile';

/** A distribution as stored: status is derived from when its last change finishes deploying. */
export interface StoredDistribution extends Omit<Distribution, 'status'> {
  readonly deployedAtMs: number;
}

export interface LocalStateShape {
  readonly distributions: readonly StoredDistribution[];
  readonly realtimeLogConfigs: readonly RealtimeLogConfig[];
  readonly invalidations: readonly (Invalidation & { readonly completedAtMs: number })[];
  /** IAM roles created for log configs, with their policy documents (JSON text). */
  readonly roles: readonly LocalRole[];
}

export interface LocalRole {
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: string;
  readonly permissionPolicy: string;
}

const EMPTY: LocalStateShape = { distributions: [], realtimeLogConfigs: [], invalidations: [], roles: [] };

export function withStatus(stored: StoredDistribution, nowMs: number): Distribution {
  const { deployedAtMs, ...rest } = stored;
  return { ...rest, status: nowMs < deployedAtMs ? 'InProgress' : 'Deployed' };
}

export class LocalControlPlaneState {
  readonly file: string;
  #state: LocalStateShape = EMPTY;
  #loadedMtime = -1;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'control-plane', 'local-cloudfront.json');
    this.refresh();
  }

  /** Re-reads the file when it changed (another process, or another instance in this one). */
  refresh(): boolean {
    const mtime = mtimeMs(this.file);
    if (mtime === this.#loadedMtime) return false;
    const loaded = readJsonFile<Partial<LocalStateShape>>(this.file);
    this.#state = {
      distributions: loaded?.distributions ?? [],
      realtimeLogConfigs: loaded?.realtimeLogConfigs ?? [],
      invalidations: loaded?.invalidations ?? [],
      roles: loaded?.roles ?? [],
    };
    this.#loadedMtime = mtime;
    return true;
  }

  /** True once the file exists (the demo distributions are seeded only into a new state). */
  exists(): boolean {
    return mtimeMs(this.file) !== 0;
  }

  get state(): LocalStateShape {
    return this.#state;
  }

  /** Applies a change to the state as read from the file now, and writes it. */
  update(change: (state: LocalStateShape) => LocalStateShape): LocalStateShape {
    this.refresh();
    const next = change(this.#state);
    writeJsonFileAtomic(this.file, next);
    this.#state = next;
    this.#loadedMtime = mtimeMs(this.file);
    return next;
  }
}

/** What the simulator needs of a distribution: its domains, whether it serves, whom it refuses. */
export interface SimulatedDistribution {
  readonly id: string;
  readonly domainName: string;
  readonly aliases: readonly string[];
  readonly enabled: boolean;
  readonly profile: string | null;
  readonly config: DistributionConfig;
}

export function simulatedDistributions(state: LocalStateShape): SimulatedDistribution[] {
  return state.distributions.map((d) => ({
    id: d.id,
    domainName: d.domainName,
    aliases: d.config.aliases,
    enabled: d.config.enabled,
    profile: d.tags[SIMULATOR_PROFILE_TAG] ?? null,
    config: d.config,
  }));
}

/** True when the distribution's geo restriction refuses viewers from `country` (unknown countries pass, as in CloudFront). */
export function geoBlocks(config: DistributionConfig, country: string): boolean {
  const { type, countries } = config.geoRestriction;
  if (type === 'none' || country === '' || country === '-') return false;
  return type === 'block' ? countries.includes(country) : !countries.includes(country);
}
