/**
 * The traffic generator: realistic CloudFront real-time log lines for a set of demo distributions,
 * as a pure function of a seed and the clock it is given (no I/O, no timers, no Date.now()).
 *
 * Each line: pick a traffic stream (web, API, downloads, VOD, live, or a geo-blocked burst) with
 * weights that move with the time of day and the live audience; pick a viewer; let the content model
 * plan the request; let the edge decide the outcome; build the full record; project the layout.
 */
import type { Layout } from '../../processor/fields/layout.js';
import { ApiContent } from './content-api.js';
import { DownloadsContent } from './content-downloads.js';
import { VideoContent } from './content-video.js';
import { WebContent } from './content-web.js';
import { CLOUDFRONT_DOMAIN_SHARE, type DemoDistribution, type TrafficProfile } from './demo-distributions.js';
import { decideOutcome, type ForcedOutcome } from './edge-outcome.js';
import { GEO_BLOCKED_COUNTRIES, VIEWER_COUNTRIES, type Country } from './geography.js';
import { GeoBlockSchedule, type GeoBlockBurst } from './geo-block-bursts.js';
import { countriesAt, diurnalFactor, LIVE_AUDIENCE_MEAN, LiveAudience } from './load-curves.js';
import { Rng, WeightedTable, mixSeed } from './random.js';
import { buildRecord, flatString, recordBuffer, type RequestContext } from './record-builder.js';
import type { RequestPlan } from './request-plan.js';
import { CLIENT_MIX, CLIENTS, type Client, type ClientName } from './user-agents.js';
import { createViewer, ViewerPool, type Viewer } from './viewers.js';

export interface TrafficGeneratorOptions {
  readonly seed: number;
  readonly distributions: readonly DemoDistribution[];
  /** Fields to write, in CloudFront's canonical order. */
  readonly layout: Layout;
  /** When the simulation starts (epoch ms): anchors the geo-block bursts and the live event cycle. */
  readonly startMs: number;
  /**
   * The distributions' geo restrictions: true when a distribution refuses viewers from a country
   * (read per request, so a changed restriction applies to the next line). Default: none.
   */
  readonly blocksViewer?: (distributionId: string, countryCode: string) => boolean;
}

export interface TrafficGenerator {
  readonly layout: Layout;
  /**
   * `count` log lines (each ending in `\n`) with timestamps spread evenly over
   * `(nowMs - spanMs, nowMs]`, in time order.
   */
  linesAt(nowMs: number, count: number, spanMs?: number): string[];
  /**
   * Request-rate multiplier at `nowMs` (daily mean ≈ 1): the diurnal curve, the live audience and
   * geo-blocked bursts (which add requests on top of normal traffic).
   */
  loadFactor(nowMs: number): number;
  /** The live event's audience (0.08–1). */
  liveAudience(nowMs: number): number;
  geoBlockBurstAt(nowMs: number): GeoBlockBurst | null;
  geoBlockBurstsUntil(untilMs: number): readonly GeoBlockBurst[];
}

type StreamKind = 'web' | 'api' | 'downloads' | 'vod' | 'live' | 'video-page';

/** Relative request share of each stream (live is scaled by the audience). */
const STREAM_WEIGHT: Readonly<Record<StreamKind, number>> = {
  web: 40,
  api: 10,
  downloads: 4,
  vod: 24,
  'video-page': 3,
  live: 26,
};

const PROFILE_STREAMS: Readonly<Record<TrafficProfile, readonly StreamKind[]>> = {
  web: ['web'],
  api: ['api'],
  downloads: ['downloads'],
  video: ['vod', 'video-page', 'live'],
};

const BURST_TARGET_WEIGHT: Readonly<Record<TrafficProfile, number>> = { video: 3, web: 3, api: 2, downloads: 1 };

const REQUEST_ID_CODES = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (c) => c.charCodeAt(0));

/** Share of browser requests typed as http:// (answered with a redirect to https). */
const PLAIN_HTTP_SHARE = { browser: 0.01, other: 0.002 } as const;

const COUNTRY_BY_CODE = new Map<string, Country>([...VIEWER_COUNTRIES, ...GEO_BLOCKED_COUNTRIES].map((c) => [c.code, c]));
const countryByCode = (code: string): Country | undefined => COUNTRY_BY_CODE.get(code);

