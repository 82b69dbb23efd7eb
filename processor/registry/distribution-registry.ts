/**
 * The distributions edgewatch knows, used to attribute records: a real-time record has no
 * distribution-ID field, but `x-host-header` holds the distribution's CloudFront domain.
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

interface FileShape {
  distributions: DistributionRecord[];
}

export class DistributionRegistry {
  readonly file: string;
  #byDomain = new Map<string, string>();
  #distributions: DistributionRecord[] = [];
  #loadedMtime = -1;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'distributions.json');
    this.refresh();
  }

  refresh(): void {
    const mtime = mtimeMs(this.file);
    if (mtime === this.#loadedMtime) return;
    this.#set(readJsonFile<FileShape>(this.file)?.distributions ?? []);
    this.#loadedMtime = mtime;
  }

  list(): readonly DistributionRecord[] {
    return this.#distributions;
  }

  /** Distribution ID for a CloudFront domain; '' when unknown. */
  readonly resolveDomain = (domain: string | null): string => {
    if (domain === null) return '';
    return this.#byDomain.get(domain.toLowerCase()) ?? '';
  };

  /** Adds distributions that are not known yet (by ID); returns how many were added. */
  addMissing(distributions: readonly DistributionRecord[]): number {
    const known = new Set(this.#distributions.map((d) => d.id));
    const fresh = distributions.filter((d) => !known.has(d.id));
    if (fresh.length > 0) this.#save([...this.#distributions, ...fresh]);
    return fresh.length;
  }

  #save(distributions: DistributionRecord[]): void {
    writeJsonFileAtomic(this.file, { distributions } satisfies FileShape);
    this.#set(distributions);
    this.#loadedMtime = mtimeMs(this.file);
  }

  #set(distributions: DistributionRecord[]): void {
    this.#distributions = distributions;
    this.#byDomain = new Map(distributions.map((d) => [d.domainName.toLowerCase(), d.id]));
  }
}
