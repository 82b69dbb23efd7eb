/**
 * The control plane of `npm start`: the provider chosen by EDGEWATCH_CONTROL_PLANE (`local` keeps
 * distributions and log configs under the data dir and drives the simulator; `aws` calls CloudFront),
 * the service over it with the audit log in ClickHouse, and its routes.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ClickHouseAuditLog } from '../api/control-plane/audit-log.js';
import { AwsControlPlaneProvider } from '../api/control-plane/aws-provider.js';
import { controlPlaneRoutes } from '../api/control-plane/control-plane-routes.js';
import { ControlPlaneService } from '../api/control-plane/control-plane-service.js';
import { LocalControlPlaneProvider } from '../api/control-plane/local-provider.js';
import type { ControlPlaneProvider } from '../api/control-plane/provider.js';
import type { RoutePlugin } from '../api/server.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { seededDistribution } from '../processor/control-plane/default-config.js';
import type { LocalControlPlaneState } from '../processor/control-plane/local-state.js';
import type { DistributionRegistry } from '../processor/registry/distribution-registry.js';
import type { LogConfigRecord, LogConfigRegistry } from '../processor/registry/log-config-registry.js';
import type { ClickHouse } from '../processor/storage/clickhouse.js';
import type { Config } from './config.js';

export interface ControlPlane {
  readonly provider: ControlPlaneProvider;
  readonly service: ControlPlaneService;
  readonly routes: RoutePlugin;
  /** The local provider's state (what the simulator plays); null with the AWS provider. */
  readonly localState: LocalControlPlaneState | null;
}

export interface ControlPlaneDeps {
  readonly clickhouse: ClickHouse;
  /** The local Kinesis, for the local provider's streams. */
  readonly kinesis: KinesisClient | null;
  readonly logConfigs: LogConfigRegistry;
  readonly distributions: DistributionRegistry;
  /** The log config of the stream the pipeline reads: the local account holds it, so it can be changed. */
  readonly streamLogConfig: LogConfigRecord;
}

export function createControlPlane(config: Config, deps: ControlPlaneDeps): ControlPlane {
  let provider: ControlPlaneProvider;
  let localState: LocalControlPlaneState | null = null;
  if (config.controlPlane.provider === 'local') {
    const local = new LocalControlPlaneProvider({
      dataDir: config.dataDir,
      deploymentDelayMs: config.controlPlane.deploymentDelayMs,
      kinesis: deps.kinesis,
      region: config.kinesis.region,
    });
    // A new local account starts with the demo distributions, so the simulator has traffic to play,
    // each logging its default behavior into the stream the pipeline reads, as a real setup would.
    if (!local.state.exists()) {
      const now = Date.now();
      const arn = deps.streamLogConfig.arn;
      local.state.update((state) => ({
        ...state,
        distributions: DEMO_DISTRIBUTIONS.map((d) => {
          const seeded = seededDistribution(d, now);
          return { ...seeded, config: { ...seeded.config, defaultCacheBehavior: { ...seeded.config.defaultCacheBehavior, realtimeLogConfigArn: arn } } };
        }),
      }));
    }
    // The stream's config as the pipeline resolved it (EDGEWATCH_LOG_FIELDS may have changed it since).
    const { name, arn, samplingRate, fields, streamArn, roleArn } = deps.streamLogConfig;
    local.state.update((state) => ({
      ...state,
      realtimeLogConfigs: [...state.realtimeLogConfigs.filter((c) => c.name !== name), { name, arn, samplingRate, fields: [...fields], streamArn, roleArn }],
    }));
    provider = local;
    localState = local.state;
  } else {
    provider = new AwsControlPlaneProvider({ region: config.kinesis.region });
  }
  const service = new ControlPlaneService({ provider, audit: new ClickHouseAuditLog(deps.clickhouse), logConfigs: deps.logConfigs, distributions: deps.distributions });
  return { provider, service, routes: controlPlaneRoutes({ service }), localState };
}

/**
 * With the AWS provider, the log config that feeds the stream is read from CloudFront when the
 * registry does not know it yet (and EDGEWATCH_LOG_FIELDS does not say), so the parser starts in step
 * with it. Returns the registered config, or null when CloudFront has none for the stream.
 */
export async function learnStreamLogConfig(config: Config, logConfigs: LogConfigRegistry, provider: ControlPlaneProvider = new AwsControlPlaneProvider({ region: config.kinesis.region })): Promise<LogConfigRecord | null> {
  const stream = config.kinesis.streamName;
  if (config.logConfig.fields !== undefined || logConfigs.forStream(stream) !== undefined) return null;
  let configs;
  try {
    configs = await provider.listRealtimeLogConfigs();
  } catch (err) {
    throw new Error(
      `cannot read the real-time log configs from CloudFront to find the one of stream ${stream} (${(err as Error).message}); ` +
        'set EDGEWATCH_LOG_FIELDS and EDGEWATCH_LOG_SAMPLING_RATE instead',
      { cause: err },
    );
  }
  const found = configs.find((c) => c.streamArn.split('/').pop() === stream);
  if (found === undefined) return null;
  return logConfigs.put({ name: found.name, arn: found.arn, samplingRate: found.samplingRate, fields: found.fields, streamName: stream, streamArn: found.streamArn, roleArn: found.roleArn });
}
