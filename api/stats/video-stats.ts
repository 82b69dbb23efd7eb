/**
 * Video playback quality from CMCD (Common Media Client Data, CTA-5004), as CloudFront logs it in the
 * cmcd-* fields: bitrate distribution per streaming format, rebuffering (buffer starvation), playback
 * sessions, startup requests, buffer length and measured throughput. The rollups hold no CMCD, so
 * these always read raw rows (the range limit, the query bounds and the concurrency limit of every
 * stats statement apply, see stats-service.ts).
 */
import { filterConditions, type SqlParams } from '../query/filter-sql.js';
import type { Filters } from '../query/filters.js';
import { chooseInterval, INTERVALS, type IntervalName } from '../query/intervals.js';
import { ratio, type StatsRow } from '../query/summary-metrics.js';
import type { PlanInfo } from './stats-queries.js';
import type { StatsService } from './stats-service.js';

/** Lower edges (kbps) of the bitrate histogram's buckets; the last one is open-ended. */
export const BITRATE_EDGES_KBPS = [0, 400, 800, 1_500, 3_000, 5_000, 8_000, 12_000, 20_000] as const;

/** Quantile levels of bitrate, buffer length and throughput. */
const LEVELS = [0.5, 0.95, 0.99] as const;

export interface Quantiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** Aggregates of one group of CMCD requests (all of them, one streaming format, one stream type). */
export interface CmcdAggregate {
  /** Requests carrying any CMCD key (extrapolated by sampling rate). */
  readonly requests: number;
  readonly sampledRequests: number;
  /** Distinct CMCD session ids (`sid`) of logged records: a lower bound below 100 % sampling. */
  readonly sessions: number;
  /** Sessions with at least one request reporting buffer starvation (`bs`). */
  readonly rebufferedSessions: number;
  /** rebufferedSessions ÷ sessions. */
  readonly sessionRebufferRatio: number | null;
  /** Requests for media objects: those carrying an encoded bitrate (`br`). */
  readonly mediaRequests: number;
  /** Requests reporting buffer starvation. */
  readonly rebufferRequests: number;
  /** rebufferRequests ÷ mediaRequests. */
  readonly rebufferRatio: number | null;
  /** Requests flagged startup (`su`: needed urgently for startup, seeking or rebuffer recovery). */
  readonly startupRequests: number;
  /** Mean encoded bitrate of media requests, weighted by sampling. */
  readonly meanBitrateKbps: number | null;
  readonly bitrateKbps: Quantiles;
  readonly bufferLengthMs: Quantiles;
  readonly measuredThroughputKbps: Quantiles;
}

export interface BitrateBucket {
  readonly fromKbps: number;
  /** Exclusive; null for the last, open-ended bucket. */
  readonly toKbps: number | null;
  readonly requests: number;
}

export interface VideoStatsResponse extends PlanInfo, CmcdAggregate {
  readonly interval: IntervalName;
  readonly intervalSeconds: number;
  /** Per CMCD streaming format (`sf`: h HLS, d DASH, s Smooth Streaming, o other; '' not sent), busiest first. */
  readonly formats: readonly (CmcdAggregate & { readonly format: string; readonly buckets: readonly BitrateBucket[] })[];
  /** Per CMCD stream type (`st`: v on demand, l live; '' not sent), busiest first. */
  readonly streamTypes: readonly (CmcdAggregate & { readonly streamType: string })[];
  readonly series: readonly {
    readonly t: string;
    readonly requests: number;
    readonly sessions: number;
    readonly rebufferRatio: number | null;
    readonly meanBitrateKbps: number | null;
  }[];
}

export interface VideoStatsRequest {
  readonly interval?: IntervalName;
}

/** CMCD booleans are sent only when true; CloudFront's rendering of them is unconfirmed, so anything but an explicit false counts. */
const flag = (column: string): string => `(${column} IS NOT NULL AND lower(${column}) NOT IN ('false', '0', 'no'))`;

const ROW_VALUES = [
  '100.0 / greatest(sampling_rate, 1) AS w',
  'toUInt32(intDiv(10000, greatest(sampling_rate, 1))) AS qw',
  `${flag('cmcd_buffer_starvation')} AS starved`,
  `${flag('cmcd_startup')} AS startup`,
  'cmcd_encoded_bitrate IS NOT NULL AS media',
].join(',\n     ');

