/**
 * Figures the capacity planner takes from measurements, not from documents. Each names the line of
 * `node bin/run-ts.mjs bench/capacity-bench.ts` (also run by `npm run bench`) it was copied from;
 * re-run the bench and update them together when the parser, the schema or the simulator change.
 */

export interface MeasuredFigures {
  /** How and where the figures were measured. */
  readonly source: string;
  /** field_avg_bytes{field=…}: average text width of each field in simulator lines (every field). */
  readonly fieldAvgBytes: Readonly<Record<string, number>>;
  /** ingest_records_per_cpu_s: per CPU-second, decoding GetRecords responses and encoding Kafka ranges. */
  readonly ingestRecordsPerSecondPerCore: number;
  /**
   * process_records_per_cpu_s: per CPU-second, parsing, enriching and inserting, with the embedded
   * ClickHouse's insert work counted in the same process (a worker talking to a server does less).
   */
  readonly processRecordsPerSecondPerCore: number;
  /** requests_compressed_bytes_per_row: `requests` on disk per row after the inserts and a final merge. */
  readonly requestsCompressedBytesPerRow: number;
  /** bench_line_avg_bytes: average line of the field set those rows were inserted with (64 fields). */
  readonly benchLineAvgBytes: number;
}

export const MEASURED: MeasuredFigures = Object.freeze({
  source: 'node bin/run-ts.mjs bench/capacity-bench.ts, 2026-11-30, 2-core x86-64 VM shared with other jobs (load average about 15); per-core figures are per CPU-second',
  fieldAvgBytes: Object.freeze({
    'timestamp': 14,
    'c-ip': 18.3,
    's-ip': 12.4,
    'time-to-first-byte': 5,
    'sc-status': 3,
    'sc-bytes': 5,
    'cs-method': 3,
    'cs-protocol': 5,
    'cs-host': 15.7,
    'cs-uri-stem': 65.2,
    'cs-bytes': 3,
    'x-edge-location': 7.9,
    'x-edge-request-id': 56,
    'x-host-header': 29,
    'time-taken': 5,
    'cs-protocol-version': 8,
    'c-ip-version': 4,
    'cs-user-agent': 123.6,
    'cs-referer': 31.1,
    'cs-cookie': 6.6,
    'cs-uri-query': 30.3,
    'x-edge-response-result-type': 3.3,
    'x-forwarded-for': 1.4,
    'ssl-protocol': 7,
    'ssl-cipher': 23.1,
    'x-edge-result-type': 3.3,
    'fle-encrypted-fields': 1,
    'fle-status': 1,
    'sc-content-type': 17.9,
    'sc-content-len': 4.8,
    'sc-range-start': 1.1,
    'sc-range-end': 1.1,
    'c-port': 5,
    'x-edge-detailed-result-type': 3.4,
    'c-country': 2,
    'cs-accept-encoding': 21,
    'cs-accept': 27.9,
    'cache-behavior-path-pattern': 6.7,
    'cs-headers': 488.4,
    'cs-header-names': 135,
    'cs-headers-count': 1.5,
    'primary-distribution-id': 1,
    'primary-distribution-dns-name': 1,
    'origin-fbl': 1.4,
    'origin-lbl': 1.4,
    'asn': 4.2,
    'cmcd-encoded-bitrate': 1.3,
    'cmcd-buffer-length': 1.4,
    'cmcd-buffer-starvation': 1,
    'cmcd-content-id': 8.4,
    'cmcd-object-duration': 1.4,
    'cmcd-deadline': 1.4,
    'cmcd-measured-throughput': 2.3,
    'cmcd-next-object-request': 7.8,
    'cmcd-next-range-request': 1,
    'cmcd-object-type': 1,
    'cmcd-playback-rate': 1,
    'cmcd-requested-maximum-throughput': 1.3,
    'cmcd-streaming-format': 1,
    'cmcd-session-id': 12.2,
    'cmcd-stream-type': 1,
    'cmcd-startup': 1.9,
    'cmcd-top-bitrate': 2,
    'cmcd-version': 1,
    'r-host': 1,
    'sr-reason': 1,
    'x-edge-mqcs': 1,
    'distribution-tenant-id': 1,
    'connection-id': 1,
  }),
  ingestRecordsPerSecondPerCore: 84_741,
  processRecordsPerSecondPerCore: 9_563,
  requestsCompressedBytesPerRow: 172.0,
  benchLineAvgBytes: 1310.4,
});
