/**
 * The one place that picks where the registries live: tables in the ClickHouse server when the
 * storage is a server (EDGEWATCH_CLICKHOUSE_URL), so every role and replica shares them; files
 * under the data dir otherwise (embedded mode, command-line tools beside a running server).
 */
import type { ClickHouse } from '../storage/clickhouse.js';
import { ClickHouseDistributionRegistry } from './clickhouse-distribution-registry.js';
import { ClickHouseLogConfigRegistry } from './clickhouse-log-config-registry.js';
import { FileDistributionRegistry, type DistributionRegistry } from './distribution-registry.js';
import { FileLogConfigRegistry, type LogConfigRegistry } from './log-config-registry.js';

export interface Registries {
  readonly logConfigs: LogConfigRegistry;
  readonly distributions: DistributionRegistry;
}

/** `clickhouse`: the migrated storage of the role, or null when the role has none (files then). */
export async function openRegistries(dataDir: string, clickhouse: ClickHouse | null): Promise<Registries> {
  if (clickhouse === null || clickhouse.mode === 'embedded') {
    return { logConfigs: new FileLogConfigRegistry(dataDir), distributions: new FileDistributionRegistry(dataDir) };
  }
  const [logConfigs, distributions] = await Promise.all([ClickHouseLogConfigRegistry.open(clickhouse), ClickHouseDistributionRegistry.open(clickhouse)]);
  return { logConfigs, distributions };
}

/** Refreshes both registries every `intervalMs` until the returned function is called; a failed refresh keeps the snapshot. */
export function refreshRegistriesEvery(registries: Registries, intervalMs: number, onError: (err: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void Promise.all([registries.distributions.refresh(), registries.logConfigs.refresh()])
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
