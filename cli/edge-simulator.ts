/**
 * The simulated CloudFront edge of local runs: demo distributions' traffic written into the stream in
 * the layout of its real-time log config. Null when the simulator is off.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisRecordWriter } from '../ingest/kinesis/kinesis-writer.js';
import { DEMO_DISTRIBUTIONS } from '../ingest/simulator/demo-distributions.js';
import { EdgeSimulator } from '../ingest/simulator/edge-simulator.js';
import { createTrafficGenerator } from '../ingest/simulator/traffic-model.js';
import { layoutOfConfig, type LogConfigRecord } from '../processor/registry/log-config-registry.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export function createEdgeSimulator(config: Config, kinesis: KinesisClient, logConfig: LogConfigRecord, startedMs: number, logger: Logger): EdgeSimulator | null {
  if (!config.simulator.enabled) return null;
  return new EdgeSimulator({
    sink: new KinesisRecordWriter({ client: kinesis, streamName: config.kinesis.streamName }),
    generator: createTrafficGenerator({ seed: startedMs, distributions: DEMO_DISTRIBUTIONS, layout: layoutOfConfig(logConfig), startMs: startedMs }),
    ratePerSecond: config.simulator.ratePerSecond,
    logger,
  });
}
