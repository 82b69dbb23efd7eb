/**
 * The CDK app: `npm run synth` (offline, writes cdk.out/) or any CDK CLI (`cdk synth`, `cdk deploy`)
 * through cdk.json. Settings come from CDK context, `-c key=value` on either command line:
 *
 *   streamName, streamMode (on-demand | provisioned), shardCount, retentionHours, encrypted (true|false),
 *   logConfigName, samplingRate, fields (comma-separated), leaseTableName, controlPlane (true|false),
 *   stackName (default Edgewatch)
 */
import { App } from 'aws-cdk-lib';
import { EdgewatchStack, type StreamCapacity } from '../lib/edgewatch-stack.js';

/** `-c key=value` / `--context key=value` pairs given to `npm run synth`. */
function contextFromArgs(argv: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '-c' || argv[i] === '--context') && argv[i + 1] !== undefined) {
      const [key, ...value] = argv[i + 1]!.split('=');
      if (key) context[key] = value.join('=');
      i++;
    }
  }
  return context;
}

// The CDK CLI names the output folder in CDK_OUTDIR; `npm run synth` writes cdk.out/ as the CLI would.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out', context: contextFromArgs(process.argv.slice(2)) });
const text = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
};
const number = (key: string): number | undefined => (text(key) === undefined ? undefined : Number(text(key)));
const flag = (key: string): boolean => text(key) === 'true';

const capacity: StreamCapacity = text('streamMode') === 'provisioned' ? { mode: 'provisioned', shardCount: number('shardCount') ?? 1 } : { mode: 'on-demand' };
new EdgewatchStack(app, text('stackName') ?? 'Edgewatch', {
  streamName: text('streamName'),
  capacity,
  retentionHours: number('retentionHours'),
  encrypted: flag('encrypted'),
  logConfigName: text('logConfigName'),
  samplingRate: number('samplingRate'),
  fields: text('fields')?.split(','),
  leaseTableName: text('leaseTableName'),
  controlPlane: flag('controlPlane'),
  ...(process.env.CDK_DEFAULT_ACCOUNT ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } } : {}),
});
const assembly = app.synth();
process.stdout.write(`synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${assembly.directory}\n`);
