/**
 * Warnings shown with a distribution or a change: edits outside infrastructure-as-code get
 * overwritten by the next deployment of that code; an S3 origin without origin access control needs
 * a public bucket; a change made while the previous one deploys.
 */
import type { Distribution, DistributionConfig } from '../../processor/control-plane/model.js';

export type WarningCode = 'managed-by-iac' | 'public-s3-origin' | 'deployment-in-progress' | 'aws-decides';

export interface ChangeWarning {
  readonly code: WarningCode;
  readonly message: string;
  readonly field: string | null;
}

const IAC_TAGS: ReadonlyArray<readonly [key: RegExp, value: RegExp | null, tool: string]> = [
  [/^aws:cloudformation:stack-(name|id)$/, null, 'CloudFormation'],
  [/^aws:cdk:/, null, 'the AWS CDK'],
  [/^(managed[-_]?by|managedby|provisioner|iac|tool)$/i, /terraform|pulumi|cloudformation|cdk|opentofu|crossplane/i, ''],
  [/^terraform(:|$)/i, null, 'Terraform'],
  [/^pulumi:/i, null, 'Pulumi'],
];

/** Which tool manages the distribution, judging by its tags; null when none is seen. */
export function iacToolOf(tags: Readonly<Record<string, string>>): string | null {
  for (const [key, value] of Object.entries(tags)) {
    for (const [keyPattern, valuePattern, tool] of IAC_TAGS) {
      if (!keyPattern.test(key)) continue;
      if (valuePattern === null) return tool;
      const match = valuePattern.exec(value);
      if (match) return match[0];
    }
  }
  return null;
}

export function distributionWarnings(distribution: Pick<Distribution, 'tags' | 'status'> | null, config: DistributionConfig): ChangeWarning[] {
  const warnings: ChangeWarning[] = [];
  const tool = distribution === null ? null : iacToolOf(distribution.tags);
  if (tool !== null) {
    warnings.push({
      code: 'managed-by-iac',
      message: `this distribution looks managed by ${tool} (tags): a change made here is overwritten the next time that code is applied; change the code instead`,
      field: null,
    });
  }
  if (distribution?.status === 'InProgress') {
    warnings.push({ code: 'deployment-in-progress', message: 'the previous change is still deploying; edges pick up changes in order', field: null });
  }
  config.origins.forEach((origin, i) => {
    if (origin.kind === 's3' && origin.originAccessControlId === null) {
      warnings.push({
        code: 'public-s3-origin',
        message: `origin ${origin.id} has no origin access control: the bucket must be public for CloudFront to read it; set originAccessControlId so only CloudFront can`,
        field: `config.origins[${i}].originAccessControlId`,
      });
    }
  });
  return warnings;
}
