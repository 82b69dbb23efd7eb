/**
 * The real-time log configs edgewatch knows: which field set and sampling rate feed which stream.
 * Kept in a file under the data dir in embedded mode (command-line tools read it while the server
 * runs), in the ClickHouse server when one is configured (clickhouse-log-config-registry.ts).
 */
import path from 'node:path';
import type { LogFormat } from '../batch-processor.js';
import { layoutOf, type Layout } from '../fields/layout.js';
import { mtimeMs, readJsonFile, writeJsonFileAtomic } from './json-file.js';

/** A field set a config had before a change: records written with it may still be in the stream. */
export interface RetiredLayout {
  /** Field names in canonical order. */
  readonly fields: readonly string[];
  readonly samplingRate: number;
  readonly retiredAtMs: number;
}

/**
 * How long a retired layout is kept for parsing: records written before a field change stay in the
 * stream for its retention (24 h by default, often raised to 7 days) and may be replayed from a
 * checkpoint within it.
 */
export const RETIRED_LAYOUT_KEEP_MS = 7 * 86_400_000;

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
  /**
   * Earlier field sets, newest first. A record does not say which layout wrote it, so it is parsed by
   * the layout whose field count it has; no two kept layouts share a field count.
   */
  readonly retiredLayouts?: readonly RetiredLayout[];
}

/**
 * The log configs behind one interface, whatever keeps them (files under the data dir, or tables in
 * the ClickHouse server): reads are synchronous from an in-memory snapshot, writes and refresh async.
 */
export interface LogConfigRegistry {
  /** Where the configs are kept (a file, or a ClickHouse table), for messages. */
  readonly location: string;
  list(): readonly LogConfigRecord[];
  get(name: string): LogConfigRecord | undefined;
  /** The log config that writes into a stream (by name or ARN). */
  forStream(stream: string): LogConfigRecord | undefined;
  /**
   * Adds or replaces a config; its fields are validated and stored in canonical order. When the field
   * set changes, the previous one is kept as a retired layout (see nextLogConfigRecord).
   */
  put(config: LogConfigRecord, nowMs?: number): Promise<LogConfigRecord>;
  /** Removes a config (a deleted one); records already in its stream keep their layouts only while it exists. */
  remove(name: string): Promise<boolean>;
  /** Reads what other processes (a CLI, other replicas) changed. */
  refresh(): Promise<void>;
}

/** The config whose stream is `stream` (by name or ARN) among `configs`. */
export function configForStream(configs: readonly LogConfigRecord[], stream: string): LogConfigRecord | undefined {
  return configs.find((c) => c.streamName === stream || c.streamArn === stream);
}

/**
 * The record stored for `config` when `existing` is what the registry holds under its name: fields
 * validated and in canonical order; when the field set changes, the previous one kept as a retired
 * layout (unless its field count is the new one's: such records could not be told apart, which the
 * control plane refuses before it gets here).
 */
export function nextLogConfigRecord(existing: LogConfigRecord | undefined, config: LogConfigRecord, nowMs: number): LogConfigRecord {
  if (!Number.isInteger(config.samplingRate) || config.samplingRate < 1 || config.samplingRate > 100) {
    throw new RangeError(`sampling rate of log config ${config.name} must be a whole number from 1 to 100`);
  }
  const fields = [...layoutOf(config.fields).names];
  const retired: RetiredLayout[] = [...(config.retiredLayouts ?? existing?.retiredLayouts ?? [])];
  if (existing !== undefined && existing.fields.join() !== fields.join()) {
    retired.unshift({ fields: existing.fields, samplingRate: existing.samplingRate, retiredAtMs: nowMs });
  }
  const kept = retired.filter(
    (r, i) => nowMs - r.retiredAtMs < RETIRED_LAYOUT_KEEP_MS && r.fields.length !== fields.length && retired.findIndex((o) => o.fields.length === r.fields.length) === i,
  );
  const { retiredLayouts: _previous, ...rest } = config;
  return kept.length > 0 ? { ...rest, fields, retiredLayouts: kept } : { ...rest, fields };
}

interface FileShape {
  configs: LogConfigRecord[];
}

