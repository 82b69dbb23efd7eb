/**
 * Where simulated viewers are: countries with traffic weights, the CloudFront POPs that serve them,
 * their networks (ASN with IPv4 /16 and IPv6 /32 prefixes that geolocate to the country), their
 * time zone (for the diurnal curve) and languages.
 *
 * POP codes follow the observed `XXXnn-Cn` / `XXXnn-Pn` shape (reference §3.9).
 */

export type Continent = 'NA' | 'SA' | 'EU' | 'AS' | 'OC' | 'AF';

export interface Network {
  readonly asn: number;
  readonly weight: number;
  /** Leading octets (two or three) of IPv4 addresses, e.g. `73.162`. */
  readonly v4: readonly string[];
  /** Leading groups (two or three) of IPv6 addresses, e.g. `2601:646`; empty when the network has no IPv6. */
  readonly v6: readonly string[];
}

export interface Country {
  readonly code: string;
  readonly continent: Continent;
  /** Relative share of viewers at the local peak hour. */
  readonly weight: number;
  /** Offset of local time from UTC in hours (a representative zone for the country). */
  readonly utcOffsetHours: number;
  readonly pops: readonly string[];
  readonly networks: readonly Network[];
  readonly acceptLanguage: string;
}

const net = (asn: number, weight: number, v4: string[], v6: string[] = []): Network => ({ asn, weight, v4, v6 });

