/**
 * The AWS side of edgewatch in one stack: the Kinesis stream CloudFront writes real-time logs into,
 * the IAM role CloudFront assumes to write them (trust and permission policies of the reference §4.4,
 * plus KMS when the stream is encrypted), the real-time log config (fields and sampling rate, §4.2),
 * the DynamoDB lease table of the ingest workers (ingest/leases/lease-table.ts) and a least-privilege
 * managed policy for edgewatch workers: read the stream, use the lease table, and change CloudFront
 * only when the control plane is enabled.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DEFAULT_LOCAL_FIELD_NAMES } from '../../../processor/fields/catalogue.js';
import { layoutOf } from '../../../processor/fields/layout.js';

export type StreamCapacity = { readonly mode: 'on-demand' } | { readonly mode: 'provisioned'; readonly shardCount: number };

export interface EdgewatchStackProps extends StackProps {
  readonly streamName?: string;
  /** Default on-demand. */
  readonly capacity?: StreamCapacity;
  /** Hours the stream keeps records, 24–8760 (default 24; more costs extra, reference §6.8). */
  readonly retentionHours?: number;
  /** Encrypt the stream with a customer-managed KMS key created here (default false). */
  readonly encrypted?: boolean;
  readonly logConfigName?: string;
  /** Percent of requests logged, 1–100 (default 100). */
  readonly samplingRate?: number;
  /** Real-time log fields, any order (default: edgewatch's local field set). */
  readonly fields?: readonly string[];
  /** The lease table the ingest workers share, their EDGEWATCH_LEASE_TABLE (default edgewatch-leases). */
  readonly leaseTableName?: string;
  /** Let workers manage distributions and real-time log configs (the dashboard's control plane). */
  readonly controlPlane?: boolean;
}

/** Actions CloudFront needs on the stream (reference §4.4, permission policy). */
export const CLOUDFRONT_STREAM_ACTIONS = ['kinesis:DescribeStreamSummary', 'kinesis:DescribeStream', 'kinesis:PutRecord', 'kinesis:PutRecords'] as const;
/** What an ingest worker calls on the stream (ingest/kinesis/): polling consumer, no enhanced fan-out. */
export const WORKER_STREAM_ACTIONS = ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'] as const;
/** What the lease table code calls (ingest/leases/lease-table.ts); the table exists, so no CreateTable. */
export const WORKER_LEASE_ACTIONS = ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'] as const;
/** Control-plane actions on distributions and real-time log configs (reference §4.4, dashboard side). */
export const CONTROL_PLANE_ACTIONS = [
  'cloudfront:CreateRealtimeLogConfig',
  'cloudfront:GetRealtimeLogConfig',
  'cloudfront:UpdateRealtimeLogConfig',
  'cloudfront:DeleteRealtimeLogConfig',
  'cloudfront:ListDistributionsByRealtimeLogConfig',
  'cloudfront:GetDistribution',
  'cloudfront:GetDistributionConfig',
  'cloudfront:UpdateDistribution',
  'cloudfront:CreateDistribution',
] as const;
/** List actions, which IAM authorizes only on resource "*". */
export const CONTROL_PLANE_LIST_ACTIONS = ['cloudfront:ListDistributions', 'cloudfront:ListRealtimeLogConfigs'] as const;