/**
 * The log configs in a file under the data dir (embedded mode), so command-line tools can read it
 * while the server runs.
 */
export class FileLogConfigRegistry implements LogConfigRegistry {
  readonly file: string;
  #configs: LogConfigRecord[] = [];
  #loadedMtime = -1;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'log-configs.json');
    this.refreshNow();
  }

  get location(): string {
    return this.file;
  }

  /** Re-reads the file when another process changed it. */
  refreshNow(): void {
    const mtime = mtimeMs(this.file);
    if (mtime === this.#loadedMtime) return;
    this.#configs = readJsonFile<FileShape>(this.file)?.configs ?? [];
    this.#loadedMtime = mtime;
  }

  refresh(): Promise<void> {
    this.refreshNow();
    return Promise.resolve();
  }

  list(): readonly LogConfigRecord[] {
    return this.#configs;
  }

  get(name: string): LogConfigRecord | undefined {
    return this.#configs.find((c) => c.name === name);
  }

  forStream(stream: string): LogConfigRecord | undefined {
    return configForStream(this.#configs, stream);
  }

  // Async (the file is written before it settles) so that a refused config rejects, as in every backend.
  // eslint-disable-next-line @typescript-eslint/require-await
  async put(config: LogConfigRecord, nowMs: number = Date.now()): Promise<LogConfigRecord> {
    const stored = nextLogConfigRecord(this.get(config.name), config, nowMs);
    this.#configs = [...this.#configs.filter((c) => c.name !== config.name), stored];
    this.#write();
    return stored;
  }

  remove(name: string): Promise<boolean> {
    if (this.get(name) === undefined) return Promise.resolve(false);
    this.#configs = this.#configs.filter((c) => c.name !== name);
    this.#write();
    return Promise.resolve(true);
  }

  #write(): void {
    writeJsonFileAtomic(this.file, { configs: this.#configs } satisfies FileShape);
    this.#loadedMtime = mtimeMs(this.file);
  }
}

export function layoutOfConfig(config: LogConfigRecord): Layout {
  return layoutOf(config.fields);
}

/** The layouts a config's stream may hold now: retired ones still within RETIRED_LAYOUT_KEEP_MS. */
export function liveRetiredLayouts(config: LogConfigRecord, nowMs: number = Date.now()): readonly RetiredLayout[] {
  return (config.retiredLayouts ?? []).filter((r) => nowMs - r.retiredAtMs < RETIRED_LAYOUT_KEEP_MS);
}

/** The format ingestion parses a config's stream with: its layout, then retired ones by field count. */
export function logFormatOf(config: LogConfigRecord, nowMs: number = Date.now()): LogFormat {
  const previous = liveRetiredLayouts(config, nowMs).map((r) => ({ layout: layoutOf(r.fields), samplingRate: r.samplingRate }));
  return { layout: layoutOf(config.fields), samplingRate: config.samplingRate, ...(previous.length > 0 ? { previous } : {}) };
}

/**
 * Why a config may not take `nextFields` (null when it may): records carry no layout marker, so two
 * layouts of one stream must differ in field count. A change to another set of the same count as the
 * current layout, or as a retired one still in the stream, would make those records misparse.
 */
export function layoutChangeProblem(current: LogConfigRecord, nextFields: readonly string[], nowMs: number = Date.now()): string | null {
  const next = layoutOf(nextFields).names;
  if (next.join() === layoutOf(current.fields).names.join()) return null;
  if (next.length === current.fields.length) {
    return (
      `the new field set has ${next.length} fields, as the current one: records already in stream ${current.streamName} could not be ` +
      `told from new ones (a record does not say which layout wrote it). Add or remove a field so the count differs, or write to a new stream`
    );
  }
  const clash = liveRetiredLayouts(current, nowMs).find((r) => r.fields.length === next.length && r.fields.join() !== next.join());
  if (clash !== undefined) {
    return (
      `the new field set has ${next.length} fields, as an earlier layout whose records may still be in stream ${current.streamName} ` +
      `(changed ${new Date(clash.retiredAtMs).toISOString()}); choose another field count or write to a new stream`
    );
  }
  return null;
}
