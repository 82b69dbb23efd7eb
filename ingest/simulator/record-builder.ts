/**
 * Builds the full CloudFront record (all catalogue fields, as logged) for one request: a viewer, a
 * plan and an edge outcome. Timings, byte counts and headers are made consistent with each other
 * (origin fields only when the origin was contacted, `sc-bytes` = headers + body, headers truncated
 * at 800 bytes like CloudFront's). Values are percent-encoded here; the caller projects the layout.
 */
import { F, FIELD_COUNT } from '../../processor/fields/catalogue.js';
import type { EdgeOutcome } from './edge-outcome.js';
import { encodeLogValue, encodeOptional, encodeRepeated } from './percent-encoding.js';
import type { Rng } from './random.js';
import { HEADER_LIMIT_BYTES, requestHeaderFields } from './request-headers.js';
import type { CmcdValues, RequestPlan } from './request-plan.js';
import type { HttpVersion } from './user-agents.js';
import type { Viewer } from './viewers.js';

export interface RequestContext {
  readonly timestampMs: number;
  readonly requestId: string;
  /** `x-host-header`: the distribution's CloudFront domain. */
  readonly distributionDomain: string;
  /** `cs-host`: what the viewer put in Host. */
  readonly host: string;
  readonly protocol: 'http' | 'https' | 'wss';
  readonly httpVersion: HttpVersion;
}

const NEVER = -1.5;

/**
 * Makes V8 store a concatenated string flat: converting it to a number flattens it in place.
 * Comparing the result keeps the conversion from being optimised away.
 */
export function flatString(text: string): string {
  return Number(text) === NEVER ? text.slice(0) : text;
}

/** Seconds with millisecond resolution, as CloudFront writes durations. */
export function formatSeconds(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  const s = Math.floor(whole / 1000);
  const frac = whole - s * 1000;
  return s.toString() + (frac < 10 ? '.00' : frac < 100 ? '.0' : '.') + frac.toString();
}

export function formatTimestamp(ms: number): string {
  return formatSeconds(ms);
}

interface Timings {
  ttfbMs: number;
  takenMs: number;
  originFblMs: number | null;
  originLblMs: number | null;
}

function timings(rng: Rng, viewer: Viewer, plan: RequestPlan, outcome: EdgeOutcome): Timings {
  const edgeMs = rng.logNormal(1.2, 0.6) + outcome.edgeDelayMs;
  const transferMs = outcome.bodyBytes / viewer.bytesPerMs;
  const originRtt = viewer.originLatencyMs * 2;
  switch (outcome.upstream) {
    case 'none': {
      const ttfb = edgeMs;
      return { ttfbMs: ttfb, takenMs: ttfb + transferMs + rng.uniform(0, 1), originFblMs: null, originLblMs: null };
    }
    case 'shield':
    case 'revalidate':
    case 'fetch': {
      // Shield: a regional hop (a fraction of the origin round trip) and no origin work.
      const full = outcome.upstream === 'fetch';
      const rtt = outcome.upstream === 'shield' ? originRtt * 0.35 + 2 : originRtt;
      const work = full ? plan.originWorkMs : outcome.upstream === 'revalidate' ? plan.originWorkMs * 0.2 : 1;
      const fbl = rtt + work;
      const originBytes = outcome.upstream === 'revalidate' ? 0 : outcome.bodyBytes;
      const lbl = fbl + originBytes / 60_000 + (originBytes > 0 ? rng.uniform(0, 2) : 0);
      if (plan.websocket) {
        const open = plan.websocket.durationMs;
        return { ttfbMs: fbl + edgeMs, takenMs: open, originFblMs: fbl, originLblMs: open - rng.uniform(0, 5) };
      }
      const ttfb = fbl + edgeMs;
      const taken = Math.max(lbl, ttfb + transferMs) + rng.uniform(0, 1.5);
      return { ttfbMs: ttfb, takenMs: taken, originFblMs: fbl, originLblMs: lbl };
    }
    case 'connect-failed': {
      // Connection attempts time out (or DNS fails fast); no byte came back.
      const wait = outcome.detailedType === 'OriginDnsError' ? rng.uniform(5, 60) : rng.uniform(1_000, 30_000);
      return { ttfbMs: wait + edgeMs, takenMs: wait + edgeMs + 1, originFblMs: null, originLblMs: null };
    }
    case 'timed-out': {
      const wait = 30_000 + rng.uniform(0, 120);
      return { ttfbMs: wait + edgeMs, takenMs: wait + edgeMs + 1, originFblMs: null, originLblMs: null };
    }
    case 'broken': {
      const fbl = originRtt + plan.originWorkMs;
      const lbl = fbl + rng.uniform(1, 500);
      return { ttfbMs: lbl + edgeMs, takenMs: lbl + edgeMs + 1, originFblMs: fbl, originLblMs: lbl };
    }
  }
}

