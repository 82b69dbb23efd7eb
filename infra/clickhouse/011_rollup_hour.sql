-- Hourly rollup with the same key and measures as requests_1m (see 010_rollup_minute.sql), kept
-- longer. Fed by a view on requests_1m, so each insert is aggregated from the minute rows of that
-- insert instead of from the raw rows again; the digests merge with -MergeState.
CREATE TABLE IF NOT EXISTS {{database}}.requests_1h
(
    distribution_id LowCardinality(String),
    bucket DateTime('UTC') CODEC(Delta, ZSTD(1)),
    x_edge_location LowCardinality(String),
    pop_code LowCardinality(String),
    continent LowCardinality(String),
    country LowCardinality(String),
    cache_behavior_path_pattern LowCardinality(String),
    content_class LowCardinality(String),
    cache_class LowCardinality(String),
    status_class LowCardinality(String),
    sampled_requests SimpleAggregateFunction(sum, UInt64),
    requests SimpleAggregateFunction(sum, Float64),
    sampled_bytes SimpleAggregateFunction(sum, UInt64),
    bytes SimpleAggregateFunction(sum, Float64),
    bytes_from_cache SimpleAggregateFunction(sum, Float64),
    bytes_from_misses SimpleAggregateFunction(sum, Float64),
    bytes_downloaded SimpleAggregateFunction(sum, Float64),
    bytes_uploaded SimpleAggregateFunction(sum, Float64),
    cacheable_requests SimpleAggregateFunction(sum, Float64),
    cacheable_hits SimpleAggregateFunction(sum, Float64),
    edge_hits SimpleAggregateFunction(sum, Float64),
    console_hits SimpleAggregateFunction(sum, Float64),
    console_misses SimpleAggregateFunction(sum, Float64),
    console_errors SimpleAggregateFunction(sum, Float64),
    incomplete_downloads SimpleAggregateFunction(sum, Float64),
    status_4xx SimpleAggregateFunction(sum, Float64),
    status_5xx SimpleAggregateFunction(sum, Float64),
    geo_blocked SimpleAggregateFunction(sum, Float64),
    ttfb_digest AggregateFunction(quantileTDigestWeighted, Float64, UInt32),
    time_taken_digest AggregateFunction(quantileTDigestWeighted, Float64, UInt32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (distribution_id, bucket, x_edge_location, pop_code, continent, country,
          cache_behavior_path_pattern, content_class, cache_class, status_class)
TTL bucket + INTERVAL {{hour_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.requests_1h_mv TO {{database}}.requests_1h AS
SELECT
    m.distribution_id AS distribution_id,
    toStartOfHour(m.bucket) AS bucket,
    m.x_edge_location AS x_edge_location,
    m.pop_code AS pop_code,
    m.continent AS continent,
    m.country AS country,
    m.cache_behavior_path_pattern AS cache_behavior_path_pattern,
    m.content_class AS content_class,
    m.cache_class AS cache_class,
    m.status_class AS status_class,
    sum(m.sampled_requests) AS sampled_requests,
    sum(m.requests) AS requests,
    sum(m.sampled_bytes) AS sampled_bytes,
    sum(m.bytes) AS bytes,
    sum(m.bytes_from_cache) AS bytes_from_cache,
    sum(m.bytes_from_misses) AS bytes_from_misses,
    sum(m.bytes_downloaded) AS bytes_downloaded,
    sum(m.bytes_uploaded) AS bytes_uploaded,
    sum(m.cacheable_requests) AS cacheable_requests,
    sum(m.cacheable_hits) AS cacheable_hits,
    sum(m.edge_hits) AS edge_hits,
    sum(m.console_hits) AS console_hits,
    sum(m.console_misses) AS console_misses,
    sum(m.console_errors) AS console_errors,
    sum(m.incomplete_downloads) AS incomplete_downloads,
    sum(m.status_4xx) AS status_4xx,
    sum(m.status_5xx) AS status_5xx,
    sum(m.geo_blocked) AS geo_blocked,
    quantileTDigestWeightedMergeState(m.ttfb_digest) AS ttfb_digest,
    quantileTDigestWeightedMergeState(m.time_taken_digest) AS time_taken_digest
FROM {{database}}.requests_1m AS m
GROUP BY distribution_id, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class
