/**
 * The configuration forms' logic, apart from the DOM: form values from a distribution or a log
 * config, the request a form makes, which form field an API 400 blames (its `parameter`, e.g.
 * `config.origins[0].domainName`), the rows of a dry-run diff, and chart markers from changes.
 */
import type { ChangeMarker, DiffEntry, LogConfigView } from '../api/api-types.js';
import type { DistributionConfig, DistributionConfigInput, LogConfigUpdate, NewLogConfig } from '../api/control-plane-api.js';
import type { TimeMarker } from '../charts/line-chart.js';

export const PRICE_CLASS_OPTIONS: readonly DistributionConfig['priceClass'][] = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'];
export const VIEWER_PROTOCOL_OPTIONS: readonly DistributionConfig['defaultCacheBehavior']['viewerProtocolPolicy'][] = ['redirect-to-https', 'https-only', 'allow-all'];
export const GEO_TYPE_OPTIONS: readonly DistributionConfig['geoRestriction']['type'][] = ['none', 'allow', 'block'];
export const ORIGIN_KIND_OPTIONS: readonly DistributionConfig['origins'][number]['kind'][] = ['custom', 's3', 'mediapackage'];

/** What the distribution form edits; lists are comma-separated text. */
export interface DistributionForm {
  readonly comment: string;
  readonly enabled: boolean;
  readonly aliases: string;
  readonly priceClass: DistributionConfig['priceClass'];
  readonly viewerProtocolPolicy: DistributionConfig['defaultCacheBehavior']['viewerProtocolPolicy'];
  readonly geoType: DistributionConfig['geoRestriction']['type'];
  readonly geoCountries: string;
  /** The first origin (a new distribution has one). */
  readonly originDomain: string;
  readonly originKind: DistributionConfig['origins'][number]['kind'];
}

export type DistributionField = keyof DistributionForm;

export const NEW_DISTRIBUTION_FORM: DistributionForm = {
  comment: '',
  enabled: true,
  aliases: '',
  priceClass: 'PriceClass_All',
  viewerProtocolPolicy: 'redirect-to-https',
  geoType: 'none',
  geoCountries: '',
  originDomain: '',
  originKind: 'custom',
};

const list = (text: string, upper = false): string[] =>
  text
    .split(/[\s,]+/)
    .map((v) => (upper ? v.trim().toUpperCase() : v.trim()))
    .filter((v) => v !== '');

export function distributionFormOf(config: DistributionConfig): DistributionForm {
  const origin = config.origins[0];
  return {
    comment: config.comment,
    enabled: config.enabled,
    aliases: config.aliases.join(', '),
    priceClass: config.priceClass,
    viewerProtocolPolicy: config.defaultCacheBehavior.viewerProtocolPolicy,
    geoType: config.geoRestriction.type,
    geoCountries: config.geoRestriction.countries.join(', '),
    originDomain: origin?.domainName ?? '',
    originKind: origin?.kind ?? 'custom',
  };
}

/** The whole config of an edited distribution (a PUT replaces it, nothing is merged): the read config with the form's members. */
export function editedConfig(config: DistributionConfig, form: DistributionForm): DistributionConfig {
  const [first, ...rest] = config.origins;
  return {
    ...config,
    comment: form.comment,
    enabled: form.enabled,
    aliases: list(form.aliases),
    priceClass: form.priceClass,
    defaultCacheBehavior: { ...config.defaultCacheBehavior, viewerProtocolPolicy: form.viewerProtocolPolicy },
    geoRestriction: { type: form.geoType, countries: form.geoType === 'none' ? [] : list(form.geoCountries, true) },
    origins: first === undefined ? config.origins : [{ ...first, domainName: form.originDomain.trim() }, ...rest],
  };
}

/** A new distribution with one origin; every member the form does not hold takes CloudFront's default. */
export function newDistributionConfig(form: DistributionForm): DistributionConfigInput {
  return {
    comment: form.comment,
    enabled: form.enabled,
    aliases: list(form.aliases),
    priceClass: form.priceClass,
    origins: [{ id: 'origin-1', kind: form.originKind, domainName: form.originDomain.trim() }],
    defaultCacheBehavior: { targetOriginId: 'origin-1', viewerProtocolPolicy: form.viewerProtocolPolicy },
    geoRestriction: { type: form.geoType, countries: form.geoType === 'none' ? [] : list(form.geoCountries, true) },
  };
}

