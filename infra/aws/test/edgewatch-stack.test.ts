/**
 * The AWS stack, checked on its synthesized CloudFormation template: each resource, its properties and
 * every statement of every policy, for the default stack and the encrypted, provisioned stack with the
 * control plane enabled. Runs offline.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../../processor/fields/catalogue.js';
import { EdgewatchStack, type EdgewatchStackProps } from '../lib/edgewatch-stack.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-2';
const AWS_ROOT = path.resolve(import.meta.dirname, '..');

function synth(props: EdgewatchStackProps = {}): Template {
  const app = new App();
  const stack = new EdgewatchStack(app, 'Edgewatch', { env: { account: ACCOUNT, region: REGION }, ...props });
  return Template.fromStack(stack);
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function statementsOf(template: Template, type: 'AWS::IAM::Policy' | 'AWS::IAM::ManagedPolicy'): Statement[] {
  const resources = Object.values(template.findResources(type)) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
  expect(resources).toHaveLength(1);
  return resources[0]!.Properties.PolicyDocument.Statement;
}

function logicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('EdgewatchStack, defaults (on-demand, unencrypted, no control plane)', () => {
  const template = synth();
  const streamId = logicalId(template, 'AWS::Kinesis::Stream');
  const roleId = logicalId(template, 'AWS::IAM::Role');
  const tableId = logicalId(template, 'AWS::DynamoDB::Table');

  it('has exactly the resources of the design', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.resourceCountIs('AWS::CloudFront::RealtimeLogConfig', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('creates an on-demand stream with 24 h retention and no encryption', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'edgewatch-cloudfront-logs',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
      ShardCount: Match.absent(),
      StreamEncryption: Match.absent(),
    });
  });

  it('lets only CloudFront of this account assume the log role (confused-deputy guard)', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
      },
    });
  });

  it("gives the log role the reference's permission policy on the stream, and nothing else", () => {
    const statements = statementsOf(template, 'AWS::IAM::Policy');
    expect(statements).toEqual([
      {
        Sid: 'WriteRealtimeLogs',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamSummary', 'kinesis:DescribeStream', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: arnOf(streamId),
      },
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: roleId }] });
  });

  it('creates the real-time log config: default fields in canonical order, sampling 100, the stream and role', () => {
    template.hasResourceProperties('AWS::CloudFront::RealtimeLogConfig', {
      Name: 'edgewatch',
      SamplingRate: 100,
      Fields: [...DEFAULT_LOCAL_FIELD_NAMES],
      EndPoints: [{ StreamType: 'Kinesis', KinesisStreamConfig: { RoleArn: arnOf(roleId), StreamArn: arnOf(streamId) } }],
    });
    // Created only after the role may write to the stream.
    const config = Object.values(template.findResources('AWS::CloudFront::RealtimeLogConfig'))[0] as { DependsOn?: string[] };
    expect(config.DependsOn).toEqual([logicalId(template, 'AWS::IAM::Policy')]);
  });

  it('creates the lease table with the key schema the ingest workers use, on demand, kept on delete', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'edgewatch-leases',
        KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('gives workers read access to the stream and use of the lease table only', () => {
    expect(statementsOf(template, 'AWS::IAM::ManagedPolicy')).toEqual([
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'],
        Resource: arnOf(streamId),
      },
      {
        Sid: 'UseLeaseTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'],
        Resource: arnOf(tableId),
      },
    ]);
  });

  it('outputs what the workers and the dashboard need', () => {
    for (const name of ['StreamName', 'StreamArn', 'CloudFrontRoleArn', 'RealtimeLogConfigArn', 'LeaseTableName', 'WorkerPolicyArn']) template.hasOutput(name, {});
  });
});

describe('EdgewatchStack, provisioned, KMS-encrypted, control plane enabled', () => {
  const template = synth({
    capacity: { mode: 'provisioned', shardCount: 4 },
    retentionHours: 48,
    encrypted: true,
    samplingRate: 10,
    fields: ['x-edge-request-id', 'timestamp', 'sc-status', 'c-ip'],
    logConfigName: 'edge-rt-logs',
    streamName: 'cf-rtl',
    leaseTableName: 'cf-rtl-leases',
    controlPlane: true,
  });
  const streamId = logicalId(template, 'AWS::Kinesis::Stream');
  const roleId = logicalId(template, 'AWS::IAM::Role');
  const tableId = logicalId(template, 'AWS::DynamoDB::Table');
  const keyId = logicalId(template, 'AWS::KMS::Key');

  it('creates a provisioned stream with the shard count, the retention and the KMS key', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'cf-rtl',
      ShardCount: 4,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 48,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: arnOf(keyId) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets CloudFront generate data keys on the stream key', () => {
    expect(statementsOf(template, 'AWS::IAM::Policy')).toEqual([
      {
        Sid: 'WriteRealtimeLogs',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamSummary', 'kinesis:DescribeStream', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: arnOf(streamId),
      },
      { Sid: 'EncryptRealtimeLogs', Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: arnOf(keyId) },
    ]);
  });

  it('writes the fields in canonical delivery order and the sampling rate', () => {
    template.hasResourceProperties('AWS::CloudFront::RealtimeLogConfig', {
      Name: 'edge-rt-logs',
      SamplingRate: 10,
      Fields: ['timestamp', 'c-ip', 'sc-status', 'x-edge-request-id'],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'cf-rtl-leases' });
  });

  it('adds decrypt and the control plane (CloudFront actions, PassRole of the log role to CloudFront) to the worker policy', () => {
    const partition = { Ref: 'AWS::Partition' };
    expect(statementsOf(template, 'AWS::IAM::ManagedPolicy')).toEqual([
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'],
        Resource: arnOf(streamId),
      },
      {
        Sid: 'UseLeaseTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'],
        Resource: arnOf(tableId),
      },
      { Sid: 'DecryptStream', Effect: 'Allow', Action: 'kms:Decrypt', Resource: arnOf(keyId) },
      {
        Sid: 'ManageCloudFront',
        Effect: 'Allow',
        Action: [
          'cloudfront:CreateRealtimeLogConfig',
          'cloudfront:GetRealtimeLogConfig',
          'cloudfront:UpdateRealtimeLogConfig',
          'cloudfront:DeleteRealtimeLogConfig',
          'cloudfront:ListDistributionsByRealtimeLogConfig',
          'cloudfront:GetDistribution',
          'cloudfront:GetDistributionConfig',
          'cloudfront:UpdateDistribution',
          'cloudfront:CreateDistribution',
        ],
        Resource: [
          { 'Fn::Join': ['', ['arn:', partition, `:cloudfront::${ACCOUNT}:distribution/*`]] },
          { 'Fn::Join': ['', ['arn:', partition, `:cloudfront::${ACCOUNT}:realtime-log-config/*`]] },
        ],
      },
      { Sid: 'ListCloudFront', Effect: 'Allow', Action: ['cloudfront:ListDistributions', 'cloudfront:ListRealtimeLogConfigs'], Resource: '*' },
      {
        Sid: 'PassLogRoleToCloudFront',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: arnOf(roleId),
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudfront.amazonaws.com' } },
      },
    ]);
  });
});

describe('EdgewatchStack input checks', () => {
  it.each([
    [{ fields: ['timestamp', 'no-such-field'] }, /unknown real-time log field: no-such-field/],
    [{ samplingRate: 0 }, /samplingRate/],
    [{ retentionHours: 12 }, /retentionHours/],
    [{ capacity: { mode: 'provisioned' as const, shardCount: 0 } }, /shardCount/],
  ])('refuses %j', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('infra/aws sources', () => {
  // The root typecheck leaves this package out (its dependencies are not in the main install).
  it('typecheck with the project settings', () => {
    const tsc = path.resolve(AWS_ROOT, '../../node_modules/typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(AWS_ROOT, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8', timeout: 240_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

describe('npm run synth', () => {
  it('synthesizes the app offline into cdk.out, with context from the command line', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-cdk-'));
    try {
      const result = spawnSync('npm', ['run', 'synth', '--silent', '--', '-c', 'streamMode=provisioned', '-c', 'shardCount=3', '-c', 'controlPlane=true'], {
        cwd: AWS_ROOT,
        env: { ...process.env, CDK_OUTDIR: outdir, AWS_REGION: '', AWS_PROFILE: '' },
        encoding: 'utf8',
        timeout: 240_000,
      });
      expect(result.status, result.stderr).toBe(0);
      const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Edgewatch.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
      const stream = Object.values(template.Resources).find((r) => r.Type === 'AWS::Kinesis::Stream');
      expect(stream?.Properties).toMatchObject({ ShardCount: 3, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
      const policy = Object.values(template.Resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy');
      expect(JSON.stringify(policy)).toContain('iam:PassRole');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
