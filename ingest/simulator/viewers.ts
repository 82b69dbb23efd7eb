/**
 * Simulated viewers: one client on one network in one country, served by one POP, with the
 * connection properties (IP version, HTTP version, TLS) that stay stable while it browses.
 * Pools keep viewers around for a while so that top-IP and per-session views look real.
 */
import { edgeServerIpPrefix, ORIGIN_LATENCY_MS, type Country, type Network } from './geography.js';
import { encodeRepeated } from './percent-encoding.js';
import { WeightedTable, type Rng } from './random.js';
import type { ViewerHeaderBlocks } from './request-headers.js';
import type { Client, HttpVersion } from './user-agents.js';

export interface Viewer {
  readonly ip: string;
  readonly ipVersion: 'IPv4' | 'IPv6';
  readonly country: Country;
  readonly asn: number;
  /** `x-edge-location` of the POP serving the viewer. */
  readonly pop: string;
  /** `s-ip`: the edge server the viewer is connected to. */
  readonly serverIp: string;
  readonly client: Client;
  /** `cs-user-agent` as logged. */
  readonly userAgentLogged: string;
  readonly httpVersion: HttpVersion;
  readonly tlsProtocol: string;
  readonly tlsCipher: string;
  /** Download speed in bytes per ms (= kB/s). */
  readonly bytesPerMs: number;
  /** One-way latency from the POP to the origin region, ms. */
  readonly originLatencyMs: number;
  /** Comma-separated client IPs when the viewer comes through a proxy; null otherwise. */
  readonly forwardedFor: string | null;
  /** Stable per viewer, used for cookies. */
  readonly visitorId: string;
  /** Encoded header pieces that never change for this viewer, filled by the record builder. */
  readonly headerCache: { h1?: ViewerHeaderBlocks; h2?: ViewerHeaderBlocks };
}

const HTTP_VERSION_TABLES = new Map<Client, WeightedTable<HttpVersion>>();

function httpVersionTable(client: Client): WeightedTable<HttpVersion> {
  let table = HTTP_VERSION_TABLES.get(client);
  if (!table) {
    table = new WeightedTable(Object.entries(client.http) as Array<[HttpVersion, number]>);
    HTTP_VERSION_TABLES.set(client, table);
  }
  return table;
}

export function ipv4(rng: Rng, prefix: string): string {
  const parts = prefix.split('.').length;
  let ip = prefix;
  for (let i = parts; i < 4; i++) ip += '.' + (i === 3 ? rng.between(1, 254) : rng.int(256)).toString();
  return ip;
}

/** A compressed-form IPv6 address; groups are non-zero so no `::` run is needed. */
export function ipv6(rng: Rng, prefix: string): string {
  const parts = prefix.split(':').length;
  let ip = prefix;
  for (let i = parts; i < 8; i++) ip += ':' + rng.between(1, 0xffff).toString(16);
  return ip;
}

function pickNetwork(rng: Rng, country: Country): Network {
  let total = 0;
  for (const n of country.networks) total += n.weight;
  let r = rng.next() * total;
  for (const n of country.networks) {
    r -= n.weight;
    if (r < 0) return n;
  }
  return country.networks[0] as Network;
}