function clientTable(mix: Partial<Record<ClientName, number>>): WeightedTable<Client> {
  return new WeightedTable((Object.entries(mix) as Array<[ClientName, number]>).map(([name, w]) => [CLIENTS[name], w] as const));
}

/** Requests per second of one stream over the last ten seconds of generated timestamps. */
class RateMeter {
  private readonly buckets = new Float64Array(10);
  private readonly seconds = new Float64Array(10).fill(-1);
  private firstSecond = -1;

  add(ms: number): void {
    const sec = Math.floor(ms / 1000);
    if (this.firstSecond < 0) this.firstSecond = sec;
    const i = sec % 10;
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
  }

  perSecond(ms: number): number {
    const sec = Math.floor(ms / 1000);
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const s = this.seconds[i] ?? -1;
      if (s > sec - 10 && s <= sec) total += this.buckets[i] ?? 0;
    }
    const span = Math.max(1, Math.min(10, sec - this.firstSecond + 1));
    return total / span;
  }
}

interface Stream {
  readonly kind: StreamKind;
  readonly distribution: DistributionRuntime;
}

class DistributionRuntime {
  readonly viewers: ViewerPool;
  private readonly web: WebContent | null;
  private readonly api: ApiContent | null;
  private readonly downloads: DownloadsContent | null;
  readonly video: VideoContent | null;

  constructor(
    readonly index: number,
    readonly distribution: DemoDistribution,
    seed: number,
    /** Where the demo website lives, for the API's CORS origin and referers. */
    webOrigin: string,
    newViewer: (rng: Rng, clients: WeightedTable<Client>) => Viewer,
  ) {
    const rng = new Rng(mixSeed(seed, 0xd157, index));
    const host = distribution.aliases[0] ?? distribution.domainName;
    const profile = distribution.profile;
    const clients = clientTable(CLIENT_MIX[profile]);
    this.viewers = new ViewerPool(profile === 'api' ? 2_000 : 3_000, 0.02, (r) => newViewer(r, clients));
    this.web = profile === 'web' ? new WebContent(rng, host) : null;
    this.api = profile === 'api' ? new ApiContent(rng, webOrigin) : null;
    this.downloads = profile === 'downloads' ? new DownloadsContent(rng, webOrigin) : null;
    this.video = profile === 'video' ? new VideoContent(rng, { newViewer: (r) => newViewer(r, clients) }, host) : null;
  }

  /** A plan for a viewer outside any session (also used for geo-blocked requests). */
  plan(rng: Rng, viewer: Viewer): RequestPlan {
    if (this.web) return this.web.next(rng, viewer);
    if (this.api) return this.api.next(rng, viewer);
    if (this.downloads) return this.downloads.next(rng, viewer);
    if (this.video) return rng.chance(0.5) ? this.video.pageRequest(rng) : this.video.probeRequest(rng);
    throw new Error(`no content model for profile ${this.distribution.profile}`);
  }

  host(rng: Rng): string {
    const aliases = this.distribution.aliases;
    if (aliases.length === 0 || rng.chance(CLOUDFRONT_DOMAIN_SHARE)) return this.distribution.domainName;
    return aliases.length === 1 ? (aliases[0] as string) : rng.pick(aliases);
  }
}

class CloudFrontTrafficGenerator implements TrafficGenerator {
  readonly layout: Layout;
  private readonly rng: Rng;
  private readonly idRng: Rng;
  private readonly indexes: Int32Array;
  private readonly record = recordBuffer();
  private readonly buildOptions: { readonly headers: boolean };
  private readonly blocksViewer: ((distributionId: string, countryCode: string) => boolean) | null;
  /** Character codes of the request id being built; the last two stay `==`. */
  private readonly idCodes: number[] = new Array<number>(56).fill(61);
  private readonly runtimes: readonly DistributionRuntime[];
  private readonly schedule: GeoBlockSchedule;
  private readonly audience: LiveAudience;
  private readonly meters = { vod: new RateMeter(), live: new RateMeter() };
  private readonly burstViewers = new Map<number, ViewerPool>();
  private readonly abuseClients = clientTable(CLIENT_MIX.abuse);
  private readonly baseWeight: number;
  private readonly liveWeight: number;
  private streamTableSecond = Number.NaN;
  private streamTable: WeightedTable<Stream> | null = null;
  /** Time of the line being generated; viewers created now get this time's country mix. */
  private clockMs: number;

