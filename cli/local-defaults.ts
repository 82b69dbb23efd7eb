/**
 * The embedded defaults: the local Kinesis stream's real-time log config and the demo distributions.
 */
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { LogConfigRegistry, type LogConfigRecord } from '../processor/registry/log-config-registry.js';
import type { Config } from './config.js';

export const LOCAL_LOG_CONFIG_NAME = 'edgewatch-local';
const LOCAL_ACCOUNT = '000000000000';

export function defaultLocalLogConfig(config: Config): LogConfigRecord {
  const { streamName, region } = config.kinesis;
  return {
    name: LOCAL_LOG_CONFIG_NAME,
    arn: `arn:aws:cloudfront::${LOCAL_ACCOUNT}:realtime-log-config/${LOCAL_LOG_CONFIG_NAME}`,
    samplingRate: 100,
    fields: DEFAULT_LOCAL_FIELD_NAMES,
    streamName,
    streamArn: `arn:aws:kinesis:${region}:${LOCAL_ACCOUNT}:stream/${streamName}`,
    roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/edgewatch-local-cloudfront`,
  };
}

/** The log config of the configured stream as stored under the data dir, or the built-in default. */
export function localLogConfig(config: Config): LogConfigRecord {
  const registry = new LogConfigRegistry(config.dataDir);
  return registry.forStream(config.kinesis.streamName) ?? defaultLocalLogConfig(config);
}

/** Makes sure the local log config exists in the registry file; returns it. */
export function ensureLocalLogConfig(config: Config, registry: LogConfigRegistry): LogConfigRecord {
  return registry.forStream(config.kinesis.streamName) ?? registry.put(defaultLocalLogConfig(config));
}