export const VIEWER_COUNTRIES: readonly Country[] = [
  {
    code: 'US', continent: 'NA', weight: 30, utcOffsetHours: -6,
    pops: ['IAD89-P1', 'IAD12-P4', 'IAD66-C1', 'IAD55-P2', 'SFO53-P9', 'SFO53-C1', 'SFO20-C1', 'SEA19-C2',
      'SEA73-P2', 'DFW56-P1', 'DFW3-C2', 'LAX3-C3', 'LAX50-P2', 'EWR52-C4', 'JFK50-P3', 'ATL56-C1',
      'ORD58-P4', 'MIA50-P3', 'DEN52-C1', 'PHX50-C2', 'BOS50-C1'],
    networks: [
      net(7922, 30, ['73.162', '24.6', '68.44', '98.207'], ['2601:646', '2601:18c']),
      net(7018, 20, ['99.47', '107.77', '76.201'], ['2600:1700']),
      net(701, 12, ['71.191', '108.28', '100.12'], ['2600:4040']),
      net(20115, 10, ['47.144', '66.168', '174.102']),
      net(22773, 6, ['68.0', '70.160', '98.160']),
      net(21928, 12, ['172.58', '172.56'], ['2607:fb90']),
      net(209, 4, ['184.96', '75.160']),
    ],
    acceptLanguage: 'en-US,en;q=0.9',
  },
  {
    code: 'DE', continent: 'EU', weight: 9, utcOffsetHours: 1,
    pops: ['FRA56-P3', 'FRA60-P5', 'FRA6-C1', 'FRA53-C2', 'HAM50-C2', 'HAM50-P2', 'MUC50-P1', 'DUS51-C1', 'TXL51-C1'],
    networks: [
      net(3320, 45, ['87.150', '91.40', '93.210', '79.214'], ['2003:e1', '2003:c8']),
      net(3209, 25, ['88.64', '94.134', '178.24'], ['2a02:8070']),
      net(6805, 15, ['77.3', '95.90'], ['2a02:3032']),
      net(8881, 15, ['82.165', '85.16']),
    ],
    acceptLanguage: 'de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'GB', continent: 'EU', weight: 8, utcOffsetHours: 0,
    pops: ['LHR61-P1', 'LHR50-C1', 'LHR62-C2', 'LHR3-C2', 'MAN51-C1', 'MAN50-P2', 'EDI50-C1'],
    networks: [
      net(2856, 35, ['86.128', '81.154', '109.147'], ['2a00:23c6', '2a00:23c8']),
      net(5089, 25, ['82.20', '86.0', '94.174']),
      net(5607, 20, ['90.192', '2.96', '5.64'], ['2a02:c7c']),
      net(12576, 20, ['31.94', '92.40']),
    ],
    acceptLanguage: 'en-GB,en;q=0.9',
  },
  {
    code: 'IN', continent: 'AS', weight: 9, utcOffsetHours: 5.5,
    pops: ['BOM54-P1', 'BOM78-P2', 'DEL54-P6', 'DEL51-C1', 'HYD57-P3', 'MAA51-C1', 'BLR50-C2', 'CCU50-C1'],
    networks: [
      net(55836, 45, ['49.36', '157.32', '152.58'], ['2409:40c0', '2405:201']),
      net(24560, 35, ['122.161', '106.210', '106.195']),
      net(9829, 20, ['117.199', '59.88']),
    ],
    acceptLanguage: 'en-IN,en;q=0.9,hi;q=0.8',
  },
  {
    code: 'JP', continent: 'AS', weight: 6, utcOffsetHours: 9,
    pops: ['NRT57-P2', 'NRT20-C4', 'NRT51-C1', 'KIX56-P1', 'KIX50-C2'],
    networks: [
      net(2516, 35, ['106.128', '111.107', '182.248'], ['240b:10']),
      net(4713, 35, ['153.156', '180.12', '124.84'], ['240f:7a']),
      net(17676, 30, ['126.74', '126.33', '219.110']),
    ],
    acceptLanguage: 'ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'BR', continent: 'SA', weight: 5, utcOffsetHours: -3,
    pops: ['GRU3-C1', 'GRU50-P1', 'GRU1-C2', 'GIG51-C1', 'FOR50-C1'],
    networks: [
      net(28573, 45, ['177.35', '189.60', '179.97'], ['2804:d41']),
      net(18881, 35, ['201.17', '191.176', '177.79'], ['2804:7f0']),
      net(26599, 20, ['187.84', '179.176']),
    ],
    acceptLanguage: 'pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'FR', continent: 'EU', weight: 5, utcOffsetHours: 1,
    pops: ['CDG50-P1', 'CDG52-C1', 'CDG55-P4', 'MRS52-P1', 'MRS53-C2'],
    networks: [
      net(3215, 40, ['90.3', '86.246', '92.154'], ['2a01:cb10', '2a01:cb14']),
      net(12322, 30, ['82.64', '88.160', '78.192'], ['2a01:e0a']),
      net(5410, 15, ['176.128', '89.156']),
      net(15557, 15, ['109.220', '80.215']),
    ],
    acceptLanguage: 'fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'CA', continent: 'NA', weight: 4, utcOffsetHours: -5,
    pops: ['YUL62-C1', 'YTO50-C1', 'YTO53-P2', 'YVR52-P1'],
    networks: [
      net(812, 40, ['99.224', '24.114'], ['2607:fea8']),
      net(577, 35, ['70.50', '142.114']),
      net(852, 25, ['154.20', '96.50']),
    ],
    acceptLanguage: 'en-CA,en;q=0.9,fr-CA;q=0.8',
  },
  {
    code: 'AU', continent: 'OC', weight: 3, utcOffsetHours: 10,
    pops: ['SYD1-C1', 'SYD62-P2', 'MEL50-C2', 'BNE50-C1', 'PER50-C1'],
    networks: [
      net(1221, 50, ['101.182', '120.144', '58.160'], ['2001:8003']),
      net(7545, 30, ['101.164', '14.200']),
      net(4804, 20, ['49.180', '1.145']),
    ],
    acceptLanguage: 'en-AU,en;q=0.9',
  },
  {
    code: 'KR', continent: 'AS', weight: 3, utcOffsetHours: 9,
    pops: ['ICN57-C1', 'ICN51-P2', 'ICN54-C3'],
    networks: [
      net(4766, 45, ['121.133', '175.223', '175.192']),
      net(9318, 30, ['110.10', '118.34']),
      net(3786, 25, ['211.234', '112.169']),
    ],
    acceptLanguage: 'ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'NL', continent: 'EU', weight: 3, utcOffsetHours: 1,
    pops: ['AMS58-P4', 'AMS1-C1', 'AMS54-C2'],
    networks: [
      net(1136, 50, ['77.160', '86.80', '145.53']),
      net(33915, 50, ['84.104', '83.83', '94.208']),
    ],
    acceptLanguage: 'nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'ES', continent: 'EU', weight: 2, utcOffsetHours: 1,
    pops: ['MAD53-P3', 'MAD51-C1', 'BCN50-C1'],
    networks: [
      net(3352, 60, ['83.32', '88.0', '79.144']),
      net(12479, 40, ['90.161', '85.53']),
    ],
    acceptLanguage: 'es-ES,es;q=0.9,en;q=0.8',
  },
  {
    code: 'IT', continent: 'EU', weight: 2, utcOffsetHours: 1,
    pops: ['MXP63-P1', 'MXP64-C2', 'FCO50-C1', 'PMO50-C1'],
    networks: [
      net(3269, 55, ['79.30', '87.4', '95.236']),
      net(30722, 45, ['2.34', '5.90']),
    ],
    acceptLanguage: 'it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'MX', continent: 'NA', weight: 2, utcOffsetHours: -6,
    pops: ['QRO51-P1', 'QRO50-C2', 'MEX50-C1'],
    networks: [net(8151, 100, ['201.103', '187.140', '189.146'], ['2806:10a6'])],
    acceptLanguage: 'es-MX,es;q=0.9,en;q=0.8',
  },
  {
    code: 'SG', continent: 'AS', weight: 1.5, utcOffsetHours: 8,
    pops: ['SIN2-P2', 'SIN52-C1', 'SIN5-C2'],
    networks: [
      net(9506, 60, ['116.86', '118.200']),
      net(4773, 40, ['116.14', '175.156']),
    ],
    acceptLanguage: 'en-SG,en;q=0.9,zh-CN;q=0.8',
  },
  {
    code: 'SE', continent: 'EU', weight: 1, utcOffsetHours: 1,
    pops: ['ARN54-C1', 'ARN56-P1'],
    networks: [net(3301, 100, ['81.224', '90.224', '78.72'])],
    acceptLanguage: 'sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'PL', continent: 'EU', weight: 1, utcOffsetHours: 1,
    pops: ['WAW50-C1', 'WAW51-P2'],
    networks: [net(5617, 100, ['83.30', '79.184', '31.0'])],
    acceptLanguage: 'pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'ID', continent: 'AS', weight: 1.5, utcOffsetHours: 7,
    pops: ['CGK51-P1', 'CGK52-C1'],
    networks: [net(7713, 100, ['180.244', '36.68', '125.160'])],
    acceptLanguage: 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'AR', continent: 'SA', weight: 1, utcOffsetHours: -3,
    pops: ['EZE50-P4', 'EZE51-C1'],
    networks: [net(7303, 100, ['181.46', '186.136', '190.188'])],
    acceptLanguage: 'es-AR,es;q=0.9,en;q=0.8',
  },
  {
    code: 'ZA', continent: 'AF', weight: 1, utcOffsetHours: 2,
    pops: ['JNB50-C1', 'JNB61-P1', 'CPT52-C1'],
    networks: [net(37457, 100, ['41.13', '105.224', '197.88'])],
    acceptLanguage: 'en-ZA,en;q=0.9,af;q=0.8',
  },
];