function cmcdValue(value: string | number | boolean | undefined): string {
  if (value === undefined || value === false) return '-';
  if (value === true) return 'true';
  return typeof value === 'number' ? value.toString() : encodeLogValue(value);
}

function writeCmcd(out: string[], cmcd: CmcdValues): void {
  out[F.cmcd_encoded_bitrate] = cmcdValue(cmcd.br);
  out[F.cmcd_buffer_length] = cmcdValue(cmcd.bl);
  out[F.cmcd_buffer_starvation] = cmcdValue(cmcd.bs);
  out[F.cmcd_content_id] = cmcdValue(cmcd.cid);
  out[F.cmcd_object_duration] = cmcdValue(cmcd.d);
  out[F.cmcd_deadline] = cmcdValue(cmcd.dl);
  out[F.cmcd_measured_throughput] = cmcdValue(cmcd.mtp);
  out[F.cmcd_next_object_request] = cmcdValue(cmcd.nor);
  out[F.cmcd_next_range_request] = cmcdValue(cmcd.nrr);
  out[F.cmcd_object_type] = cmcdValue(cmcd.ot);
  out[F.cmcd_playback_rate] = cmcdValue(cmcd.pr);
  out[F.cmcd_requested_maximum_throughput] = cmcdValue(cmcd.rtp);
  out[F.cmcd_streaming_format] = cmcdValue(cmcd.sf);
  out[F.cmcd_session_id] = cmcdValue(cmcd.sid);
  out[F.cmcd_stream_type] = cmcdValue(cmcd.st);
  out[F.cmcd_startup] = cmcdValue(cmcd.su);
  out[F.cmcd_top_bitrate] = cmcdValue(cmcd.tb);
  out[F.cmcd_version] = cmcdValue(cmcd.v);
}

/** Response headers CloudFront sends (x-cache, via, x-amz-cf-pop, x-amz-cf-id, …): a few hundred bytes. */
function responseHeaderBytes(rng: Rng, outcome: EdgeOutcome): number {
  if (outcome.status === '000') return 0;
  return 310 + rng.int(260) + (outcome.contentType?.length ?? 0);
}

export interface BuildOptions {
  /** Encode cs-headers / cs-header-names (skipped when the layout has neither; uses no randomness). */
  readonly headers: boolean;
}

/** A reusable array for `buildRecord`: one slot per catalogue field. */
export function recordBuffer(): string[] {
  return Array.from({ length: FIELD_COUNT }, () => '-');
}

/**
 * Writes every catalogue field of one record, as logged, into `out` (index = `F.<column>`); fields
 * that do not apply are `-`. `out` is reused between records to spare the allocation.
 */
