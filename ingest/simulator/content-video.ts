/**
 * The video platform: playback sessions for video on demand (HLS, DASH, Microsoft Smooth Streaming)
 * and a live event (HLS and DASH), each sending CMCD. A session belongs to one viewer, keeps its
 * CMCD session id, walks manifest → init → segments, adapts its bitrate and buffer, and live
 * viewers refresh their manifest every segment. The live audience grows and shrinks with the
 * event's cycle: the pool of active live sessions follows it.
 */
import { basePlan, type CmcdValues, type RequestPlan } from './request-plan.js';
import { zipfTable, type Rng, type WeightedTable } from './random.js';
import type { Viewer } from './viewers.js';

type Format = 'hls' | 'dash' | 'smooth';
type StreamType = 'v' | 'l';

interface Rendition {
  readonly kbps: number;
  readonly name: string;
}

const LADDER: readonly Rendition[] = [
  { kbps: 400, name: '360p_400k' },
  { kbps: 800, name: '480p_800k' },
  { kbps: 1500, name: '540p_1500k' },
  { kbps: 3000, name: '720p_3000k' },
  { kbps: 4500, name: '1080p_4500k' },
  { kbps: 6000, name: '1080p_6000k' },
];
const AUDIO_KBPS = 128;
const SEGMENT_MS: Readonly<Record<Format, number>> = { hls: 6000, dash: 4000, smooth: 2000 };
const SF: Readonly<Record<Format, 'h' | 'd' | 's'>> = { hls: 'h', dash: 'd', smooth: 's' };
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';

const TYPES = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/MP2T',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  mpd: 'application/dash+xml',
  smoothManifest: 'text/xml',
  smoothAudio: 'audio/mp4',
} as const;

interface Title {
  readonly id: string;
  readonly slug: string;
  readonly segmentsHls: number;
  readonly premium: boolean;
  /** HLS packaging: transport stream (muxed) or CMAF fMP4. */
  readonly hlsTs: boolean;
  readonly rank: number;
}

interface Session {
  readonly sid: string;
  readonly viewer: Viewer;
  readonly format: Format;
  readonly stream: StreamType;
  readonly title: Title;
  readonly queryCmcd: boolean;
  readonly topIndex: number;
  readonly rtp: number | null;
  readonly playbackRate: number;
  readonly endAfter: number;
  /** Signed-URL parameters, issued once per playback session (premium titles only). */
  readonly signedQuery: string;
  step: number;
  segment: number;
  rendition: number;
  bufferMs: number;
  rebuffering: boolean;
  lastMs: number;
  audioNext: boolean;
}

/** What one video request is about, before it becomes a plan. */
interface VideoObject {
  path: string;
  contentType: string;
  bytes: number;
  ot: string;
  kbps: number | null;
  durationMs: number | null;
  next: string | null;
  startup: boolean;
}

const TITLE_WORDS = ['ocean', 'night', 'city', 'frontier', 'echo', 'northern', 'silent', 'golden', 'last', 'river', 'signal', 'glass', 'winter', 'orbit'];

const LIVE_EVENT: Title = { id: 'live-championship-final', slug: 'championship-final', segmentsHls: 0, premium: false, hlsTs: true, rank: 0 };

function pad5(n: number): string {
  return n.toString().padStart(5, '0');
}

export interface VideoPlayers {
  /** Creates the viewer for a new playback session. */
  newViewer(rng: Rng): Viewer;
}

export interface VideoRequest {
  readonly plan: RequestPlan;
  /** The session's viewer: a playback session keeps one viewer throughout. */
  readonly viewer: Viewer;
}

/** Seconds between two requests of one session, used to size the set of active sessions. */
const SECONDS_BETWEEN_REQUESTS = { vod: 4, live: 3 } as const;

export class VideoContent {
  private readonly titles: WeightedTable<Title>;
  private readonly vod: Array<Session | undefined>;
  private readonly live: Array<Session | undefined>;
  private readonly pageOrigin: string;

