/**
 * How every metric is computed, in words: served by GET /api/v1/definitions for the dashboard to
 * show next to the numbers. Tests pin the computations to these words.
 */

export interface MetricDefinition {
  readonly name: string;
  readonly unit: 'count' | 'bytes' | 'ratio' | 'ms' | 'per_second';
  readonly definition: string;
}

export interface Definitions {
  readonly sampling: string;
  readonly interval95: string;
  readonly hit: string;
  readonly cacheable: string;
  readonly websocket: string;
  readonly distinctCounts: string;
  readonly plan: string;
  readonly metrics: readonly MetricDefinition[];
}

export const DEFINITIONS: Definitions = {
  sampling:
    'A real-time log config logs a sampling rate r % of requests (1–100). Each logged record stands for w = 100 / r requests, ' +
    'so counts and bytes are extrapolated: requests = Σ w, bytes = Σ w · sc-bytes. The logged count and bytes are given alongside as `sampled`. ' +
    'Percentiles are weighted by w.',
  interval95:
    'Below 100 % sampling, counts and bytes carry a 95 % interval. Records are logged independently with probability p = r / 100, ' +
    'possibly different per record (several log configs or a changed rate), so Σ w is the Horvitz–Thompson estimate of the total and ' +
    'V = Σ w (w − 1) (for bytes Σ w (w − 1) · sc-bytes²) is an unbiased estimate of its variance; the interval is estimate ± 1.96 · √V, ' +
    'its lower end never below the logged value. At 100 % sampling there is no interval (null): the numbers are exact.',
  hit:
    'A hit is a request whose x-edge-result-type is Hit or RefreshHit, or whose x-edge-detailed-result-type is OriginShieldHit ' +
    '(the detailed type is read first when logged, the result type otherwise).',
  cacheable:
    'A request is cacheable unless its method is POST or PUT or its result type is Error, LimitExceeded or CapacityExceeded ' +
    '(detailed error types such as ClientGeoBlocked or OriginDnsError count as Error).',
  websocket:
    'WebSocket connections (101 upgrades and ws/wss requests) count as requests but are left out of hit ratios (numerator and denominator) ' +
    'and of latency percentiles.',
  distinctCounts:
    'Distinct counts (e.g. `distinctValues` of a top list) count logged records and are not extrapolated: at sampling below 100 % they are lower bounds.',
  plan:
    'plan "rollup": whole minutes and hours were read from the per-minute and per-hour rollups, partial minutes at the ends from raw records; ' +
    'plan "raw": everything from raw records (filters or groupings the rollups do not hold). Both give the same numbers; percentiles come from ' +
    't-digests and agree within the digest’s accuracy.',
  metrics: [
    { name: 'requests', unit: 'count', definition: 'Σ w over records in range (extrapolated request count).' },
    { name: 'bytes', unit: 'bytes', definition: 'Σ w · sc-bytes (bytes served to viewers, extrapolated).' },
    {
      name: 'cacheHitRatio',
      unit: 'ratio',
      definition:
        'hits ÷ cacheable requests, WebSockets excluded. Follows CloudWatch CacheHitRate; AWS does not say exactly which log fields it uses, so this is edgewatch’s reading of its definition.',
    },
    { name: 'edgeHitRatio', unit: 'ratio', definition: 'hits ÷ all requests, WebSockets excluded.' },
    { name: 'byteHitRatio', unit: 'ratio', definition: 'sc-bytes of hits ÷ all sc-bytes, WebSockets excluded.' },
    { name: 'errorRate4xx', unit: 'ratio', definition: 'requests with sc-status 400–499 ÷ all requests.' },
    { name: 'errorRate5xx', unit: 'ratio', definition: 'requests with sc-status 500–599 ÷ all requests.' },
    { name: 'geoBlocked', unit: 'count', definition: 'requests whose x-edge-detailed-result-type is ClientGeoBlocked (extrapolated).' },
    { name: 'ttfbMs', unit: 'ms', definition: 'p50 / p95 / p99 of time-to-first-byte, weighted by w, WebSockets and absent values excluded.' },
    { name: 'timeTakenMs', unit: 'ms', definition: 'p50 / p95 / p99 of time-taken, weighted by w, WebSockets and absent values excluded.' },
    { name: 'originLatencyMs', unit: 'ms', definition: 'p50 / p95 / p99 of origin-fbl (origin first-byte latency), weighted by w; only requests that went to the origin log it.' },
    { name: 'requestsPerSecond', unit: 'per_second', definition: 'requests ÷ seconds of the range that have passed (a range reaching past now counts up to now).' },
    { name: 'hitRatio (top, geo)', unit: 'ratio', definition: 'cacheHitRatio within the row’s value.' },
    { name: 'errorRate (top)', unit: 'ratio', definition: 'requests with sc-status 400–599 ÷ requests, within the row’s value.' },
    { name: 'misses (top missedUris)', unit: 'count', definition: 'requests classified Miss (x-edge-detailed-result-type Miss or MissGeneratedResponse), WebSockets excluded, extrapolated.' },
    {
      name: 'sessions (video)',
      unit: 'count',
      definition: 'distinct CMCD session ids (cmcd-session-id, sid) of requests carrying CMCD; logged records, not extrapolated (a lower bound below 100 % sampling).',
    },
    {
      name: 'rebufferRatio (video)',
      unit: 'ratio',
      definition:
        'media requests (those with cmcd-encoded-bitrate) reporting buffer starvation (cmcd-buffer-starvation present and not false/0) ÷ media requests, weighted by w. sessionRebufferRatio: sessions with at least one such request ÷ sessions.',
    },
    { name: 'bitrateKbps (video)', unit: 'count', definition: 'cmcd-encoded-bitrate (kbps) of media requests: mean and p50 / p95 / p99, weighted by w; per streaming format also a histogram.' },
    { name: 'bufferLengthMs (video)', unit: 'ms', definition: 'p50 / p95 / p99 of cmcd-buffer-length, weighted by w.' },
  ],
};
