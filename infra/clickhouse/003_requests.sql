-- One row per viewer request, as parsed and enriched by the processor.
--
-- Columns: every field of processor/fields/catalogue.ts (same order and types), then the
-- columns of `Derived` (processor/types.ts), then where the row came from. The column list is
-- checked against the row encoder by test/storage/schema-columns.test.ts.
--
-- ORDER BY: nearly every query is "one distribution, a time range", often narrowed to a POP, so
-- the key starts with distribution_id, then the hour (a coarse time prefix keeps the rows of one
-- POP within an hour together and lets the index skip hours outside the range), then pop_code
-- (not x_edge_location: key columns cannot be Nullable, and the 3-letter code groups the POP's
-- edge servers), then the exact timestamp.
--
-- non_replicated_deduplication_window: insert_deduplication_token is silently ignored on a
-- non-replicated MergeTree unless this is set; replays after a crash rely on it.
-- ttl_only_drop_parts: partitions are days, so expiry drops whole parts instead of rewriting them.
CREATE TABLE IF NOT EXISTS {{database}}.requests
(
    timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    c_ip Nullable(String),
    s_ip Nullable(String),
    time_to_first_byte Nullable(Float64),
    sc_status Nullable(UInt16),
    sc_bytes Nullable(UInt64),
    cs_method LowCardinality(Nullable(String)),
    cs_protocol LowCardinality(Nullable(String)),
    cs_host LowCardinality(Nullable(String)),
    cs_uri_stem Nullable(String) CODEC(ZSTD(3)),
    cs_bytes Nullable(UInt64),
    x_edge_location LowCardinality(Nullable(String)),
    x_edge_request_id Nullable(String),
    x_host_header LowCardinality(Nullable(String)),
    time_taken Nullable(Float64),
    cs_protocol_version LowCardinality(Nullable(String)),
    c_ip_version LowCardinality(Nullable(String)),
    cs_user_agent Nullable(String) CODEC(ZSTD(3)),
    cs_referer Nullable(String) CODEC(ZSTD(3)),
    cs_cookie Nullable(String) CODEC(ZSTD(3)),
    cs_uri_query Nullable(String) CODEC(ZSTD(3)),
    x_edge_response_result_type LowCardinality(Nullable(String)),
    x_forwarded_for Nullable(String) CODEC(ZSTD(3)),
    ssl_protocol LowCardinality(Nullable(String)),
    ssl_cipher LowCardinality(Nullable(String)),
    x_edge_result_type LowCardinality(Nullable(String)),
    fle_encrypted_fields Nullable(UInt32),
    fle_status LowCardinality(Nullable(String)),
    sc_content_type LowCardinality(Nullable(String)),
    sc_content_len Nullable(UInt64),
    sc_range_start Nullable(UInt64),
    sc_range_end Nullable(UInt64),
    c_port Nullable(UInt16),
    x_edge_detailed_result_type LowCardinality(Nullable(String)),
    c_country LowCardinality(Nullable(String)),
    cs_accept_encoding LowCardinality(Nullable(String)),
    cs_accept LowCardinality(Nullable(String)),
    cache_behavior_path_pattern LowCardinality(Nullable(String)),
    cs_headers Nullable(String) CODEC(ZSTD(3)),
    cs_header_names Nullable(String) CODEC(ZSTD(3)),
    cs_headers_count Nullable(UInt32),
    primary_distribution_id LowCardinality(Nullable(String)),
    primary_distribution_dns_name LowCardinality(Nullable(String)),
    origin_fbl Nullable(Float64),
    origin_lbl Nullable(Float64),
    asn Nullable(UInt32),
    cmcd_encoded_bitrate Nullable(UInt32),
    cmcd_buffer_length Nullable(UInt32),
    cmcd_buffer_starvation LowCardinality(Nullable(String)),
    cmcd_content_id Nullable(String) CODEC(ZSTD(3)),
    cmcd_object_duration Nullable(UInt32),
    cmcd_deadline Nullable(UInt32),
    cmcd_measured_throughput Nullable(UInt32),
    cmcd_next_object_request Nullable(String) CODEC(ZSTD(3)),
    cmcd_next_range_request Nullable(String),
    cmcd_object_type LowCardinality(Nullable(String)),
    cmcd_playback_rate Nullable(Float64),
    cmcd_requested_maximum_throughput Nullable(UInt32),
    cmcd_streaming_format LowCardinality(Nullable(String)),
    cmcd_session_id Nullable(String) CODEC(ZSTD(3)),
    cmcd_stream_type LowCardinality(Nullable(String)),
    cmcd_startup LowCardinality(Nullable(String)),
    cmcd_top_bitrate Nullable(UInt32),
    cmcd_version Nullable(UInt16),
    r_host LowCardinality(Nullable(String)),
    sr_reason LowCardinality(Nullable(String)),
    x_edge_mqcs Nullable(UInt8),
    distribution_tenant_id LowCardinality(Nullable(String)),
    connection_id Nullable(String) CODEC(ZSTD(3)),
    distribution_id LowCardinality(String),
    sampling_rate UInt8,
    source LowCardinality(String),
    uri_path Nullable(String) CODEC(ZSTD(3)),
    uri_query Nullable(String) CODEC(ZSTD(3)),
    country LowCardinality(String),
    country_name LowCardinality(String),
    continent LowCardinality(String),
    country_source LowCardinality(String),
    pop_code LowCardinality(String),
    pop_city LowCardinality(String),
    pop_country LowCardinality(String),
    pop_lat Nullable(Float32),
    pop_lon Nullable(Float32),
    cache_class LowCardinality(String),
    geo_blocked UInt8,
    status_class LowCardinality(String),
    http_version LowCardinality(String),
    is_websocket UInt8,
    content_class LowCardinality(String),
    streaming_format LowCardinality(String),
    device_type LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    is_bot UInt8,
    shard_id LowCardinality(String),
    sequence_number String,
    INDEX idx_request_id x_edge_request_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (distribution_id, toStartOfHour(timestamp), pop_code, timestamp)
TTL toDateTime(timestamp) + INTERVAL {{raw_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1
