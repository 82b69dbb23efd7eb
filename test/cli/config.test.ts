import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';

describe('loadConfig', () => {
  it('has embedded defaults', () => {
    const config = loadConfig({}, '/srv/edgewatch');
    expect(config.dataDir).toBe('/srv/edgewatch/data');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.clickhouse).toMatchObject({ url: undefined, database: 'edgewatch', rawTtlDays: 30, hourTtlDays: 400 });
    expect(config.kinesis).toMatchObject({ local: true, streamName: 'edgewatch-local', localPort: 4567, initialPosition: 'TRIM_HORIZON' });
    expect(config.simulator).toEqual({ enabled: true, ratePerSecond: 200 });
    expect(Object.isFrozen(config.kinesis)).toBe(true);
  });

  it('reads the stats query limits', () => {
    expect(loadConfig({}).query).toEqual({ maxRangeDays: 400, maxConcurrent: 4 });
    expect(loadConfig({ EDGEWATCH_QUERY_MAX_RANGE_DAYS: '31', EDGEWATCH_QUERY_MAX_CONCURRENT: '2' }).query).toEqual({ maxRangeDays: 31, maxConcurrent: 2 });
    expect(() => loadConfig({ EDGEWATCH_QUERY_MAX_CONCURRENT: '0' })).toThrow(/EDGEWATCH_QUERY_MAX_CONCURRENT/);
  });

  it('selects AWS Kinesis without the simulator when a stream is named', () => {
    const config = loadConfig({ EDGEWATCH_KINESIS_STREAM: 'cf-realtime', AWS_REGION: 'eu-west-1' });
    expect(config.kinesis).toMatchObject({ local: false, streamName: 'cf-realtime', region: 'eu-west-1' });
    expect(config.simulator.enabled).toBe(false);
  });

  it('names every invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', EDGEWATCH_RAW_TTL_DAYS: '-3', EDGEWATCH_CLICKHOUSE_DATABASE: 'x; DROP', EDGEWATCH_KINESIS_INITIAL_POSITION: 'NOW' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['PORT', 'EDGEWATCH_RAW_TTL_DAYS', 'EDGEWATCH_CLICKHOUSE_DATABASE', 'EDGEWATCH_KINESIS_INITIAL_POSITION']) expect(text).toContain(name);
  });

  it('reads an optional file, which the environment overrides, and refuses unknown keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-config-'));
    const file = path.join(dir, 'edgewatch.json');
    fs.writeFileSync(file, JSON.stringify({ PORT: 9090, EDGEWATCH_RAW_TTL_DAYS: 7 }));
    expect(loadConfig({ EDGEWATCH_CONFIG: file }).http.port).toBe(9090);
    expect(loadConfig({ EDGEWATCH_CONFIG: file, PORT: '9191' }).http.port).toBe(9191);
    expect(loadConfig({ EDGEWATCH_CONFIG: file }).clickhouse.rawTtlDays).toBe(7);
    fs.writeFileSync(file, JSON.stringify({ EDGEWATCH_RAW_TTL: 7 }));
    expect(() => loadConfig({ EDGEWATCH_CONFIG: file })).toThrow(/unknown setting EDGEWATCH_RAW_TTL/);
  });
});

describe('ClickHouse cluster settings', () => {
  it('needs a ClickHouse server for a cluster and defaults to inserting through Distributed tables', () => {
    expect(() => loadConfig({ EDGEWATCH_CLICKHOUSE_CLUSTER: 'main' })).toThrow(/EDGEWATCH_CLICKHOUSE_CLUSTER: needs a ClickHouse server/);
    expect(() => loadConfig({ EDGEWATCH_CLICKHOUSE_URL: 'http://ch:8123', EDGEWATCH_CLICKHOUSE_CLUSTER: 'main; DROP' })).toThrow(/EDGEWATCH_CLICKHOUSE_CLUSTER/);
    expect(() => loadConfig({ EDGEWATCH_CLICKHOUSE_URL: 'http://ch:8123', EDGEWATCH_CLICKHOUSE_CLUSTER: 'main', EDGEWATCH_CLICKHOUSE_CLUSTER_INSERT: 'nearest' })).toThrow(
      /EDGEWATCH_CLICKHOUSE_CLUSTER_INSERT/,
    );
    const config = loadConfig({ EDGEWATCH_CLICKHOUSE_URL: 'http://ch:8123', EDGEWATCH_CLICKHOUSE_CLUSTER: 'main' });
    expect(config.clickhouse.cluster).toBe('main');
    expect(config.clickhouse.clusterInsert).toBe('distributed');
    expect(loadConfig({}).clickhouse.cluster).toBeUndefined();
  });
});

describe('trusted proxies', () => {
  it('reads true, a hop count or a list of addresses and ranges, and refuses anything else', () => {
    expect(loadConfig({}).api.trustProxy).toBeUndefined();
    expect(loadConfig({ EDGEWATCH_TRUST_PROXY: 'true' }).api.trustProxy).toBe(true);
    expect(loadConfig({ EDGEWATCH_TRUST_PROXY: '2' }).api.trustProxy).toBe(2);
    expect(loadConfig({ EDGEWATCH_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).api.trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(() => loadConfig({ EDGEWATCH_TRUST_PROXY: 'everyone' })).toThrow(/EDGEWATCH_TRUST_PROXY/);
  });
});

describe('webhook targets', () => {
  it('keeps private networks out of reach unless allowed', () => {
    expect(loadConfig({}).alerts.webhookAllowPrivate).toBe(false);
    expect(loadConfig({ EDGEWATCH_WEBHOOK_ALLOW_PRIVATE: '1' }).alerts.webhookAllowPrivate).toBe(true);
  });
});

