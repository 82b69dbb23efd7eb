/**
 * Software downloads: large installers (often fetched in ranges by download managers or resumed),
 * checksums and a small "latest version" document. Newer releases are far more popular.
 */
import { basePlan, type RequestPlan } from './request-plan.js';
import { zipfTable, type Rng, type WeightedTable } from './random.js';
import type { Viewer } from './viewers.js';

interface DownloadFile {
  readonly path: string;
  readonly bytes: number;
  readonly contentType: string;
  readonly large: boolean;
}

const PLATFORMS: ReadonlyArray<readonly [suffix: string, type: string, mb: number]> = [
  ['x64-setup.exe', 'application/vnd.microsoft.portable-executable', 142],
  ['universal.dmg', 'application/x-apple-diskimage', 198],
  ['x86_64.AppImage', 'application/octet-stream', 156],
  ['amd64.deb', 'application/vnd.debian.binary-package', 118],
  ['linux-x64.tar.gz', 'application/gzip', 131],
];

export class DownloadsContent {
  private readonly files: WeightedTable<DownloadFile>;

  constructor(
    rng: Rng,
    private readonly webOrigin: string,
  ) {
    const items: DownloadFile[] = [{ path: '/releases/latest.json', bytes: 1_204, contentType: 'application/json', large: false }];
    for (let minor = 9; minor >= 3; minor--) {
      const version = `4.${minor}.${rng.between(0, 4)}`;
      for (const [suffix, type, mb] of PLATFORMS) {
        items.push({ path: `/releases/v${version}/example-app-${version}-${suffix}`, bytes: Math.round(mb * 1_048_576 * rng.uniform(0.95, 1.05)), contentType: type, large: true });
      }
      items.push({ path: `/releases/v${version}/SHA256SUMS`, bytes: 612, contentType: 'text/plain', large: false });
    }
    this.files = zipfTable(items, 1.05);
  }

  next(rng: Rng, _viewer: Viewer): RequestPlan {
    const file = this.files.pick(rng);
    const plan = basePlan({
      path: file.path,
      pathPattern: '/releases/*',
      kind: file.large ? 'download' : 'other',
      contentType: file.contentType,
      objectBytes: file.bytes,
      cache: file.path.endsWith('latest.json') ? { hit: 0.8, refreshHit: 0.12 } : { hit: 0.93, refreshHit: 0.02 },
      originShield: true,
      originWorkMs: rng.logNormal(15, 0.5),
      referer: rng.chance(0.6) ? `${this.webOrigin}/download` : null,
    });
    if (file.large) {
      if (rng.chance(0.05)) plan.method = 'HEAD';
      else if (rng.chance(0.4)) {
        // Download managers fetch 8–32 MiB ranges; resumed downloads ask for the rest.
        const chunk = rng.between(8, 32) * 1_048_576;
        const start = rng.int(Math.max(1, Math.floor(file.bytes / chunk))) * chunk;
        const openEnded = rng.chance(0.2);
        const end = openEnded ? file.bytes - 1 : Math.min(file.bytes - 1, start + chunk - 1);
        plan.range = { start, end };
        plan.status = 206;
        plan.extraHeaders.push(['range', `bytes=${start}-${openEnded ? '' : end}`]);
      }
    }
    return plan;
  }
}
