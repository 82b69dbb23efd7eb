import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.js';

describe('shard lease settings', () => {
  it('are off by default: one worker owns every shard', () => {
    const { leases } = loadConfig({});
    expect(leases.table).toBeUndefined();
    expect(leases.dynamodbEndpoint).toBeUndefined();
    expect(leases.durationMs).toBe(10_000);
    expect(leases.workerId).toBe(`${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-')}:${process.pid}`);
  });

  it('reads the table, endpoint, worker id and lease duration', () => {
    const { leases } = loadConfig({
      EDGEWATCH_LEASE_TABLE: 'edgewatch-leases',
      EDGEWATCH_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      EDGEWATCH_WORKER_ID: 'ingest-1',
      EDGEWATCH_LEASE_DURATION_MS: '3000',
    });
    expect(leases).toEqual({ table: 'edgewatch-leases', dynamodbEndpoint: 'http://127.0.0.1:8000', workerId: 'ingest-1', durationMs: 3_000 });
  });

  it('names the variable of a bad setting', () => {
    expect(() => loadConfig({ EDGEWATCH_LEASE_TABLE: 'a table' })).toThrow(/EDGEWATCH_LEASE_TABLE/);
    expect(() => loadConfig({ EDGEWATCH_LEASE_DURATION_MS: '10' })).toThrow(/EDGEWATCH_LEASE_DURATION_MS/);
    expect(() => loadConfig({ EDGEWATCH_WORKER_ID: 'two words' })).toThrow(/EDGEWATCH_WORKER_ID/);
    expect(() => loadConfig({ EDGEWATCH_DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/EDGEWATCH_DYNAMODB_ENDPOINT/);
  });
});
