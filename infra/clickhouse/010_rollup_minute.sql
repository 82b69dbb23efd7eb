-- Per-minute rollup of `requests`, maintained by a materialized view on every insert.
--
-- Time bucket: `bucket` (the minute here, the hour in requests_1h), so a query builder switches
-- tables without renaming columns. Rows with the same key are merged in the background, so
-- readers always GROUP BY and use sum(...) / quantile...Merge(...).
--
-- Measures (reference §5.2, §5.8). A sampled log holds sampling_rate % of the requests, so every
-- sum except `sampled_*` is extrapolated: each row counts 100 / sampling_rate.
--   requests, bytes            all requests; bytes = sc_bytes
--   bytes_from_cache           cache_class hit / refresh_hit / origin_shield_hit
--   bytes_from_misses          x_edge_result_type = 'Miss' (console "bytes from misses")
--   bytes_downloaded           sc_bytes of GET / HEAD / OPTIONS (CloudWatch BytesDownloaded)
--   bytes_uploaded             cs_bytes of POST / PUT (CloudWatch BytesUploaded)
--   cacheable_requests         method not POST / PUT and cache_class not error / limit_exceeded /
--                              capacity_exceeded (CloudWatch CacheHitRate denominator)
--   cacheable_hits             cacheable and cache_class hit / refresh_hit / origin_shield_hit
--   edge_hits                  x_edge_response_result_type Hit or RefreshHit
--   console_hits / _misses / _errors
--                              x_edge_response_result_type Hit / Miss / Error+LimitExceeded+
--                              CapacityExceeded (console cache statistics report)
--   incomplete_downloads       GET with sc_status 200 and x_edge_result_type Error
--   status_4xx, status_5xx     by sc_status
--   geo_blocked                x_edge_detailed_result_type ClientGeoBlocked
--   ttfb_digest, time_taken_digest
--                              t-digests of time_to_first_byte / time_taken in seconds, weighted
--                              by intDiv(10000, sampling_rate) (an integer ∝ 100 / sampling_rate);
--                              WebSocket connections and absent values are left out. Read with
--                              quantileTDigestWeightedMerge(0.9)(ttfb_digest) or quantiles...Merge.
-- cache_class comes from x_edge_detailed_result_type, falling back to x_edge_result_type, so
-- OriginShieldHit counts as a hit and the measures hold when only one of the two is logged.
CREATE TABLE IF NOT EXISTS {{database}}.requests_1m
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
PARTITION BY toDate(bucket)
ORDER BY (distribution_id, bucket, x_edge_location, pop_code, continent, country,
          cache_behavior_path_pattern, content_class, cache_class, status_class)
TTL bucket + INTERVAL {{minute_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

-- The view deduplicates with its source: a replayed insert (same token) is dropped here too
-- (deduplicate_blocks_in_dependent_materialized_views, which the writer sets on every insert).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.requests_1m_mv TO {{database}}.requests_1m AS
WITH
    100.0 / greatest(src.sampling_rate, 1) AS weight,
    toUInt32(intDiv(10000, greatest(src.sampling_rate, 1))) AS digest_weight,
    ifNull(src.sc_bytes, 0) AS sent_bytes,
    ifNull(src.cs_method, '') AS method,
    ifNull(src.x_edge_response_result_type, '') AS response_type,
    src.cache_class IN ('hit', 'refresh_hit', 'origin_shield_hit') AS from_cache,
    method NOT IN ('POST', 'PUT')
        AND src.cache_class NOT IN ('error', 'limit_exceeded', 'capacity_exceeded') AS cacheable
SELECT
    src.distribution_id AS distribution_id,
    toStartOfMinute(src.timestamp) AS bucket,
    ifNull(src.x_edge_location, '') AS x_edge_location,
    src.pop_code AS pop_code,
    src.continent AS continent,
    src.country AS country,
    ifNull(src.cache_behavior_path_pattern, '') AS cache_behavior_path_pattern,
    src.content_class AS content_class,
    src.cache_class AS cache_class,
    src.status_class AS status_class,
    count() AS sampled_requests,
    sum(weight) AS requests,
    sum(sent_bytes) AS sampled_bytes,
    sum(sent_bytes * weight) AS bytes,
    sumIf(sent_bytes * weight, from_cache) AS bytes_from_cache,
    sumIf(sent_bytes * weight, src.x_edge_result_type = 'Miss') AS bytes_from_misses,
    sumIf(sent_bytes * weight, method IN ('GET', 'HEAD', 'OPTIONS')) AS bytes_downloaded,
    sumIf(ifNull(src.cs_bytes, 0) * weight, method IN ('POST', 'PUT')) AS bytes_uploaded,
    sumIf(weight, cacheable) AS cacheable_requests,
    sumIf(weight, cacheable AND from_cache) AS cacheable_hits,
    sumIf(weight, response_type IN ('Hit', 'RefreshHit')) AS edge_hits,
    sumIf(weight, response_type = 'Hit') AS console_hits,
    sumIf(weight, response_type = 'Miss') AS console_misses,
    sumIf(weight, response_type IN ('Error', 'LimitExceeded', 'CapacityExceeded')) AS console_errors,
    sumIf(weight, method = 'GET' AND src.sc_status = 200 AND src.x_edge_result_type = 'Error') AS incomplete_downloads,
    sumIf(weight, src.sc_status BETWEEN 400 AND 499) AS status_4xx,
    sumIf(weight, src.sc_status BETWEEN 500 AND 599) AS status_5xx,
    sumIf(weight, src.geo_blocked = 1) AS geo_blocked,
    quantileTDigestWeightedStateIf(assumeNotNull(src.time_to_first_byte), digest_weight,
        src.time_to_first_byte IS NOT NULL AND src.is_websocket = 0) AS ttfb_digest,
    quantileTDigestWeightedStateIf(assumeNotNull(src.time_taken), digest_weight,
        src.time_taken IS NOT NULL AND src.is_websocket = 0) AS time_taken_digest
FROM {{database}}.requests AS src
GROUP BY distribution_id, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class
