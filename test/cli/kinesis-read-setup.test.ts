import { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';
import { kinesisReadSetup } from '../../cli/kinesis-read-setup.js';
import { FanOutFetchers } from '../../ingest/kinesis/fan-out/fan-out-fetchers.js';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('Kinesis read configuration', () => {
  const client = new KinesisClient({ region: 'us-east-1' });

  it('polls at 2 MiB/s per shard unless told otherwise', () => {
    const setup = kinesisReadSetup(loadConfig({}), client, undefined, logger);
    expect(setup.readBytesPerSecond).toBe(2 * 1024 * 1024);
    expect(setup.fetchers).toBeUndefined();
    setup.close();
  });

  it('reads with enhanced fan-out when a consumer name is set, within the byte budget given', () => {
    const config = loadConfig({ EDGEWATCH_KINESIS_CONSUMER_NAME: 'edgewatch-prod', EDGEWATCH_KINESIS_READ_BYTES_PER_SECOND: '1048576' });
    expect(config.kinesis.consumerName).toBe('edgewatch-prod');
    const setup = kinesisReadSetup(config, client, 'http://127.0.0.1:47199', logger);
    expect(setup.readBytesPerSecond).toBe(1_048_576);
    expect(setup.fetchers).toBeInstanceOf(FanOutFetchers);
    setup.close();
  });

  it('refuses a byte budget over the shard limit and a bad consumer name', () => {
    expect(() => loadConfig({ EDGEWATCH_KINESIS_READ_BYTES_PER_SECOND: '3000000' })).toThrow(ConfigError);
    expect(() => loadConfig({ EDGEWATCH_KINESIS_CONSUMER_NAME: 'has spaces' })).toThrow(/EDGEWATCH_KINESIS_CONSUMER_NAME/);
  });
});
