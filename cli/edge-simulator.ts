/**
 * The simulated CloudFront edge of local runs: demo distributions' traffic written into the stream in
 * the layout of its real-time log config. Null when the simulator is off.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisRecordWriter } from '../ingest/kinesis/kinesis-writer.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { ControlledTrafficGenerator } from '../ingest/simulator/controlled-traffic.js';
import { EdgeSimulator } from '../ingest/simulator/edge-simulator.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import type { LocalControlPlaneState } from '../processor/control-plane/local-state.js';
import { layoutOfConfig, type LogConfigRecord, type LogConfigRegistry } from '../processor/registry/log-config-registry.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** With the local control plane, the simulator plays its distributions and follows the stream's log config. */
export interface SimulatorControl {
  readonly state: LocalControlPlaneState;
  readonly logConfigs: LogConfigRegistry;
}

export function createEdgeSimulator(
  config: Config,
  kinesis: KinesisClient,
  logConfig: LogConfigRecord,
  startedMs: number,
  logger: Logger,
  control: SimulatorControl | null = null,
): EdgeSimulator | null {
  if (!config.simulator.enabled) return null;
  const generator =
    control === null
      ? createTrafficGenerator({ seed: startedMs, distributions: DEMO_DISTRIBUTIONS, layout: layoutOfConfig(logConfig), startMs: startedMs })
      : new ControlledTrafficGenerator({
          seed: startedMs,
          state: control.state,
          startMs: startedMs,
          // The registry's snapshot, refreshed by the pipeline and at once by the control plane's own changes.
          logFormat: () => control.logConfigs.forStream(config.kinesis.streamName) ?? logConfig,
        });
  return new EdgeSimulator({
    sink: new KinesisRecordWriter({ client: kinesis, streamName: config.kinesis.streamName }),
    generator,
    ratePerSecond: config.simulator.ratePerSecond,
    logger,
  });
}
