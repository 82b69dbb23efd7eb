/**
 * The configuration forms' logic: form values from a config and back, the requests they make, which
 * field an API 400 blames, dry-run diff rows and change markers.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeMarker, LogConfigView } from '../../api/control-plane/control-plane-service.js';
import type { DistributionConfig } from '../../dashboard/src/api/control-plane-api.js';
import {
  changeMarkersOf,
  diffRows,
  distributionFieldOf,
  distributionFormOf,
  editedConfig,
  logConfigFieldOf,
  logConfigFormOf,
  logConfigUpdate,
  NEW_DISTRIBUTION_FORM,
  newDistributionConfig,
  newLogConfigBody,
} from '../../dashboard/src/views/config-forms.js';

const CONFIG = {
  comment: 'shop',
  enabled: true,
  aliases: ['www.example.com'],
  defaultRootObject: 'index.html',
  origins: [{ id: 'o1', kind: 'custom', domainName: 'origin.example.com' }, { id: 'o2', kind: 's3', domainName: 'b.s3.us-east-1.amazonaws.com' }],
  originGroups: [],
  defaultCacheBehavior: { pathPattern: '*', targetOriginId: 'o1', viewerProtocolPolicy: 'allow-all', compress: true },
  cacheBehaviors: [{ pathPattern: '/api/*', targetOriginId: 'o1', viewerProtocolPolicy: 'https-only' }],
  customErrorResponses: [],
  geoRestriction: { type: 'block', countries: ['KP', 'IR'] },
  viewerCertificate: { source: 'cloudfront' },
  priceClass: 'PriceClass_100',
  httpVersion: 'http2',
  isIpv6Enabled: true,
  webAclId: null,
} as unknown as DistributionConfig;

describe('distribution form', () => {
  it('reads a config and writes back the whole config with only its members changed', () => {
    const form = distributionFormOf(CONFIG);
    expect(form).toEqual({
      comment: 'shop',
      enabled: true,
      aliases: 'www.example.com',
      priceClass: 'PriceClass_100',
      viewerProtocolPolicy: 'allow-all',
      geoType: 'block',
      geoCountries: 'KP, IR',
      originDomain: 'origin.example.com',
      originKind: 'custom',
    });
    const edited = editedConfig(CONFIG, { ...form, comment: 'shop v2', aliases: 'www.example.com, shop.example.com', viewerProtocolPolicy: 'redirect-to-https', geoCountries: 'kp ir,cu', originDomain: ' new.example.com ' });
    expect(edited.comment).toBe('shop v2');
    expect(edited.aliases).toEqual(['www.example.com', 'shop.example.com']);
    expect(edited.defaultCacheBehavior).toEqual({ ...CONFIG.defaultCacheBehavior, viewerProtocolPolicy: 'redirect-to-https' });
    expect(edited.geoRestriction).toEqual({ type: 'block', countries: ['KP', 'IR', 'CU'] });
    expect(edited.origins.map((o) => o.domainName)).toEqual(['new.example.com', 'b.s3.us-east-1.amazonaws.com']);
    // Members the form does not hold are sent as they were read.
    expect(edited.cacheBehaviors).toBe(CONFIG.cacheBehaviors);
    expect(edited.viewerCertificate).toBe(CONFIG.viewerCertificate);
    expect(editedConfig(CONFIG, { ...form, geoType: 'none' }).geoRestriction).toEqual({ type: 'none', countries: [] });
  });

  it('makes a new distribution with one origin its default behavior targets', () => {
    expect(newDistributionConfig({ ...NEW_DISTRIBUTION_FORM, comment: 'new', originDomain: 'o.example.com ', aliases: '' })).toEqual({
      comment: 'new',
      enabled: true,
      aliases: [],
      priceClass: 'PriceClass_All',
      origins: [{ id: 'origin-1', kind: 'custom', domainName: 'o.example.com' }],
      defaultCacheBehavior: { targetOriginId: 'origin-1', viewerProtocolPolicy: 'redirect-to-https' },
      geoRestriction: { type: 'none', countries: [] },
    });
  });

  it('finds the field an API 400 names, in either path notation', () => {
    expect(distributionFieldOf('config.origins[0].domainName')).toBe('originDomain');
    expect(distributionFieldOf('config.origins.0.domainName')).toBe('originDomain');
    expect(distributionFieldOf('config.origins')).toBe('originDomain');
    expect(distributionFieldOf('config.origins[0].kind')).toBe('originKind');
    expect(distributionFieldOf('config.geoRestriction.countries[1]')).toBe('geoCountries');
    expect(distributionFieldOf('config.geoRestriction.type')).toBe('geoType');
    expect(distributionFieldOf('config.aliases[3]')).toBe('aliases');
    expect(distributionFieldOf('config.comment')).toBe('comment');
    expect(distributionFieldOf('config.defaultCacheBehavior.viewerProtocolPolicy')).toBe('viewerProtocolPolicy');
    expect(distributionFieldOf('config.commentary')).toBeNull();
    expect(distributionFieldOf('config.cacheBehaviors[0].targetOriginId')).toBeNull();
    expect(distributionFieldOf(undefined)).toBeNull();
  });
});

describe('log config form', () => {
  const config = { name: 'main', arn: 'arn:aws:cloudfront::1:realtime-log-config/main', samplingRate: 10, fields: ['timestamp', 'c-ip'], streamArn: 'arn:aws:kinesis:us-east-1:1:stream/s', roleArn: 'arn:aws:iam::1:role/r', attachedTo: [], parserLayouts: [] } as LogConfigView;

  it('creates with an existing stream and role by ARN, or new ones by name', () => {
    expect(newLogConfigBody({ name: ' edge ', samplingRate: '25', fields: 'timestamp, c-ip sc-status', stream: 'arn:aws:kinesis:us-east-1:1:stream/s', role: 'cf-logs' })).toEqual({
      name: 'edge',
      samplingRate: 25,
      fields: ['timestamp', 'c-ip', 'sc-status'],
      stream: { arn: 'arn:aws:kinesis:us-east-1:1:stream/s' },
      role: { create: { name: 'cf-logs' } },
    });
    expect(Number.isNaN(newLogConfigBody({ name: 'x', samplingRate: ' ', fields: 'a', stream: 's', role: 'r' }).samplingRate)).toBe(true);
  });

  it('sends only the members that changed', () => {
    const form = logConfigFormOf(config);
    expect(logConfigUpdate(config, form)).toEqual({});
    expect(logConfigUpdate(config, { ...form, samplingRate: '50' })).toEqual({ samplingRate: 50 });
    expect(logConfigUpdate(config, { ...form, fields: 'timestamp,c-ip,sc-status' })).toEqual({ fields: ['timestamp', 'c-ip', 'sc-status'] });
  });

  it('finds the field an API 400 names', () => {
    expect(logConfigFieldOf('samplingRate')).toBe('samplingRate');
    expect(logConfigFieldOf('fields[2]')).toBe('fields');
    expect(logConfigFieldOf('stream.create.name')).toBe('stream');
    expect(logConfigFieldOf('roleArn')).toBe('role');
    expect(logConfigFieldOf('other')).toBeNull();
  });
});

describe('diff and change markers', () => {
  it('show diff values as text', () => {
    expect(diffRows([{ path: 'comment', before: 'a', after: '<b>' }, { path: 'aliases', before: ['x'], after: null }, { path: 'enabled', before: true, after: false }])).toEqual([
      { path: 'comment', before: 'a', after: '<b>' },
      { path: 'aliases', before: '["x"]', after: '—' },
      { path: 'enabled', before: 'true', after: 'false' },
    ]);
  });

  it('mark the changes within the range, oldest first', () => {
    const marker = (at: string, summary: string): ChangeMarker => ({ at, action: 'update', resourceType: 'distribution', resourceId: 'E1', distributionId: 'E1', summary, actor: 'admin' });
    const from = Date.parse('2026-11-30T10:00:00Z');
    const to = Date.parse('2026-11-30T11:00:00Z');
    expect(changeMarkersOf([marker('2026-11-30T10:40:00Z', 'b'), marker('2026-11-30T10:10:00Z', 'a'), marker('2026-11-30T09:00:00Z', 'old'), marker('nope', 'x')], from, to)).toEqual([
      { t: Date.parse('2026-11-30T10:10:00Z'), label: 'admin: a' },
      { t: Date.parse('2026-11-30T10:40:00Z'), label: 'admin: b' },
    ]);
  });
});