export function buildRecord(
  out: string[],
  rng: Rng,
  ctx: RequestContext,
  viewer: Viewer,
  plan: RequestPlan,
  outcome: EdgeOutcome,
  options: BuildOptions,
): void {
  out.fill('-');
  const t = timings(rng, viewer, plan, outcome);
  // Ephemeral ports: Windows and macOS use 49152–65535, Linux-based systems 32768–60999.
  const port = viewer.client.kind === 'desktop' || viewer.client.kind === 'tablet' ? rng.between(49152, 65535) : rng.between(32768, 60999);
  const responseHeaders = responseHeaderBytes(rng, outcome);

  out[F.timestamp] = formatTimestamp(ctx.timestampMs);
  out[F.c_ip] = viewer.ip;
  out[F.s_ip] = viewer.serverIp;
  out[F.time_to_first_byte] = formatSeconds(t.ttfbMs);
  out[F.sc_status] = outcome.status;
  out[F.sc_bytes] = String(responseHeaders + outcome.bodyBytes);
  out[F.cs_method] = plan.method;
  out[F.cs_protocol] = ctx.protocol;
  out[F.cs_host] = ctx.host;
  // cs-uri-stem carries the query too (reference §1.9); encode the query once for both fields.
  const hasQuery = plan.query !== null && plan.query !== '';
  const query = hasQuery ? encodeLogValue(plan.query ?? '') : '-';
  out[F.cs_uri_stem] = hasQuery ? encodeLogValue(plan.path) + '?' + query : encodeLogValue(plan.path);
  out[F.x_edge_location] = viewer.pop;
  out[F.x_edge_request_id] = ctx.requestId;
  out[F.x_host_header] = ctx.distributionDomain;
  out[F.time_taken] = formatSeconds(Math.max(t.takenMs, t.ttfbMs));
  out[F.cs_protocol_version] = ctx.httpVersion;
  out[F.c_ip_version] = viewer.ipVersion;
  out[F.cs_user_agent] = viewer.userAgentLogged;
  out[F.cs_referer] = plan.referer === null ? '-' : encodeRepeated(plan.referer);
  out[F.cs_cookie] = plan.cookie === null ? '-' : encodeLogValue(plan.cookie.slice(0, HEADER_LIMIT_BYTES));
  out[F.cs_uri_query] = query;
  out[F.x_edge_response_result_type] = outcome.responseResultType;
  out[F.x_forwarded_for] = encodeOptional(viewer.forwardedFor);
  if (ctx.protocol !== 'http') {
    out[F.ssl_protocol] = viewer.tlsProtocol;
    out[F.ssl_cipher] = viewer.tlsCipher;
  }
  out[F.x_edge_result_type] = outcome.resultType;
  if (plan.fle !== null && outcome.upstream === 'fetch') {
    out[F.fle_encrypted_fields] = String(plan.fle.encryptedFields);
    out[F.fle_status] = plan.fle.status;
  }
  out[F.sc_content_type] = outcome.contentType === null ? '-' : encodeRepeated(outcome.contentType);
  out[F.sc_content_len] = outcome.contentLength === null ? '-' : String(outcome.contentLength);
  if (outcome.ranged && plan.range) {
    out[F.sc_range_start] = String(plan.range.start);
    out[F.sc_range_end] = String(plan.range.end);
  }
  out[F.c_port] = String(port);
  out[F.x_edge_detailed_result_type] = outcome.detailedType;
  out[F.c_country] = viewer.country.code;
  out[F.cs_accept_encoding] = viewer.client.acceptEncoding === null ? '-' : encodeRepeated(viewer.client.acceptEncoding);
  out[F.cs_accept] = plan.accept === null ? '-' : encodeRepeated(plan.accept);
  out[F.cache_behavior_path_pattern] = encodeRepeated(plan.pathPattern);
  const hf = requestHeaderFields(viewer, plan, ctx, options.headers);
  if (options.headers) {
    out[F.cs_headers] = hf.headers;
    out[F.cs_header_names] = hf.names;
  }
  out[F.cs_headers_count] = String(hf.count);
  out[F.cs_bytes] = String(hf.requestBytes);
  if (t.originFblMs !== null) out[F.origin_fbl] = formatSeconds(t.originFblMs);
  if (t.originLblMs !== null) out[F.origin_lbl] = formatSeconds(Math.max(t.originLblMs, t.originFblMs ?? 0));
  out[F.asn] = String(viewer.asn);
  if (plan.cmcd !== null) writeCmcd(out, plan.cmcd);
}