function pickTls(rng: Rng, client: Client, httpVersion: HttpVersion): { protocol: string; cipher: string } {
  const old = client.kind === 'smarttv' || client.kind === 'console';
  const tls13 = httpVersion === 'HTTP/3.0' || rng.chance(old ? 0.35 : client.kind === 'bot' ? 0.7 : 0.92);
  if (tls13) {
    if (client.prefersChacha && rng.chance(0.6)) return { protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256' };
    if (client.kind === 'cli' && rng.chance(0.8)) return { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' };
    return { protocol: 'TLSv1.3', cipher: rng.chance(0.9) ? 'TLS_AES_128_GCM_SHA256' : 'TLS_AES_256_GCM_SHA384' };
  }
  if (old && rng.chance(0.03)) return { protocol: rng.chance(0.5) ? 'TLSv1.1' : 'TLSv1', cipher: 'ECDHE-RSA-AES128-SHA' };
  const r = rng.next();
  const cipher =
    r < 0.72 ? 'ECDHE-RSA-AES128-GCM-SHA256'
    : r < 0.86 ? 'ECDHE-RSA-AES256-GCM-SHA384'
    : r < 0.92 ? 'ECDHE-RSA-CHACHA20-POLY1305'
    : r < 0.96 ? 'ECDHE-ECDSA-AES128-GCM-SHA256'
    : r < 0.98 ? 'ECDHE-RSA-AES128-SHA'
    : 'AES128-GCM-SHA256';
  return { protocol: 'TLSv1.2', cipher };
}

const PROXY_PREFIXES = ['10.', '172.16.', '192.168.'];

/** Builds a viewer for `client` in `country` (crawlers use their operator's network). */
export function createViewer(rng: Rng, client: Client, country: Country, countryByCode: (code: string) => Country | undefined): Viewer {
  const crawler = client.crawler;
  const home = crawler ? (countryByCode(crawler.country) ?? country) : country;
  const network = pickNetwork(rng, home);
  const asn = crawler ? crawler.asn : network.asn;
  const useV6 = !crawler && network.v6.length > 0 && rng.chance(0.35);
  const ip = crawler ? ipv4(rng, crawler.v4) : useV6 ? ipv6(rng, rng.pick(network.v6)) : ipv4(rng, rng.pick(network.v4));
  const pop = rng.pick(home.pops);
  const httpVersion = httpVersionTable(client).pick(rng);
  const tls = pickTls(rng, client, httpVersion);
  const fixedLine = client.kind === 'desktop' || client.kind === 'smarttv' || client.kind === 'console' || client.kind === 'bot' || client.kind === 'cli';
  // Bytes per ms (= kB/s): fixed lines around 8 MB/s (64 Mbit/s), mobile around 1.5 MB/s.
  const bytesPerMs = fixedLine ? rng.logNormal(8_000, 0.6) : rng.logNormal(1_500, 0.7);
  let forwardedFor: string | null = null;
  if (!crawler && rng.chance(0.03)) {
    const inner = rng.pick(PROXY_PREFIXES) + `${rng.int(256)}.${rng.between(1, 254)}`;
    forwardedFor = rng.chance(0.3) ? `${ipv4(rng, rng.pick(network.v4))}, ${inner}` : inner;
  }
  return {
    ip,
    ipVersion: useV6 ? 'IPv6' : 'IPv4',
    country: home,
    asn: !crawler && rng.chance(0.003) ? 0 : asn,
    pop,
    serverIp: ipv4(rng, edgeServerIpPrefix(pop)),
    client,
    userAgentLogged: encodeRepeated(client.userAgent),
    httpVersion,
    tlsProtocol: tls.protocol,
    tlsCipher: tls.cipher,
    bytesPerMs: Math.max(150, bytesPerMs),
    originLatencyMs: ORIGIN_LATENCY_MS[home.continent] * rng.uniform(0.8, 1.3),
    forwardedFor,
    visitorId: rng.hex(16),
    headerCache: {},
  };
}

/**
 * A fixed-size set of viewers of one distribution. Each pick returns a random member; a small
 * share of picks replaces the member first, so the population turns over gradually.
 */
export class ViewerPool {
  private readonly members: Array<Viewer | undefined>;

  constructor(
    size: number,
    private readonly churn: number,
    private readonly make: (rng: Rng) => Viewer,
  ) {
    this.members = new Array<Viewer | undefined>(size);
  }

  pick(rng: Rng): Viewer {
    const i = rng.int(this.members.length);
    const existing = this.members[i];
    if (existing !== undefined && !rng.chance(this.churn)) return existing;
    const fresh = this.make(rng);
    this.members[i] = fresh;
    return fresh;
  }
}
