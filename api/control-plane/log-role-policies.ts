/**
 * The IAM role CloudFront assumes to write real-time logs into Kinesis (reference §4.4): a trust
 * policy for cloudfront.amazonaws.com limited to the account (confused-deputy guard), and a
 * permission policy on the stream, plus kms:GenerateDataKey on the key of an encrypted stream.
 */

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Record<string, unknown>[];
}

export function logRoleTrustPolicy(accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

export function logRolePermissionPolicy(streamArn: string, kmsKeyArn: string | null): PolicyDocument {
  const statements: Record<string, unknown>[] = [
    {
      Effect: 'Allow',
      Action: ['kinesis:DescribeStreamSummary', 'kinesis:DescribeStream', 'kinesis:PutRecord', 'kinesis:PutRecords'],
      Resource: [streamArn],
    },
  ];
  if (kmsKeyArn !== null) statements.push({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [kmsKeyArn] });
  return { Version: '2012-10-17', Statement: statements };
}

/** The account of an ARN (`arn:aws:kinesis:us-east-1:123456789012:stream/x` → `123456789012`). */
export function accountOfArn(arn: string): string | null {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : null;
}