/**
 * Countries the demo distributions refuse (geo restriction block list). They appear only in the
 * geo-blocked bursts, served by the POPs their traffic usually reaches.
 */
export const GEO_BLOCKED_COUNTRIES: readonly Country[] = [
  {
    code: 'RU', continent: 'EU', weight: 5, utcOffsetHours: 3,
    pops: ['HEL50-C2', 'HEL51-P1', 'ARN54-C1', 'WAW50-C1', 'FRA56-P3'],
    networks: [net(12389, 50, ['95.24', '94.25', '188.162']), net(8359, 50, ['93.80', '213.87'])],
    acceptLanguage: 'ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'CN', continent: 'AS', weight: 4, utcOffsetHours: 8,
    pops: ['HKG62-C1', 'HKG54-P1', 'NRT57-P2', 'ICN57-C1', 'SIN2-P2'],
    networks: [net(4134, 60, ['115.192', '183.128', '222.70']), net(4837, 40, ['123.112', '221.192'])],
    acceptLanguage: 'zh-CN,zh;q=0.9',
  },
  {
    code: 'IR', continent: 'AS', weight: 2, utcOffsetHours: 3.5,
    pops: ['FRA56-P3', 'FRA60-P5', 'DXB50-C1', 'MRS52-P1'],
    networks: [net(58224, 60, ['5.112', '151.232']), net(197207, 40, ['5.202', '37.129'])],
    acceptLanguage: 'fa-IR,fa;q=0.9,en-US;q=0.8,en;q=0.7',
  },
  {
    code: 'KP', continent: 'AS', weight: 1, utcOffsetHours: 9,
    pops: ['NRT20-C4', 'ICN51-P2', 'HKG62-C1'],
    networks: [net(131279, 100, ['175.45.176', '175.45.177', '175.45.178', '175.45.179'])],
    acceptLanguage: 'ko-KP,ko;q=0.9',
  },
];

/** Rough one-way network latency (ms) from a viewer's continent to the demo origins in us-east-1. */
export const ORIGIN_LATENCY_MS: Readonly<Record<Continent, number>> = {
  NA: 18,
  SA: 65,
  EU: 45,
  AS: 95,
  OC: 105,
  AF: 110,
};

/** /16s of CloudFront's edge ranges (ip-ranges.json, service CLOUDFRONT). */
const EDGE_RANGES = ['18.64', '18.66', '13.32', '13.35', '65.8', '65.9', '108.138', '108.156', '143.204', '3.160', '3.165', '52.84', '99.84', '54.230'];

/** The /16 the edge servers of a POP are drawn from (stable per POP). */
export function edgeServerIpPrefix(pop: string): string {
  let h = 0;
  for (let i = 0; i < pop.length; i++) h = (h * 31 + pop.charCodeAt(i)) >>> 0;
  return EDGE_RANGES[h % EDGE_RANGES.length] ?? '18.64';
}
