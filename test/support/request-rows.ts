/**
 * Inserts hand-made rows straight into `requests` (JSONEachRow through a query parameter), for
 * query tests that need exact, known inputs. Columns left out take their defaults.
 */
import type { ClickHouse } from '../../processor/storage/clickhouse.js';

export interface RequestRowSpec {
  readonly timestamp: string;
  readonly distribution_id?: string;
  readonly sampling_rate?: number;
  readonly cs_method?: string;
  readonly sc_status?: number;
  readonly sc_bytes?: number;
  readonly cache_class?: string;
  readonly x_edge_result_type?: string;
  readonly x_edge_detailed_result_type?: string;
  readonly geo_blocked?: 0 | 1;
  readonly is_websocket?: 0 | 1;
  readonly time_to_first_byte?: number | null;
  readonly time_taken?: number | null;
  readonly origin_fbl?: number | null;
  readonly country?: string;
  readonly pop_code?: string;
  readonly x_edge_location?: string;
  readonly status_class?: string;
  readonly content_class?: string;
  readonly cache_behavior_path_pattern?: string;
  readonly uri_path?: string;
  readonly device_type?: string;
  readonly is_bot?: 0 | 1;
  readonly x_edge_request_id?: string;
  readonly cs_user_agent?: string;
  readonly cs_protocol?: string;
  readonly ssl_protocol?: string | null;
  readonly ssl_cipher?: string | null;
  readonly cmcd_encoded_bitrate?: number | null;
  readonly cmcd_buffer_length?: number | null;
  readonly cmcd_buffer_starvation?: string | null;
  readonly cmcd_measured_throughput?: number | null;
  readonly cmcd_streaming_format?: string | null;
  readonly cmcd_session_id?: string | null;
  readonly cmcd_stream_type?: string | null;
  readonly cmcd_startup?: string | null;
  readonly cmcd_object_type?: string | null;
  readonly cmcd_version?: number | null;
  /** 'realtime' (default) or 'standard' (imported standard logs). */
  readonly source?: string;
}

let sequence = 0;

export async function insertRequestRows(ch: ClickHouse, rows: readonly RequestRowSpec[]): Promise<void> {
  const full = rows.map((row) => ({
    distribution_id: 'E2TESTDIST0001',
    sampling_rate: 100,
    cs_method: 'GET',
    sc_status: 200,
    sc_bytes: 0,
    cache_class: 'miss',
    source: 'realtime',
    status_class: `${String(row.sc_status ?? 200)[0]}xx`,
    x_edge_request_id: `req-${++sequence}`,
    sequence_number: String(sequence),
    ...row,
  }));
  const columns = [...new Set(full.flatMap((row) => Object.keys(row)))];
  const data = full.map((row) => JSON.stringify(row)).join('\n');
  const list = columns.join(', ');
  await ch.command(`INSERT INTO ${ch.database}.requests (${list}) SELECT ${list} FROM format(JSONEachRow, {data:String})`, { data });
}