/** `config.origins[0].domainName` / `config.origins.0.domainName` → `config.origins.domainName`. */
function withoutIndexes(parameter: string): string {
  return parameter.replace(/\[\d+\]/g, '').replace(/\.\d+(?=\.|$)/g, '');
}

const DISTRIBUTION_FIELDS: readonly [string, DistributionField][] = [
  ['config.comment', 'comment'],
  ['config.enabled', 'enabled'],
  ['config.aliases', 'aliases'],
  ['config.priceClass', 'priceClass'],
  ['config.defaultCacheBehavior.viewerProtocolPolicy', 'viewerProtocolPolicy'],
  ['config.geoRestriction.type', 'geoType'],
  ['config.geoRestriction.countries', 'geoCountries'],
  ['config.geoRestriction', 'geoType'],
  ['config.origins.kind', 'originKind'],
  ['config.origins.domainName', 'originDomain'],
  ['config.origins', 'originDomain'],
];

/** The form field an API 400 names; null when the form has no field for it (then the message goes above the form). */
export function distributionFieldOf(parameter: string | undefined): DistributionField | null {
  if (parameter === undefined) return null;
  const path = withoutIndexes(parameter);
  return DISTRIBUTION_FIELDS.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`))?.[1] ?? null;
}

/** What the log-config form edits. */
export interface LogConfigForm {
  readonly name: string;
  readonly samplingRate: string;
  /** Comma- or space-separated field names. */
  readonly fields: string;
  /** An existing stream's ARN, or the name of a stream to create. */
  readonly stream: string;
  /** An existing role's ARN, or the name of a role to create. */
  readonly role: string;
}

export type LogConfigField = keyof LogConfigForm;

export const NEW_LOG_CONFIG_FORM: LogConfigForm = { name: '', samplingRate: '100', fields: '', stream: '', role: '' };

export function logConfigFormOf(config: LogConfigView): LogConfigForm {
  return { name: config.name, samplingRate: String(config.samplingRate), fields: config.fields.join(', '), stream: config.streamArn, role: config.roleArn };
}

/** A number as typed; NaN is left for the API to refuse with its own message. */
const rate = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text.trim()));
const arnOrCreate = (text: string): { arn: string } | { create: { name: string } } => (text.trim().startsWith('arn:') ? { arn: text.trim() } : { create: { name: text.trim() } });

export function newLogConfigBody(form: LogConfigForm): NewLogConfig {
  return { name: form.name.trim(), samplingRate: rate(form.samplingRate), fields: list(form.fields), stream: arnOrCreate(form.stream), role: arnOrCreate(form.role) };
}

/** The members of an edited log config that changed. */
export function logConfigUpdate(config: LogConfigView, form: LogConfigForm): LogConfigUpdate {
  const fields = list(form.fields);
  const samplingRate = rate(form.samplingRate);
  return {
    ...(samplingRate !== config.samplingRate ? { samplingRate } : {}),
    ...(fields.join(',') !== config.fields.join(',') ? { fields } : {}),
  };
}

export function logConfigFieldOf(parameter: string | undefined): LogConfigField | null {
  if (parameter === undefined) return null;
  const path = withoutIndexes(parameter);
  if (path === 'name' || path === 'samplingRate' || path === 'fields') return path;
  if (path === 'stream' || path.startsWith('stream.') || path === 'streamArn') return 'stream';
  if (path === 'role' || path.startsWith('role.') || path === 'roleArn') return 'role';
  return null;
}

export interface DiffRow {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** A value of a diff as text (values come from configs, some of which hold viewer-visible text: shown as text). */
function valueText(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function diffRows(diff: readonly DiffEntry[]): DiffRow[] {
  return diff.map((d) => ({ path: d.path, before: valueText(d.before), after: valueText(d.after) }));
}

/** Chart markers for the control-plane changes within [fromMs, toMs], oldest first. */
export function changeMarkersOf(markers: readonly ChangeMarker[], fromMs: number, toMs: number): TimeMarker[] {
  return markers
    .map((m) => ({ t: Date.parse(m.at), label: `${m.actor === '' ? '' : `${m.actor}: `}${m.summary}` }))
    .filter((m) => Number.isFinite(m.t) && m.t >= fromMs && m.t <= toMs)
    .sort((a, b) => a.t - b.t);
}