/** A record carries CMCD when any key that players send on every request is there. */
const HAS_CMCD = [
  'cmcd_version',
  'cmcd_session_id',
  'cmcd_encoded_bitrate',
  'cmcd_buffer_length',
  'cmcd_buffer_starvation',
  'cmcd_streaming_format',
  'cmcd_stream_type',
  'cmcd_object_type',
  'cmcd_measured_throughput',
  'cmcd_top_bitrate',
]
  .map((c) => `${c} IS NOT NULL`)
  .join(' OR ');

const quantiles = (column: string): string =>
  `quantilesExactWeightedIf(${LEVELS.join(', ')})(toFloat64(assumeNotNull(${column})), qw, ${column} IS NOT NULL)`;

const AGGREGATES = [
  'sum(w) AS m_requests',
  'count() AS m_sampled',
  'uniqExactIf(cmcd_session_id, cmcd_session_id IS NOT NULL) AS m_sessions',
  'uniqExactIf(cmcd_session_id, cmcd_session_id IS NOT NULL AND starved) AS m_rebuffered_sessions',
  'sumIf(w, media) AS m_media',
  'sumIf(w, starved AND media) AS m_rebuffer',
  'sumIf(w, startup) AS m_startup',
  'sumIf(w * toFloat64(assumeNotNull(cmcd_encoded_bitrate)), media) AS m_bitrate_sum',
  `${quantiles('cmcd_encoded_bitrate')} AS q_bitrate`,
  `${quantiles('cmcd_buffer_length')} AS q_buffer`,
  `${quantiles('cmcd_measured_throughput')} AS q_throughput`,
].join(',\n       ');

function quantilesOf(row: StatsRow, column: string, present: boolean): Quantiles {
  const values = row[column];
  const at = (i: number): number | null => {
    if (!present || !Array.isArray(values)) return null;
    const v = Number(values[i]);
    return Number.isFinite(v) ? v : null;
  };
  return { p50: at(0), p95: at(1), p99: at(2) };
}

function aggregateOf(row: StatsRow | undefined): CmcdAggregate {
  const n = (name: string): number => {
    const v = Number(row?.[name] ?? 0);
    return Number.isFinite(v) ? v : 0;
  };
  const sessions = n('m_sessions');
  const rebufferedSessions = n('m_rebuffered_sessions');
  const media = n('m_media');
  const rebuffer = n('m_rebuffer');
  const r = row ?? {};
  return {
    requests: n('m_requests'),
    sampledRequests: n('m_sampled'),
    sessions,
    rebufferedSessions,
    sessionRebufferRatio: ratio(rebufferedSessions, sessions),
    mediaRequests: media,
    rebufferRequests: rebuffer,
    rebufferRatio: ratio(rebuffer, media),
    startupRequests: n('m_startup'),
    meanBitrateKbps: media > 0 ? n('m_bitrate_sum') / media : null,
    bitrateKbps: quantilesOf(r, 'q_bitrate', media > 0),
    bufferLengthMs: quantilesOf(r, 'q_buffer', n('m_requests') > 0),
    measuredThroughputKbps: quantilesOf(r, 'q_throughput', n('m_requests') > 0),
  };
}

export class VideoStatsQueries {
  constructor(private readonly service: StatsService) {}

