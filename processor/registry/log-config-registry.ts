/**
 * The real-time log configs edgewatch knows: which field set and sampling rate feed which stream.
 * Kept in a file under the data dir (not in ClickHouse) so command-line tools can read it while the
 * server runs.
 */
import path from 'node:path';
import { layoutOf, type Layout } from '../fields/layout.js';
import { mtimeMs, readJsonFile, writeJsonFileAtomic } from './json-file.js';

export interface LogConfigRecord {
  readonly name: string;
  readonly arn: string;
  /** Whole number 1–100: percentage of requests logged. */
  readonly samplingRate: number;
  /** Field names in canonical (delivery) order. */
  readonly fields: readonly string[];
  readonly streamName: string;
  readonly streamArn: string;
  readonly roleArn: string;
}

interface FileShape {
  configs: LogConfigRecord[];
}

export class LogConfigRegistry {
  readonly file: string;
  #configs: LogConfigRecord[] = [];
  #loadedMtime = -1;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'log-configs.json');
    this.refresh();
  }

  /** Re-reads the file when another process changed it. */
  refresh(): void {
    const mtime = mtimeMs(this.file);
    if (mtime === this.#loadedMtime) return;
    this.#configs = readJsonFile<FileShape>(this.file)?.configs ?? [];
    this.#loadedMtime = mtime;
  }

  list(): readonly LogConfigRecord[] {
    return this.#configs;
  }

  get(name: string): LogConfigRecord | undefined {
    return this.#configs.find((c) => c.name === name);
  }

  /** The log config that writes into a stream (by name or ARN). */
  forStream(stream: string): LogConfigRecord | undefined {
    return this.#configs.find((c) => c.streamName === stream || c.streamArn === stream);
  }

  /** Adds or replaces a config; its fields are validated and stored in canonical order. */
  put(config: LogConfigRecord): LogConfigRecord {
    if (!Number.isInteger(config.samplingRate) || config.samplingRate < 1 || config.samplingRate > 100) {
      throw new RangeError(`sampling rate of log config ${config.name} must be a whole number from 1 to 100`);
    }
    const stored: LogConfigRecord = { ...config, fields: [...layoutOf(config.fields).names] };
    this.#configs = [...this.#configs.filter((c) => c.name !== config.name), stored];
    writeJsonFileAtomic(this.file, { configs: this.#configs } satisfies FileShape);
    this.#loadedMtime = mtimeMs(this.file);
    return stored;
  }
}

export function layoutOfConfig(config: LogConfigRecord): Layout {
  return layoutOf(config.fields);
}