export class EdgewatchStack extends Stack {
  readonly stream: kinesis.Stream;
  readonly streamKey: kms.Key | undefined;
  readonly cloudFrontRole: iam.Role;
  readonly logConfig: cloudfront.CfnRealtimeLogConfig;
  readonly leaseTable: dynamodb.Table;
  readonly workerPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: EdgewatchStackProps = {}) {
    super(scope, id, props);
    const capacity = props.capacity ?? { mode: 'on-demand' };
    const retentionHours = props.retentionHours ?? 24;
    if (!Number.isInteger(retentionHours) || retentionHours < 24 || retentionHours > 8760) throw new Error(`retentionHours must be a whole number from 24 to 8760, not ${retentionHours}`);
    if (capacity.mode === 'provisioned' && (!Number.isInteger(capacity.shardCount) || capacity.shardCount < 1)) throw new Error(`shardCount must be a whole number of at least 1, not ${capacity.shardCount}`);
    const samplingRate = props.samplingRate ?? 100;
    if (!Number.isInteger(samplingRate) || samplingRate < 1 || samplingRate > 100) throw new Error(`samplingRate must be a whole number from 1 to 100, not ${samplingRate}`);
    // Canonical order, unknown names refused: the same check the parser's layout makes.
    const fields = layoutOf(props.fields ?? DEFAULT_LOCAL_FIELD_NAMES).names;

    this.streamKey = props.encrypted === true ? new kms.Key(this, 'StreamKey', { description: 'edgewatch: CloudFront real-time logs stream', enableKeyRotation: true }) : undefined;
    this.stream = new kinesis.Stream(this, 'LogStream', {
      streamName: props.streamName ?? 'edgewatch-cloudfront-logs',
      streamMode: capacity.mode === 'on-demand' ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      ...(capacity.mode === 'provisioned' ? { shardCount: capacity.shardCount } : {}),
      retentionPeriod: Duration.hours(retentionHours),
      ...(this.streamKey ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: this.streamKey } : { encryption: kinesis.StreamEncryption.UNENCRYPTED }),
    });

    // The aws:SourceAccount condition keeps other accounts' distributions from using the role
    // (confused deputy, reference §4.4).
    this.cloudFrontRole = new iam.Role(this, 'CloudFrontLogRole', {
      description: 'Assumed by CloudFront to write real-time logs into the edgewatch stream',
      assumedBy: new iam.ServicePrincipal('cloudfront.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': this.account } }),
    });
    const writeStatements = [new iam.PolicyStatement({ sid: 'WriteRealtimeLogs', actions: [...CLOUDFRONT_STREAM_ACTIONS], resources: [this.stream.streamArn] })];
    if (this.streamKey) writeStatements.push(new iam.PolicyStatement({ sid: 'EncryptRealtimeLogs', actions: ['kms:GenerateDataKey'], resources: [this.streamKey.keyArn] }));
    const cloudFrontPolicy = new iam.Policy(this, 'CloudFrontLogPolicy', { statements: writeStatements });
    this.cloudFrontRole.attachInlinePolicy(cloudFrontPolicy);

    this.logConfig = new cloudfront.CfnRealtimeLogConfig(this, 'RealtimeLogConfig', {
      name: props.logConfigName ?? 'edgewatch',
      samplingRate,
      fields: [...fields],
      endPoints: [{ streamType: 'Kinesis', kinesisStreamConfig: { roleArn: this.cloudFrontRole.roleArn, streamArn: this.stream.streamArn } }],
    });
    // CloudFront checks the role when the config is created: the policy must be in place first.
    this.logConfig.node.addDependency(cloudFrontPolicy);

    // Same key schema as ingest/leases/lease-table.ts creates: one item per shard, hash key leaseKey.
    this.leaseTable = new dynamodb.Table(this, 'LeaseTable', {
      tableName: props.leaseTableName ?? 'edgewatch-leases',
      partitionKey: { name: 'leaseKey', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Checkpoints live here: keep them when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const workerStatements = [
      new iam.PolicyStatement({ sid: 'ReadStream', actions: [...WORKER_STREAM_ACTIONS], resources: [this.stream.streamArn] }),
      new iam.PolicyStatement({ sid: 'UseLeaseTable', actions: [...WORKER_LEASE_ACTIONS], resources: [this.leaseTable.tableArn] }),
    ];
    if (this.streamKey) workerStatements.push(new iam.PolicyStatement({ sid: 'DecryptStream', actions: ['kms:Decrypt'], resources: [this.streamKey.keyArn] }));
    if (props.controlPlane === true) {
      workerStatements.push(
        new iam.PolicyStatement({
          sid: 'ManageCloudFront',
          actions: [...CONTROL_PLANE_ACTIONS],
          resources: [
            Stack.of(this).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: '*' }),
            Stack.of(this).formatArn({ service: 'cloudfront', region: '', resource: 'realtime-log-config', resourceName: '*' }),
          ],
        }),
        new iam.PolicyStatement({ sid: 'ListCloudFront', actions: [...CONTROL_PLANE_LIST_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'PassLogRoleToCloudFront',
          actions: ['iam:PassRole'],
          resources: [this.cloudFrontRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudfront.amazonaws.com' } },
        }),
      );
    }
    this.workerPolicy = new iam.ManagedPolicy(this, 'WorkerPolicy', {
      description: 'edgewatch workers: read the log stream, use the lease table' + (props.controlPlane === true ? ', manage CloudFront real-time log configs' : ''),
      statements: workerStatements,
    });

    new CfnOutput(this, 'StreamName', { value: this.stream.streamName, description: 'EDGEWATCH_KINESIS_STREAM' });
    new CfnOutput(this, 'StreamArn', { value: this.stream.streamArn });
    new CfnOutput(this, 'CloudFrontRoleArn', { value: this.cloudFrontRole.roleArn });
    new CfnOutput(this, 'RealtimeLogConfigArn', { value: this.logConfig.attrArn, description: 'attach to cache behaviors (RealtimeLogConfigArn)' });
    new CfnOutput(this, 'LeaseTableName', { value: this.leaseTable.tableName, description: 'EDGEWATCH_LEASE_TABLE of the ingest workers' });
    new CfnOutput(this, 'WorkerPolicyArn', { value: this.workerPolicy.managedPolicyArn, description: 'attach to the role edgewatch pods or hosts run as' });
  }
}
