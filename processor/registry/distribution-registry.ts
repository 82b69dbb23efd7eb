/**
 * The distributions edgewatch knows, used to attribute records: a real-time record has no
 * distribution-ID field, but `x-host-header` holds the distribution's CloudFront domain. Kept in a
 * file under the data dir in embedded mode, in the ClickHouse server when one is configured
 * (clickhouse-distribution-registry.ts).
 */
import path from 'node:path';
import { mtimeMs, readJsonFile, writeJsonFileAtomic } from './json-file.js';

export interface DistributionRecord {
  readonly id: string;
  /** CloudFront domain, e.g. `d111111abcdef8.cloudfront.net`. */
  readonly domainName: string;
  readonly aliases: readonly string[];
  readonly comment: string;
}

/**
 * The distributions behind one interface, whatever keeps them: reads are synchronous from an
 * in-memory snapshot (resolveDomain runs per record), writes and refresh async.
 */
export interface DistributionRegistry {
  /** Where the distributions are kept (a file, or a ClickHouse table), for messages. */
  readonly location: string;
  list(): readonly DistributionRecord[];
  get(id: string): DistributionRecord | undefined;
  /** Distribution ID for a CloudFront domain; '' when unknown. */
  readonly resolveDomain: (domain: string | null) => string;
  /** Adds or replaces a distribution (by ID). */
  put(distribution: DistributionRecord): Promise<void>;
  /** Adds distributions that are not known yet (by ID); returns how many were added. */
  addMissing(distributions: readonly DistributionRecord[]): Promise<number>;
  remove(id: string): Promise<boolean>;
  /** Reads what other processes (a CLI, other replicas) changed. */
  refresh(): Promise<void>;
}

/** The in-memory snapshot both backends answer reads from. */
export class DistributionSnapshot {
  #byDomain = new Map<string, string>();
  #distributions: readonly DistributionRecord[] = [];

  set(distributions: readonly DistributionRecord[]): void {
    this.#distributions = distributions;
    this.#byDomain = new Map(distributions.map((d) => [d.domainName.toLowerCase(), d.id]));
  }

  list(): readonly DistributionRecord[] {
    return this.#distributions;
  }

  get(id: string): DistributionRecord | undefined {
    return this.#distributions.find((d) => d.id === id);
  }

  readonly resolveDomain = (domain: string | null): string => {
    if (domain === null) return '';
    return this.#byDomain.get(domain.toLowerCase()) ?? '';
  };
}

interface FileShape {
  distributions: DistributionRecord[];
}

/** The distributions in a file under the data dir (embedded mode). */
export class FileDistributionRegistry implements DistributionRegistry {
  readonly file: string;
  readonly #snapshot = new DistributionSnapshot();
  #loadedMtime = -1;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'distributions.json');
    this.refreshNow();
  }

  get location(): string {
    return this.file;
  }

  refreshNow(): void {
    const mtime = mtimeMs(this.file);
    if (mtime === this.#loadedMtime) return;
    this.#snapshot.set(readJsonFile<FileShape>(this.file)?.distributions ?? []);
    this.#loadedMtime = mtime;
  }

  refresh(): Promise<void> {
    this.refreshNow();
    return Promise.resolve();
  }

  list(): readonly DistributionRecord[] {
    return this.#snapshot.list();
  }

  get(id: string): DistributionRecord | undefined {
    return this.#snapshot.get(id);
  }

  get resolveDomain(): (domain: string | null) => string {
    return this.#snapshot.resolveDomain;
  }

  put(distribution: DistributionRecord): Promise<void> {
    this.#save([...this.list().filter((d) => d.id !== distribution.id), distribution]);
    return Promise.resolve();
  }

  addMissing(distributions: readonly DistributionRecord[]): Promise<number> {
    const known = new Set(this.list().map((d) => d.id));
    const fresh = distributions.filter((d) => !known.has(d.id));
    if (fresh.length > 0) this.#save([...this.list(), ...fresh]);
    return Promise.resolve(fresh.length);
  }

  remove(id: string): Promise<boolean> {
    if (this.get(id) === undefined) return Promise.resolve(false);
    this.#save(this.list().filter((d) => d.id !== id));
    return Promise.resolve(true);
  }

  #save(distributions: DistributionRecord[]): void {
    writeJsonFileAtomic(this.file, { distributions } satisfies FileShape);
    this.#snapshot.set(distributions);
    this.#loadedMtime = mtimeMs(this.file);
  }
}