  constructor(
    rng: Rng,
    private readonly players: VideoPlayers,
    host: string,
    options: { maxVodSessions?: number; maxLiveSessions?: number } = {},
  ) {
    const titles: Title[] = Array.from({ length: 60 }, (_, i) => {
      const slug = `${rng.pick(TITLE_WORDS)}-${rng.pick(TITLE_WORDS)}-${i + 1}`;
      return {
        id: `vod-${(1000 + i).toString()}-${slug}`.slice(0, 64),
        slug,
        segmentsHls: rng.between(150, 1200),
        premium: i % 9 === 4,
        hlsTs: rng.chance(0.4),
        rank: i / 59,
      };
    });
    this.titles = zipfTable(titles, 1.0);
    this.vod = new Array<Session | undefined>(options.maxVodSessions ?? 1500);
    this.live = new Array<Session | undefined>(options.maxLiveSessions ?? 2500);
    this.pageOrigin = `https://${host}`;
  }

  /** Player page assets and thumbnails: the video site's non-video requests. */
  pageRequest(rng: Rng): RequestPlan {
    const title = this.titles.pick(rng);
    const poster = rng.chance(0.7);
    return basePlan({
      path: poster ? `/thumbs/${title.slug}/poster-${rng.pick([320, 640, 1280])}.jpg` : `/player/player.${'8f3a2c1d'}.js`,
      pathPattern: '*',
      kind: poster ? 'image' : 'script',
      contentType: poster ? 'image/jpeg' : 'application/javascript',
      objectBytes: poster ? rng.between(18_000, 160_000) : 284_112,
      cache: { hit: 0.96, refreshHit: 0.01 },
      originShield: true,
      originWorkMs: rng.logNormal(15, 0.4),
      referer: `${this.pageOrigin}/watch/${title.slug}`,
      accept: poster ? 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8' : '*/*',
    });
  }

  /** A manifest fetched outside any player session (crawlers, scanners, blocked viewers). */
  probeRequest(rng: Rng): RequestPlan {
    const live = rng.chance(0.4);
    const title = live ? LIVE_EVENT : this.titles.pick(rng);
    const base = live ? '/live/' : title.premium ? '/premium/' : '/vod/';
    return basePlan({
      path: `${base}${title.slug}/hls/master.m3u8`,
      pathPattern: `${base}*`,
      kind: 'manifest',
      contentType: TYPES.m3u8,
      objectBytes: rng.between(1_400, 2_600),
      cache: { hit: 0.95, refreshHit: 0.02 },
      originShield: true,
      originWorkMs: rng.logNormal(20, 0.4),
    });
  }

  /**
   * The next request of a random on-demand session. `linesPerSecond` (the current rate of VOD
   * requests) sizes the set of sessions so each one asks every few seconds, as a player does.
   */
  vodRequest(rng: Rng, nowMs: number, linesPerSecond: number): VideoRequest {
    const slot = rng.int(activeSlots(this.vod.length, linesPerSecond * SECONDS_BETWEEN_REQUESTS.vod));
    let session = this.vod[slot];
    if (!session || session.step >= session.endAfter || nowMs - session.lastMs > 120_000) {
      session = this.newSession(rng, 'v', this.titles.pick(rng), nowMs);
      this.vod[slot] = session;
    }
    return this.advance(rng, session, nowMs);
  }

  /**
   * The next request of a live viewer. The live request rate follows the audience, and the number
   * of sessions follows the rate; sessions left idle when the audience falls expire, and fresh ones
   * start when it grows back.
   */
  liveRequest(rng: Rng, nowMs: number, linesPerSecond: number): VideoRequest {
    const slot = rng.int(activeSlots(this.live.length, linesPerSecond * SECONDS_BETWEEN_REQUESTS.live));
    let session = this.live[slot];
    if (!session || nowMs - session.lastMs > 30_000 || session.step >= session.endAfter) {
      session = this.newSession(rng, 'l', LIVE_EVENT, nowMs);
      this.live[slot] = session;
    }
    return this.advance(rng, session, nowMs);
  }

  private newSession(rng: Rng, stream: StreamType, title: Title, nowMs: number): Session {
    const viewer = this.players.newViewer(rng);
    const format: Format = stream === 'l' ? (rng.chance(0.65) ? 'hls' : 'dash') : rng.pick<Format>(['hls', 'hls', 'hls', 'dash', 'dash', 'smooth']);
    const browser = viewer.client.kind === 'desktop' || viewer.client.kind === 'mobile' || viewer.client.kind === 'tablet';
    const topIndex = viewer.client.kind === 'mobile' ? 3 : viewer.client.kind === 'tablet' ? 4 : LADDER.length - 1;
    const plannedSegments = stream === 'l' ? rng.between(40, 600) : Math.min(title.segmentsHls, Math.round(rng.logNormal(90, 0.9)));
    return {
      sid: rng.uuid(),
      viewer,
      format,
      stream,
      title,
      queryCmcd: browser && rng.chance(0.6),
      topIndex,
      rtp: rng.chance(0.2) ? Math.round((LADDER[topIndex]?.kbps ?? 6000) * 2.5 / 100) * 100 : null,
      playbackRate: stream === 'v' && rng.chance(0.03) ? rng.pick([1.25, 1.5, 2]) : 1,
      // Requests per session: manifests and inits plus video (and audio) segments.
      endAfter: 4 + plannedSegments * (format === 'hls' && title.hlsTs ? 1 : 2),
      signedQuery: title.premium
        ? `Expires=${Math.floor(nowMs / 1000) + 6 * 3600}&Signature=${rng.hex(40)}~${rng.hex(12)}__&Key-Pair-Id=${KEY_PAIR_ID}`
        : '',
      step: 0,
      segment: 0,
      rendition: Math.min(topIndex, rng.between(1, 3)),
      bufferMs: 0,
      rebuffering: false,
      lastMs: nowMs,
      audioNext: false,
    };
  }

  private advance(rng: Rng, s: Session, nowMs: number): VideoRequest {
    const obj = s.stream === 'l' ? this.liveObject(rng, s, nowMs) : this.vodObject(rng, s);
    s.step++;
    s.lastMs = nowMs;
    const segment = obj.ot === 'v' || obj.ot === 'a' || obj.ot === 'av';
    if (segment) this.afterSegment(rng, s, obj);
    const base = s.stream === 'l' ? '/live/' : s.title.premium ? '/premium/' : '/vod/';
    const cmcd = this.cmcdFor(rng, s, obj);
    const plan = basePlan({
      path: obj.path,
      pathPattern: `${base}*`,
      kind: obj.ot === 'm' ? 'manifest' : obj.ot === 'i' ? 'init' : 'segment',
      contentType: obj.contentType,
      objectBytes: obj.bytes,
      cache: s.stream === 'l'
        ? obj.ot === 'm' ? { hit: 0.86, refreshHit: 0.1 } : { hit: 0.975, refreshHit: 0.005 }
        : { hit: 0.975 - 0.04 * s.title.rank, refreshHit: 0.006 },
      originShield: true,
      originWorkMs: obj.ot === 'm' && s.stream === 'l' ? rng.logNormal(30, 0.4) : rng.logNormal(18, 0.5),
      referer: s.viewer.client.kind === 'desktop' || s.viewer.client.kind === 'mobile' || s.viewer.client.kind === 'tablet'
        ? `${this.pageOrigin}/watch/${s.title.slug}` : null,
      cmcd,
    });
    const queryParts: string[] = [];
    if (s.title.premium) {
      queryParts.push(s.signedQuery);
      const r = rng.next();
      if (r < 0.035) plan.denial = 'signed-url-expired';
      else if (r < 0.045) {
        plan.denial = 'signed-url-missing';
        queryParts.length = 0;
      }
    }
    if (s.queryCmcd) queryParts.push(`CMCD=${encodeURIComponent(cmcdPayload(cmcd))}`);
    else plan.extraHeaders.push(...cmcdHeaders(cmcd));
    if (queryParts.length > 0) plan.query = queryParts.join('&');
    if (plan.referer) plan.extraHeaders.push(['origin', this.pageOrigin]);
    return { plan, viewer: s.viewer };
  }

  private afterSegment(rng: Rng, s: Session, obj: VideoObject): void {
    const durationMs = obj.durationMs ?? SEGMENT_MS[s.format];
    s.rebuffering = false;
    if (s.stream === 'l') {
      s.bufferMs = Math.max(2_000, Math.min(20_000, s.bufferMs + durationMs * rng.uniform(0.7, 1.2) - durationMs * 0.9));
      if (s.bufferMs < 4_000) s.bufferMs += durationMs;
    } else {
      s.bufferMs = Math.min(30_000, s.bufferMs + durationMs * rng.uniform(0.6, 1.5) * (s.bufferMs > 20_000 ? 0.5 : 1));
    }
    if (rng.chance(0.008)) {
      s.bufferMs = rng.between(0, 400);
      s.rebuffering = true;
    }
    // Adaptive bitrate: move up when throughput leaves headroom, down after a stall.
    const mtpKbps = s.viewer.bytesPerMs * 8;
    const current = LADDER[s.rendition]?.kbps ?? 400;
    if (s.rebuffering || current * 1.2 > mtpKbps) s.rendition = Math.max(0, s.rendition - 1);
    else if (s.rendition < s.topIndex && (LADDER[s.rendition + 1]?.kbps ?? Infinity) * 1.5 < mtpKbps && rng.chance(0.3)) s.rendition++;
  }

  private vodObject(rng: Rng, s: Session): VideoObject {
    const prefix = `${s.title.premium ? '/premium' : '/vod'}/${s.title.slug}`;
    const rendition = renditionAt(s.rendition);
    const segMs = SEGMENT_MS[s.format];
    const segBytes = (kbps: number): number => Math.round(((kbps * segMs) / 8) * rng.uniform(0.85, 1.15));
    switch (s.format) {
      case 'hls': {
        const dir = `${prefix}/hls/${rendition.name}`;
        const ext = s.title.hlsTs ? 'ts' : 'm4s';
        if (s.step === 0) return manifest(`${prefix}/hls/master.m3u8`, TYPES.m3u8, rng.between(1_400, 2_600), `${rendition.name}/index.m3u8`, true);
        if (s.step === 1) return manifest(`${dir}/index.m3u8`, TYPES.m3u8, 60 * s.title.segmentsHls + 300, s.title.hlsTs ? `segment_${pad5(0)}.ts` : 'init.mp4', true);
        if (s.step === 2 && !s.title.hlsTs) return init(`${dir}/init.mp4`, TYPES.mp4, `segment_${pad5(0)}.m4s`);
        const n = s.segment++;
        return {
          path: `${dir}/segment_${pad5(n)}.${ext}`, contentType: s.title.hlsTs ? TYPES.ts : TYPES.m4s, bytes: segBytes(rendition.kbps + (s.title.hlsTs ? AUDIO_KBPS : 0)),
          ot: s.title.hlsTs ? 'av' : 'v', kbps: rendition.kbps, durationMs: segMs, next: `segment_${pad5(n + 1)}.${ext}`, startup: n < 2,
        };
      }
      case 'dash': {
        const dir = `${prefix}/dash`;
        if (s.step === 0) return manifest(`${dir}/manifest.mpd`, TYPES.mpd, rng.between(6_000, 14_000), `video_${rendition.kbps}k/init.m4s`, true);
        if (s.step === 1) return init(`${dir}/video_${rendition.kbps}k/init.m4s`, TYPES.mp4, `audio_${AUDIO_KBPS}k/init.m4s`);
        if (s.step === 2) return init(`${dir}/audio_${AUDIO_KBPS}k/init.m4s`, TYPES.mp4, `video_${rendition.kbps}k/segment_1.m4s`);
        return this.avSegment(s, segMs, (audio, n) => ({
          path: audio ? `${dir}/audio_${AUDIO_KBPS}k/segment_${n}.m4s` : `${dir}/video_${rendition.kbps}k/segment_${n}.m4s`,
          contentType: TYPES.m4s, bytes: segBytes(audio ? AUDIO_KBPS : rendition.kbps),
          next: audio ? `video_${rendition.kbps}k/segment_${n + 1}.m4s` : `audio_${AUDIO_KBPS}k/segment_${n}.m4s`,
        }), rendition);
      }
      case 'smooth': {
        const ism = `${prefix}/smooth/${s.title.slug}.ism`;
        if (s.step === 0) return manifest(`${ism}/Manifest`, TYPES.smoothManifest, rng.between(4_000, 9_000), `QualityLevels(${rendition.kbps * 1000})/Fragments(video=0)`, true);
        return this.avSegment(s, segMs, (audio, n) => {
          const t = (n - 1) * segMs * 10_000; // Smooth timestamps count 100 ns units
          return {
            path: audio ? `${ism}/QualityLevels(${AUDIO_KBPS * 1000})/Fragments(audio=${t})` : `${ism}/QualityLevels(${rendition.kbps * 1000})/Fragments(video=${t})`,
            contentType: audio ? TYPES.smoothAudio : TYPES.mp4, bytes: segBytes(audio ? AUDIO_KBPS : rendition.kbps),
            next: audio ? `QualityLevels(${rendition.kbps * 1000})/Fragments(video=${t + segMs * 10_000})` : `QualityLevels(${AUDIO_KBPS * 1000})/Fragments(audio=${t})`,
          };
        }, rendition);
      }
    }
  }

  /** Alternates video and audio segments; the segment number moves on after the audio one. */
  private avSegment(
    s: Session,
    segMs: number,
    make: (audio: boolean, n: number) => Pick<VideoObject, 'path' | 'contentType' | 'bytes' | 'next'>,
    rendition: Rendition,
  ): VideoObject {
    const audio = s.audioNext;
    s.audioNext = !audio;
    const n = s.segment + 1;
    if (audio) s.segment++;
    return { ...make(audio, n), ot: audio ? 'a' : 'v', kbps: audio ? AUDIO_KBPS : rendition.kbps, durationMs: segMs, startup: n <= 2 };
  }

  private liveObject(rng: Rng, s: Session, nowMs: number): VideoObject {
    const rendition = renditionAt(s.rendition);
    const segMs = SEGMENT_MS[s.format];
    // Viewers play three segments behind the live edge.
    const seq = Math.floor(nowMs / segMs) - 3;
    const segBytes = (kbps: number): number => Math.round(((kbps * segMs) / 8) * rng.uniform(0.85, 1.15));
    const prefix = `/live/${s.title.slug}`;
    if (s.format === 'hls') {
      const dir = `${prefix}/hls/${rendition.name}`;
      if (s.step === 0) return manifest(`${prefix}/hls/master.m3u8`, TYPES.m3u8, rng.between(1_400, 2_600), `${rendition.name}/index.m3u8`, true);
      // Every viewer reloads its media playlist once per segment (a few seconds) to find new segments.
      if (s.step % 2 === 1) return manifest(`${dir}/index.m3u8`, TYPES.m3u8, rng.between(900, 1_300), `segment_${seq}.ts`, s.step < 3);
      return {
        path: `${dir}/segment_${seq}.ts`, contentType: TYPES.ts, bytes: segBytes(rendition.kbps + AUDIO_KBPS), ot: 'av', kbps: rendition.kbps,
        durationMs: segMs, next: `index.m3u8`, startup: s.step < 5,
      };
    }
    const dir = `${prefix}/dash`;
    if (s.step === 0 || s.step % 3 === 0) return manifest(`${dir}/manifest.mpd`, TYPES.mpd, rng.between(3_000, 6_000), `video_${rendition.kbps}k/segment_${seq}.m4s`, s.step === 0);
    const audio = s.step % 3 === 2;
    return {
      path: audio ? `${dir}/audio_${AUDIO_KBPS}k/segment_${seq}.m4s` : `${dir}/video_${rendition.kbps}k/segment_${seq}.m4s`,
      contentType: TYPES.m4s, bytes: segBytes(audio ? AUDIO_KBPS : rendition.kbps), ot: audio ? 'a' : 'v', kbps: audio ? AUDIO_KBPS : rendition.kbps,
      durationMs: segMs, next: audio ? 'manifest.mpd' : `audio_${AUDIO_KBPS}k/segment_${seq}.m4s`, startup: s.step < 4,
    };
  }

  private cmcdFor(rng: Rng, s: Session, obj: VideoObject): CmcdValues {
    const cmcd: CmcdValues = {
      cid: s.title.id,
      ot: obj.ot,
      sf: SF[s.format],
      sid: s.sid,
      st: s.stream,
      v: 1,
    };
    const top = LADDER[s.topIndex]?.kbps ?? 6000;
    cmcd.tb = top;
    cmcd.mtp = Math.max(100, Math.round((s.viewer.bytesPerMs * 8 * rng.uniform(0.8, 1.2)) / 100) * 100);
    if (obj.next) cmcd.nor = obj.next;
    if (s.playbackRate !== 1) cmcd.pr = s.playbackRate;
    if (s.rtp !== null) cmcd.rtp = s.rtp;
    if (obj.startup || s.rebuffering) cmcd.su = true;
    if (obj.kbps !== null) {
      cmcd.br = obj.kbps;
      cmcd.d = obj.durationMs ?? undefined;
      const bl = Math.round(s.bufferMs / 100) * 100;
      cmcd.bl = bl;
      cmcd.dl = Math.round(bl / s.playbackRate / 100) * 100;
      if (s.rebuffering) cmcd.bs = true;
    }
    return cmcd;
  }
}

function renditionAt(index: number): Rendition {
  const rendition = LADDER[Math.max(0, Math.min(LADDER.length - 1, index))];
  if (!rendition) throw new Error('empty bitrate ladder');
  return rendition;
}

function activeSlots(capacity: number, wanted: number): number {
  return Math.max(1, Math.min(capacity, Math.ceil(wanted)));
}

function manifest(path: string, contentType: string, bytes: number, next: string | null, startup: boolean): VideoObject {
  return { path, contentType, bytes, ot: 'm', kbps: null, durationMs: null, next, startup };
}

function init(path: string, contentType: string, next: string): VideoObject {
  return { path, contentType, bytes: 900 + (path.length % 7) * 80, ot: 'i', kbps: null, durationMs: null, next, startup: true };
}

const CMCD_KEYS: ReadonlyArray<keyof CmcdValues> = ['bl', 'br', 'bs', 'cid', 'd', 'dl', 'mtp', 'nor', 'nrr', 'ot', 'pr', 'rtp', 'sf', 'sid', 'st', 'su', 'tb', 'v'];
const STRING_KEYS = new Set<keyof CmcdValues>(['cid', 'nor', 'nrr', 'sid']);

type CmcdHeader = 'CMCD-Object' | 'CMCD-Request' | 'CMCD-Session' | 'CMCD-Status';

/** CTA-5004 shards keys over four headers; order follows the spec's tables. */
const HEADER_OF: Readonly<Record<keyof CmcdValues, CmcdHeader>> = {
  br: 'CMCD-Object', d: 'CMCD-Object', ot: 'CMCD-Object', tb: 'CMCD-Object',
  bl: 'CMCD-Request', dl: 'CMCD-Request', mtp: 'CMCD-Request', nor: 'CMCD-Request', nrr: 'CMCD-Request', su: 'CMCD-Request',
  cid: 'CMCD-Session', pr: 'CMCD-Session', sf: 'CMCD-Session', sid: 'CMCD-Session', st: 'CMCD-Session', v: 'CMCD-Session',
  bs: 'CMCD-Status', rtp: 'CMCD-Status',
};

function cmcdPair(key: keyof CmcdValues, value: CmcdValues[keyof CmcdValues]): string | null {
  if (value === undefined || value === false) return null;
  if (value === true) return key;
  return STRING_KEYS.has(key) ? `${key}="${String(value)}"` : `${key}=${String(value)}`;
}

/** CTA-5004 payload: keys in alphabetical order, strings quoted, true booleans as bare keys. */
export function cmcdPayload(cmcd: CmcdValues): string {
  let out = '';
  for (const key of CMCD_KEYS) {
    const pair = cmcdPair(key, cmcd[key]);
    if (pair !== null) out = out === '' ? pair : out + ',' + pair;
  }
  return out;
}

/** The CMCD request headers (lowercase names; empty ones left out). */
export function cmcdHeaders(cmcd: CmcdValues): Array<readonly [string, string]> {
  let object = '';
  let request = '';
  let session = '';
  let status = '';
  for (const key of CMCD_KEYS) {
    const pair = cmcdPair(key, cmcd[key]);
    if (pair === null) continue;
    switch (HEADER_OF[key]) {
      case 'CMCD-Object':
        object = object === '' ? pair : object + ',' + pair;
        break;
      case 'CMCD-Request':
        request = request === '' ? pair : request + ',' + pair;
        break;
      case 'CMCD-Session':
        session = session === '' ? pair : session + ',' + pair;
        break;
      case 'CMCD-Status':
        status = status === '' ? pair : status + ',' + pair;
        break;
    }
  }
  const headers: Array<readonly [string, string]> = [];
  if (object !== '') headers.push(['cmcd-object', object]);
  if (request !== '') headers.push(['cmcd-request', request]);
  if (session !== '') headers.push(['cmcd-session', session]);
  if (status !== '') headers.push(['cmcd-status', status]);
  return headers;
}
