/**
 * The real-time log config of the configured stream: which field set and sampling rate its records
 * carry. A record holds neither, so edgewatch must know them: from EDGEWATCH_LOG_FIELDS and
 * EDGEWATCH_LOG_SAMPLING_RATE, else from the registry under the data dir, else (locally) the default.
 */
import { DEFAULT_LOCAL_FIELD_NAMES } from '../processor/fields/catalogue.js';
import { layoutFromList } from '../processor/fields/layout.js';
import { FileLogConfigRegistry, type LogConfigRecord, type LogConfigRegistry } from '../processor/registry/log-config-registry.js';
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

/**
 * The stream's log config as it stands: the registered one (or the local default) with the
 * environment's field set and sampling rate applied. Reads only.
 */
export function streamLogConfig(config: Config, registry: LogConfigRegistry = new FileLogConfigRegistry(config.dataDir)): LogConfigRecord {
  const { fields, samplingRate } = config.logConfig;
  const known = registry.forStream(config.kinesis.streamName);
  const base = known ?? (config.kinesis.local ? defaultLocalLogConfig(config) : { ...defaultLocalLogConfig(config), name: config.kinesis.streamName, arn: '' });
  return {
    ...base,
    fields: fields === undefined ? base.fields : layoutFromList(fields).names,
    samplingRate: samplingRate ?? base.samplingRate,
  };
}

/**
 * `streamLogConfig`, stored in the registry so command-line tools see what the server uses. An AWS
 * stream without a registered config needs EDGEWATCH_LOG_FIELDS: guessing its layout would misparse.
 */
export async function ensureStreamLogConfig(config: Config, registry: LogConfigRegistry): Promise<LogConfigRecord> {
  if (!config.kinesis.local && config.logConfig.fields === undefined && !registry.forStream(config.kinesis.streamName)) {
    throw new Error(
      `no real-time log config is known for stream ${config.kinesis.streamName}: set EDGEWATCH_LOG_FIELDS to the config's ` +
        `fields (comma-separated, as in CloudFront) and EDGEWATCH_LOG_SAMPLING_RATE to its sampling rate`,
    );
  }
  const resolved = streamLogConfig(config, registry);
  const known = registry.forStream(config.kinesis.streamName);
  const unchanged = known !== undefined && known.samplingRate === resolved.samplingRate && known.fields.join() === resolved.fields.join();
  return unchanged ? known : registry.put(resolved);
}
