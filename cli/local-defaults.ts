/**
 * The embedded defaults: the local Kinesis stream's real-time log config and the demo distributions.
 */
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { layoutFromList } from '../processor/fields/layout.js';
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

/**
 * The log config of the configured stream, registered under the data dir when missing: the local
 * default, or for an AWS stream the field set and sampling rate given by EDGEWATCH_LOG_FIELDS and
 * EDGEWATCH_LOG_SAMPLING_RATE (a record carries neither, so edgewatch must be told).
 */
export function ensureStreamLogConfig(config: Config, registry: LogConfigRegistry): LogConfigRecord {
  const { fields, samplingRate } = config.logConfig;
  const known = registry.forStream(config.kinesis.streamName);
  if (fields === undefined && samplingRate === undefined && known) return known;
  const base = known ?? defaultLocalLogConfig(config);
  if (!config.kinesis.local && !known && fields === undefined) {
    throw new Error(
      `no real-time log config is known for stream ${config.kinesis.streamName}: set EDGEWATCH_LOG_FIELDS to the config's ` +
        `fields (comma-separated, as in CloudFront) and EDGEWATCH_LOG_SAMPLING_RATE to its sampling rate`,
    );
  }
  return registry.put({
    ...base,
    ...(known || config.kinesis.local ? {} : { name: config.kinesis.streamName, arn: '' }),
    fields: fields === undefined ? base.fields : layoutFromList(fields).names,
    samplingRate: samplingRate ?? base.samplingRate,
  });
}