  constructor(options: TrafficGeneratorOptions) {
    if (options.distributions.length === 0) throw new Error('the traffic generator needs at least one distribution');
    if (!Number.isFinite(options.startMs)) throw new Error(`startMs must be a finite epoch ms, got ${options.startMs}`);
    this.layout = options.layout;
    this.blocksViewer = options.blocksViewer ?? null;
    this.rng = new Rng(mixSeed(options.seed, 0x7aff1c));
    // Request ids also depend on the start time, so two runs with one seed never repeat an id.
    this.idRng = new Rng(mixSeed(options.seed, 0x1d, options.startMs));
    this.indexes = Int32Array.from(options.layout.fields.map((f) => f.position - 1));
    this.buildOptions = { headers: options.layout.names.includes('cs-headers') || options.layout.names.includes('cs-header-names') };
    this.clockMs = options.startMs;
    const newViewer = (rng: Rng, clients: WeightedTable<Client>): Viewer =>
      createViewer(rng, clients.pick(rng), countriesAt(this.clockMs).pick(rng), countryByCode);
    const website = options.distributions.find((d) => d.profile === 'web');
    const webOrigin = `https://${website?.aliases[0] ?? website?.domainName ?? 'www.example.com'}`;
    this.runtimes = options.distributions.map((d, i) => new DistributionRuntime(i, d, options.seed, webOrigin, newViewer));
    this.schedule = new GeoBlockSchedule(
      options.seed,
      options.startMs,
      new WeightedTable(this.runtimes.map((r) => [r.index, BURST_TARGET_WEIGHT[r.distribution.profile]] as const)),
    );
    this.audience = new LiveAudience(options.seed, options.startMs);
    let base = 0;
    let live = 0;
    for (const r of this.runtimes) {
      for (const kind of PROFILE_STREAMS[r.distribution.profile]) {
        if (kind === 'live') live += STREAM_WEIGHT.live;
        else base += STREAM_WEIGHT[kind];
      }
    }
    this.baseWeight = base;
    this.liveWeight = live;
  }

