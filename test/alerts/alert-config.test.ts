/**
 * The alerting settings of the configuration.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';

describe('alert configuration', () => {
  it('evaluates every 5 s by default, with links relative to the server', () => {
    expect(loadConfig({}).alerts).toEqual({ enabled: true, evalIntervalMs: 5000, publicUrl: undefined, webhookAllowPrivate: false });
  });

  it('reads the interval, the public URL and the switch, naming a bad variable', () => {
    const config = loadConfig({ EDGEWATCH_ALERT_EVAL_INTERVAL_MS: '2000', EDGEWATCH_PUBLIC_URL: 'https://edgewatch.example.net', EDGEWATCH_ALERTS: 'off' });
    expect(config.alerts).toEqual({ enabled: false, evalIntervalMs: 2000, publicUrl: 'https://edgewatch.example.net', webhookAllowPrivate: false });
    expect(() => loadConfig({ EDGEWATCH_ALERT_EVAL_INTERVAL_MS: '50' })).toThrow(/EDGEWATCH_ALERT_EVAL_INTERVAL_MS/);
    expect(() => loadConfig({ EDGEWATCH_PUBLIC_URL: 'not a url' })).toThrow(/EDGEWATCH_PUBLIC_URL/);
  });
});
