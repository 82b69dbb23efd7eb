import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlledTrafficGenerator, type StreamLogFormat } from '../../ingest/simulator/controlled-traffic.js';
import { defaultDistributionConfig, defaultOrigin, seededDistribution } from '../../processor/control-plane/default-config.js';
import { LocalControlPlaneState } from '../../processor/control-plane/local-state.js';
import type { GeoRestriction } from '../../processor/control-plane/model.js';
import { DEFAULT_LOCAL_FIELD_NAMES, FIELDS } from '../../processor/fields/catalogue.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const START = Date.UTC(2026, 10, 30, 12);
const at = (field: string) => DEFAULT_LOCAL_FIELD_NAMES.indexOf(field);

function setup(geo: GeoRestriction) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-controlled-'));
  dirs.push(dir);
  const state = new LocalControlPlaneState(dir);
  const shop = seededDistribution({ id: 'E3KX9T2WQ7ZP5N', domainName: 'd2kq8x7mzp4w1r.cloudfront.net', aliases: ['www.example.com'], profile: 'web' }, START);
  state.update((s) => ({ ...s, distributions: [{ ...shop, config: { ...shop.config, geoRestriction: geo } }] }));
  let format: StreamLogFormat = { fields: DEFAULT_LOCAL_FIELD_NAMES, samplingRate: 100 };
  const generator = new ControlledTrafficGenerator({ seed: 7, state, startMs: START, logFormat: () => format });
  return { state, generator, setFormat: (f: StreamLogFormat) => (format = f) };
}

const cells = (line: string) => line.replace(/\n$/, '').split('\t');

describe('simulated traffic driven by the local control plane', () => {
  it('refuses the blocked country from the next line on, and serves it again once unblocked', () => {
    const { state, generator } = setup({ type: 'block', countries: ['US'] });
    const blocked = generator.linesAt(START + 1_000, 2_000, 1_000).map(cells);
    const us = blocked.filter((c) => c[at('c-country')] === 'US');
    expect(us.length).toBeGreaterThan(100);
    expect(us.every((c) => c[at('sc-status')] === '403' && c[at('x-edge-detailed-result-type')] === 'ClientGeoBlocked')).toBe(true);
    expect(blocked.some((c) => c[at('c-country')] !== 'US' && c[at('sc-status')] === '200')).toBe(true);

    state.update((s) => ({ ...s, distributions: s.distributions.map((d) => ({ ...d, config: { ...d.config, geoRestriction: { type: 'none', countries: [] } } })) }));
    const open = generator.linesAt(START + 2_000, 2_000, 1_000).map(cells);
    expect(open.filter((c) => c[at('c-country')] === 'US' && c[at('x-edge-detailed-result-type')] === 'ClientGeoBlocked')).toHaveLength(0);
  });

  it('an allow list refuses every other country', () => {
    const { generator } = setup({ type: 'allow', countries: ['DE'] });
    const lines = generator.linesAt(START + 1_000, 1_000, 1_000).map(cells);
    const outside = lines.filter((c) => c[at('c-country')] !== 'DE');
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.every((c) => c[at('x-edge-detailed-result-type')] === 'ClientGeoBlocked')).toBe(true);
  });

  it('plays new distributions, not disabled ones, in the log config’s fields and sampling rate', () => {
    const { state, generator, setFormat } = setup({ type: 'none', countries: [] });
    const created = { ...seededDistribution({ id: 'ENEWDISTRIB0001', domainName: 'dnewdistrib0001.cloudfront.net', aliases: [], profile: 'api' }, START), tags: {} };
    state.update((s) => ({ ...s, distributions: [...s.distributions, { ...created, config: defaultDistributionConfig(defaultOrigin('o', 'api.example.org')) }] }));
    const hosts = new Set(generator.linesAt(START + 1_000, 3_000, 1_000).map((l) => cells(l)[at('x-host-header')]));
    expect(hosts).toContain('dnewdistrib0001.cloudfront.net');

    state.update((s) => ({ ...s, distributions: s.distributions.map((d) => (d.id === 'ENEWDISTRIB0001' ? { ...d, config: { ...d.config, enabled: false } } : d)) }));
    const after = new Set(generator.linesAt(START + 2_000, 3_000, 1_000).map((l) => cells(l)[at('x-host-header')]));
    expect(after).not.toContain('dnewdistrib0001.cloudfront.net');

    const twelve = FIELDS.slice(0, 12).map((f) => f.name);
    setFormat({ fields: twelve, samplingRate: 25 });
    const sampled = generator.linesAt(START + 3_000, 4_000, 1_000);
    expect(sampled.every((l) => cells(l).length === 12)).toBe(true);
    expect(sampled.length).toBeGreaterThan(800);
    expect(sampled.length).toBeLessThan(1_200);
  });
});
