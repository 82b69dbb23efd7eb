import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudFrontClient, ListRealtimeLogConfigsCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsControlPlaneProvider } from '../../api/control-plane/aws-provider.js';
import { loadConfig } from '../../cli/config.js';
import { learnStreamLogConfig } from '../../cli/control-plane.js';
import { FileLogConfigRegistry } from '../../processor/registry/log-config-registry.js';

const cf = mockClient(CloudFrontClient);
const dirs: string[] = [];
afterEach(() => {
  cf.reset();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function setup(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-learn-'));
  dirs.push(dir);
  const config = loadConfig({ EDGEWATCH_DATA_DIR: dir, EDGEWATCH_KINESIS_STREAM: 'cf-rtl', ...env });
  const provider = new AwsControlPlaneProvider({ region: 'us-east-1', cloudfront: new CloudFrontClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }) });
  return { config, registry: new FileLogConfigRegistry(dir), provider };
}

const remote = {
  ARN: 'arn:aws:cloudfront::111122223333:realtime-log-config/edge',
  Name: 'edge',
  SamplingRate: 5,
  Fields: ['timestamp', 'c-ip', 'sc-status', 'x-host-header'],
  EndPoints: [{ StreamType: 'Kinesis', KinesisStreamConfig: { RoleARN: 'arn:aws:iam::111122223333:role/r', StreamARN: 'arn:aws:kinesis:us-east-1:111122223333:stream/cf-rtl' } }],
};

describe('learning the stream’s log config from CloudFront at start', () => {
  it('registers the config that writes into the stream', async () => {
    const { config, registry, provider } = setup();
    expect(config.controlPlane.provider).toBe('aws');
    cf.on(ListRealtimeLogConfigsCommand).resolves({ RealtimeLogConfigs: { MaxItems: 100, IsTruncated: false, Marker: '', Items: [remote] } });
    await learnStreamLogConfig(config, registry, provider);
    expect(registry.forStream('cf-rtl')).toMatchObject({ name: 'edge', samplingRate: 5, fields: remote.Fields });
  });

  it('leaves the registry alone when EDGEWATCH_LOG_FIELDS says, and explains a failure', async () => {
    const withFields = setup({ EDGEWATCH_LOG_FIELDS: 'timestamp,sc-status' });
    expect(await learnStreamLogConfig(withFields.config, withFields.registry, withFields.provider)).toBeNull();
    expect(cf.commandCalls(ListRealtimeLogConfigsCommand)).toHaveLength(0);
    const failing = setup();
    cf.on(ListRealtimeLogConfigsCommand).rejects(new Error('no credentials'));
    await expect(learnStreamLogConfig(failing.config, failing.registry, failing.provider)).rejects.toThrow(/EDGEWATCH_LOG_FIELDS/);
  });
});