  #from(filters: Filters, params: SqlParams): string {
    params.v_from = filters.fromMs;
    params.v_to = filters.toMs;
    const where = [
      "timestamp >= fromUnixTimestamp64Milli({v_from:Int64}, 'UTC')",
      "timestamp < fromUnixTimestamp64Milli({v_to:Int64}, 'UTC')",
      filterConditions(filters, 'raw', params),
      `(${HAS_CMCD})`,
    ].join(' AND ');
    return `FROM ${this.service.database}.requests\nWHERE ${where}`;
  }

  async video(filters: Filters, request: VideoStatsRequest, signal?: AbortSignal): Promise<VideoStatsResponse> {
    const rangeMs = filters.toMs - filters.fromMs;
    const interval = chooseInterval(rangeMs, request.interval);
    const seconds = INTERVALS[interval];

    // 1. Everything, per streaming format and per stream type, in one pass.
    const groupsParams: SqlParams = {};
    const groups = await this.service.run(
      {
        sql: [
          `WITH ${ROW_VALUES}`,
          "SELECT ifNull(cmcd_streaming_format, '') AS k_format, ifNull(cmcd_stream_type, '') AS k_stream_type,",
          '       grouping(k_format) AS g_format, grouping(k_stream_type) AS g_stream_type,',
          `       ${AGGREGATES}`,
          this.#from(filters, groupsParams),
          'GROUP BY GROUPING SETS ((), (k_format), (k_stream_type))',
        ].join('\n'),
        params: groupsParams,
      },
      signal,
    );
    // grouping(x) is 1 for a set that leaves x out (SQL-standard behaviour).
    const total = groups.find((r) => Number(r.g_format) === 1 && Number(r.g_stream_type) === 1);
    const formatRows = groups.filter((r) => Number(r.g_format) === 0);
    const streamTypeRows = groups.filter((r) => Number(r.g_stream_type) === 0);

    // 2. The bitrate histogram per streaming format.
    const histogramParams: SqlParams = { v_edges: [...BITRATE_EDGES_KBPS] };
    const histogram = await this.service.run(
      {
        sql: [
          `WITH ${ROW_VALUES}`,
          "SELECT ifNull(cmcd_streaming_format, '') AS k_format,",
          '       arraySum(arrayMap(edge -> toUInt32(assumeNotNull(cmcd_encoded_bitrate) >= edge), {v_edges:Array(UInt32)})) AS k_bucket,',
          '       sum(w) AS m_requests',
          this.#from(filters, histogramParams),
          'AND media',
          'GROUP BY k_format, k_bucket',
        ].join('\n'),
        params: histogramParams,
      },
      signal,
    );

    // 3. Requests, sessions, rebuffering and mean bitrate per interval.
    const seriesParams: SqlParams = {};
    const seriesRows = await this.service.run(
      {
        sql: [
          `WITH ${ROW_VALUES}`,
          `SELECT toUnixTimestamp(toStartOfInterval(toDateTime(timestamp, 'UTC'), INTERVAL ${seconds} SECOND)) AS k_t,`,
          '       sum(w) AS m_requests,',
          '       uniqExactIf(cmcd_session_id, cmcd_session_id IS NOT NULL) AS m_sessions,',
          '       sumIf(w, media) AS m_media,',
          '       sumIf(w, starved AND media) AS m_rebuffer,',
          '       sumIf(w * toFloat64(assumeNotNull(cmcd_encoded_bitrate)), media) AS m_bitrate_sum',
          this.#from(filters, seriesParams),
          'GROUP BY k_t',
        ].join('\n'),
        params: seriesParams,
      },
      signal,
    );

    const bucketsOf = (format: string): BitrateBucket[] =>
      BITRATE_EDGES_KBPS.map((from, i) => {
        const row = histogram.find((r) => String(r.k_format) === format && Number(r.k_bucket) === i + 1);
        return { fromKbps: from, toKbps: BITRATE_EDGES_KBPS[i + 1] ?? null, requests: Number(row?.m_requests ?? 0) };
      });
    const byRequests = <T extends { requests: number }>(a: T, b: T): number => b.requests - a.requests;

    const bucketMs = seconds * 1000;
    const byT = new Map(seriesRows.map((r) => [Number(r.k_t) * 1000, r]));
    const series: VideoStatsResponse['series'][number][] = [];
    for (let t = Math.floor(filters.fromMs / bucketMs) * bucketMs; t < filters.toMs; t += bucketMs) {
      const row = byT.get(t);
      const media = Number(row?.m_media ?? 0);
      series.push({
        t: new Date(t).toISOString(),
        requests: Number(row?.m_requests ?? 0),
        sessions: Number(row?.m_sessions ?? 0),
        rebufferRatio: ratio(Number(row?.m_rebuffer ?? 0), media),
        meanBitrateKbps: media > 0 ? Number(row?.m_bitrate_sum ?? 0) / media : null,
      });
    }

    return {
      plan: 'raw',
      tables: ['requests'],
      from: new Date(filters.fromMs).toISOString(),
      to: new Date(filters.toMs).toISOString(),
      ...aggregateOf(total),
      interval,
      intervalSeconds: seconds,
      formats: formatRows.map((r) => ({ format: String(r.k_format), ...aggregateOf(r), buckets: bucketsOf(String(r.k_format)) })).sort(byRequests),
      streamTypes: streamTypeRows.map((r) => ({ streamType: String(r.k_stream_type), ...aggregateOf(r) })).sort(byRequests),
      series,
    };
  }
}
