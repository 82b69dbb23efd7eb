/**
 * Enrichment: turns a parsed log record into the derived columns of a row (`Derived`).
 * Pure apart from memoisation; every input field is attacker-controlled text, so nothing
 * here throws on bad values — unknown values map to '' / 'other' / 'unknown'.
 */
import { F } from '../fields/catalogue.js';
import type { Derived, FieldValue, ParsedRecord } from '../types.js';
import { classifyCache, isGeoBlocked } from './cache-class.js';
import { classifyContent } from './content-class.js';
import { resolveCountry } from './geo.js';
import { lookupPop } from './pops.js';
import { httpVersion, isWebSocketProtocol } from './protocol.js';
import { statusClass } from './status.js';
import { classifyUserAgent } from './user-agent.js';

export interface EnricherOptions {
  /** Sampling rate (1–100) of the log config the record came through; stored on every row. */
  samplingRate: number;
  /** Maps the distribution's CloudFront domain (x-host-header) to its ID; '' when unknown. */
  resolveDistribution: (domain: string | null) => string;
  /** Row source; default 'realtime'. */
  source?: string;
}

export type Enricher = (record: ParsedRecord) => Derived;

export const DEFAULT_SOURCE = 'realtime';

/** A text field's value; numbers (never expected for text fields) are kept as their text. */
function text(value: FieldValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function status(value: FieldValue | undefined): number | string | null {
  return value === undefined ? null : value;
}

/** Catalogue indexes of the fields enrichment reads (a partial parse must decode these). */
export const ENRICHMENT_INPUTS: ReadonlySet<number> = new Set([
  F.c_country,
  F.c_ip,
  F.cmcd_object_type,
  F.cmcd_streaming_format,
  F.cs_protocol,
  F.cs_protocol_version,
  F.cs_user_agent,
  F.sc_content_type,
  F.sc_status,
  F.x_edge_detailed_result_type,
  F.x_edge_location,
  F.x_edge_result_type,
  F.x_host_header,
]);

export function createEnricher(options: EnricherOptions): Enricher {
  const { samplingRate, resolveDistribution } = options;
  if (!Number.isInteger(samplingRate) || samplingRate < 1 || samplingRate > 100) {
    throw new RangeError(`enricher samplingRate must be an integer from 1 to 100, got ${samplingRate}`);
  }
  const source = options.source ?? DEFAULT_SOURCE;

  return function enrich(record: ParsedRecord): Derived {
    const values = record.values;
    const protocol = text(values[F.cs_protocol]);
    const detailedResultType = text(values[F.x_edge_detailed_result_type]);
    const country = resolveCountry(text(values[F.c_country]), text(values[F.c_ip]));
    const pop = lookupPop(text(values[F.x_edge_location]));
    const content = classifyContent(
      text(values[F.sc_content_type]),
      record.uriPath,
      protocol,
      text(values[F.cmcd_streaming_format]),
      text(values[F.cmcd_object_type]),
    );
    const userAgent = classifyUserAgent(text(values[F.cs_user_agent]));

    return {
      distribution_id: resolveDistribution(text(values[F.x_host_header])),
      sampling_rate: samplingRate,
      source,
      uri_path: record.uriPath,
      uri_query: record.uriQuery,
      country: country.country,
      country_name: country.countryName,
      continent: country.continent,
      country_source: country.source,
      pop_code: pop.code,
      pop_city: pop.city,
      pop_country: pop.country,
      pop_lat: pop.lat,
      pop_lon: pop.lon,
      cache_class: classifyCache(detailedResultType, text(values[F.x_edge_result_type])),
      geo_blocked: isGeoBlocked(detailedResultType) ? 1 : 0,
      status_class: statusClass(status(values[F.sc_status])),
      http_version: httpVersion(text(values[F.cs_protocol_version])),
      is_websocket: isWebSocketProtocol(protocol) ? 1 : 0,
      content_class: content.contentClass,
      streaming_format: content.streamingFormat,
      device_type: userAgent.deviceType,
      browser: userAgent.browser,
      os: userAgent.os,
      is_bot: userAgent.isBot,
    };
  };
}
