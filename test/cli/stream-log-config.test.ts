import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { ensureStreamLogConfig, streamLogConfig } from '../../cli/stream-log-config.js';
import { FileLogConfigRegistry } from '../../processor/registry/log-config-registry.js';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-logconfig-'));

describe('ensureStreamLogConfig', () => {
  it('registers the local default: positions 1–64 at 100 %', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ EDGEWATCH_DATA_DIR: dataDir });
    const stored = await ensureStreamLogConfig(config, new FileLogConfigRegistry(dataDir));
    expect(stored).toMatchObject({ name: 'edgewatch-local', samplingRate: 100, streamName: 'edgewatch-local' });
    expect(stored.fields).toHaveLength(64);
    // Another process (a CLI) reads the same file.
    expect(new FileLogConfigRegistry(dataDir).forStream('edgewatch-local')?.fields).toEqual(stored.fields);
  });

  it('refuses an AWS stream whose field set it was not told', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ EDGEWATCH_DATA_DIR: dataDir, EDGEWATCH_KINESIS_STREAM: 'cf-rtl' });
    await expect(ensureStreamLogConfig(config, new FileLogConfigRegistry(dataDir))).rejects.toThrow(/EDGEWATCH_LOG_FIELDS/);
  });

  it('takes the field set and sampling rate from the environment, in canonical order', async () => {
    const dataDir = tempDir();
    const config = loadConfig({
      EDGEWATCH_DATA_DIR: dataDir,
      EDGEWATCH_KINESIS_STREAM: 'cf-rtl',
      EDGEWATCH_LOG_FIELDS: 'c-country,sc-status,timestamp,x-host-header',
      EDGEWATCH_LOG_SAMPLING_RATE: '5',
    });
    const stored = await ensureStreamLogConfig(config, new FileLogConfigRegistry(dataDir));
    expect(stored).toMatchObject({ name: 'cf-rtl', streamName: 'cf-rtl', samplingRate: 5 });
    expect(stored.fields).toEqual(['timestamp', 'sc-status', 'x-host-header', 'c-country']);
  });

  it('rejects a sampling rate outside 1–100 at start-up', () => {
    expect(() => loadConfig({ EDGEWATCH_LOG_SAMPLING_RATE: '0' })).toThrow(/EDGEWATCH_LOG_SAMPLING_RATE/);
  });

  it('gives parse and replay the same config as start, without writing it', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ EDGEWATCH_DATA_DIR: dataDir, EDGEWATCH_LOG_FIELDS: 'sc-status,timestamp', EDGEWATCH_LOG_SAMPLING_RATE: '50' });
    const registry = new FileLogConfigRegistry(dataDir);
    expect(streamLogConfig(config, registry)).toMatchObject({ fields: ['timestamp', 'sc-status'], samplingRate: 50 });
    expect(registry.list()).toEqual([]);
    expect(await ensureStreamLogConfig(config, registry)).toEqual(streamLogConfig(config, registry));
  });
});
