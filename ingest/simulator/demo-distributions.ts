/**
 * The demo distributions the simulator plays traffic for. IDs and domains have CloudFront's shapes
 * (`E` + 13 uppercase alphanumerics, `d` + 13 lowercase alphanumerics + `.cloudfront.net`); aliases use
 * reserved example domains.
 */

export type TrafficProfile = 'web' | 'video' | 'api' | 'downloads';

export interface DemoDistribution {
  readonly id: string;
  /** The distribution's CloudFront domain (what `x-host-header` holds). */
  readonly domainName: string;
  /** Alternate domain names viewers may use in `Host`. */
  readonly aliases: readonly string[];
  readonly profile: TrafficProfile;
  /** Shown in the control plane's list. */
  readonly comment?: string;
}

export const DEMO_DISTRIBUTIONS: readonly DemoDistribution[] = Object.freeze([
  {
    id: 'E3KX9T2WQ7ZP5N',
    domainName: 'd2kq8x7mzp4w1r.cloudfront.net',
    aliases: ['www.example.com', 'example.com'],
    profile: 'web',
    comment: 'Shop website: HTML, assets, in-page API',
  },
  {
    id: 'E1VM4RC8HJ2DQY',
    domainName: 'd1x9fh3kt6bq2c.cloudfront.net',
    aliases: ['video.example.net', 'live.example.net'],
    profile: 'video',
    comment: 'Video platform: VOD (HLS, DASH, Smooth) and a live event',
  },
  {
    id: 'E2NF6LW0YS8GTB',
    domainName: 'd3m7pz5rw1yj8e.cloudfront.net',
    aliases: ['api.example.org'],
    profile: 'api',
    comment: 'Public REST API and WebSocket notifications',
  },
  {
    id: 'E4HB7QZ3KC9XRA',
    domainName: 'd4t2nv8gc5hs6u.cloudfront.net',
    aliases: ['downloads.example.org'],
    profile: 'downloads',
    comment: 'Software downloads with range requests',
  },
] satisfies DemoDistribution[]);

/** Share of a distribution's requests that use the CloudFront domain instead of an alias. */
export const CLOUDFRONT_DOMAIN_SHARE = 0.06;