  linesAt(nowMs: number, count: number, spanMs = 0): string[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    if (!Number.isFinite(nowMs) || !(spanMs >= 0)) throw new RangeError(`bad clock: nowMs ${nowMs}, spanMs ${spanMs}`);
    const lines = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const ts = Math.round(nowMs - spanMs + (spanMs * (i + 1)) / count);
      lines[i] = this.line(ts);
    }
    return lines;
  }

  loadFactor(nowMs: number): number {
    const liveNow = this.liveWeight * this.audience.at(nowMs);
    const liveMean = this.liveWeight * LIVE_AUDIENCE_MEAN;
    const burst = this.schedule.burstAt(nowMs);
    return diurnalFactor(nowMs) * ((this.baseWeight + liveNow) / (this.baseWeight + liveMean)) * (1 + (burst?.intensity ?? 0));
  }

  liveAudience(nowMs: number): number {
    return this.audience.at(nowMs);
  }

  geoBlockBurstAt(nowMs: number): GeoBlockBurst | null {
    return this.schedule.burstAt(nowMs);
  }

  geoBlockBurstsUntil(untilMs: number): readonly GeoBlockBurst[] {
    return this.schedule.burstsUntil(untilMs);
  }

  private line(ts: number): string {
    this.clockMs = ts;
    const rng = this.rng;
    const burst = this.schedule.burstAt(ts);
    if (burst && rng.chance(burst.intensity / (1 + burst.intensity))) {
      const runtime = this.runtimes[burst.distributionIndex];
      if (runtime) return this.geoBlockedLine(ts, burst, runtime);
    }
    const stream = this.streams(ts).pick(rng);
    const runtime = stream.distribution;
    let viewer: Viewer;
    let plan: RequestPlan;
    if (stream.kind === 'vod' || stream.kind === 'live') {
      const meter = this.meters[stream.kind];
      meter.add(ts);
      const video = runtime.video;
      if (!video) throw new Error('video stream without a video content model');
      const request = stream.kind === 'vod' ? video.vodRequest(rng, ts, meter.perSecond(ts)) : video.liveRequest(rng, ts, meter.perSecond(ts));
      viewer = request.viewer;
      plan = request.plan;
    } else {
      viewer = runtime.viewers.pick(rng);
      plan = stream.kind === 'video-page' && runtime.video ? runtime.video.pageRequest(rng) : runtime.plan(rng, viewer);
    }
    if (this.blocksViewer?.(runtime.distribution.id, viewer.country.code) === true) {
      // The edge refuses the request before any cache lookup: a ClientGeoBlocked 403.
      plan.cmcd = null;
      return this.emit(ts, runtime, viewer, plan, 'geo-blocked', 'https');
    }
    const browser = viewer.client.kind === 'desktop' || viewer.client.kind === 'mobile' || viewer.client.kind === 'tablet';
    const plainHttp = plan.websocket === null && rng.chance(browser ? PLAIN_HTTP_SHARE.browser : PLAIN_HTTP_SHARE.other);
    return this.emit(ts, runtime, viewer, plan, plainHttp ? 'redirect-to-https' : null, plainHttp ? 'http' : plan.websocket ? 'wss' : 'https');
  }

  private geoBlockedLine(ts: number, burst: GeoBlockBurst, runtime: DistributionRuntime): string {
    let pool = this.burstViewers.get(burst.index);
    if (!pool) {
      // A burst comes from a few dozen addresses; forget the previous bursts' viewers.
      this.burstViewers.clear();
      pool = new ViewerPool(40, 0, (r) => createViewer(r, this.abuseClients.pick(r), burst.countries.pick(r), countryByCode));
      this.burstViewers.set(burst.index, pool);
    }
    const viewer = pool.pick(this.rng);
    const plan = runtime.plan(this.rng, viewer);
    plan.cmcd = null;
    return this.emit(ts, runtime, viewer, plan, 'geo-blocked', 'https');
  }

  private emit(
    ts: number,
    runtime: DistributionRuntime,
    viewer: Viewer,
    plan: RequestPlan,
    forced: ForcedOutcome | null,
    protocol: RequestContext['protocol'],
  ): string {
    const rng = this.rng;
    const outcome = decideOutcome(rng, plan, forced);
    const h1 = viewer.httpVersion === 'HTTP/1.0' ? 'HTTP/1.0' : 'HTTP/1.1';
    const ctx: RequestContext = {
      timestampMs: ts,
      requestId: this.requestId(),
      distributionDomain: runtime.distribution.domainName,
      host: runtime.host(rng),
      protocol,
      // HTTP/2 and HTTP/3 need TLS; WebSocket upgrades run over HTTP/1.1.
      httpVersion: protocol === 'https' ? viewer.httpVersion : protocol === 'wss' ? 'HTTP/1.1' : h1,
    };
    const values = this.record;
    buildRecord(values, rng, ctx, viewer, plan, outcome, this.buildOptions);
    const idx = this.indexes;
    let line = values[idx[0] ?? 0] ?? '-';
    for (let i = 1; i < idx.length; i++) line += '\t' + (values[idx[i] ?? 0] ?? '-');
    // Concatenation leaves a rope (a tree of ~130 pieces); callers keep thousands of lines alive and
    // copying ropes made garbage collection the main cost, so store each line flat.
    return flatString(line + '\n');
  }

  /** 54 URL-safe base64 characters and `==`, like CloudFront's x-edge-request-id. */
  private requestId(): string {
    const codes = this.idCodes;
    for (let i = 0; i < 9; i++) {
      let bits = this.idRng.uint32();
      for (let j = 0; j < 6; j++) {
        codes[i * 6 + j] = REQUEST_ID_CODES[bits & 63] ?? 65;
        bits >>>= 5;
      }
    }
    return String.fromCharCode(...codes);
  }

  private streams(ts: number): WeightedTable<Stream> {
    const second = Math.floor(ts / 1000);
    if (this.streamTable && second === this.streamTableSecond) return this.streamTable;
    const audience = this.audience.at(ts);
    const entries: Array<readonly [Stream, number]> = [];
    for (const r of this.runtimes) {
      for (const kind of PROFILE_STREAMS[r.distribution.profile]) {
        entries.push([{ kind, distribution: r }, kind === 'live' ? STREAM_WEIGHT.live * audience : STREAM_WEIGHT[kind]]);
      }
    }
    this.streamTable = new WeightedTable(entries);
    this.streamTableSecond = second;
    return this.streamTable;
  }
}

export function createTrafficGenerator(options: TrafficGeneratorOptions): TrafficGenerator {
  return new CloudFrontTrafficGenerator(options);
}
