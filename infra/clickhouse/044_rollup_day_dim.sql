-- Daily dim rollup: the rows of requests_1h_dim merged per UTC day. A 30-day summary then merges about
-- 30 rows (plus the hours and minutes at the range's ends) per distribution and dimension value instead
-- of 720, and the latency digests are what costs: merging t-digest states. Measures:
-- processor/storage/rollup-sql.ts, as in 012 and 040.
--
-- Filled from the hour rows already kept (they outlive the raw rows), then by a view on requests_1h_dim,
-- created last so the fill counts nothing twice. Day rows expire with the first hour of their day.
CREATE TABLE IF NOT EXISTS {{database}}.requests_1d_dim AS {{database}}.requests_1h_dim
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (dimension, value, distribution_id, source, bucket)
TTL bucket + INTERVAL {{hour_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000;

INSERT INTO {{database}}.requests_1d_dim
SELECT
    m.distribution_id AS distribution_id,
    m.source AS source,
    m.dimension AS dimension,
    m.value AS value,
    toStartOfDay(m.bucket) AS bucket,
    {{rollup_merge}}
FROM {{database}}.requests_1h_dim AS m
GROUP BY distribution_id, source, dimension, value, bucket;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.requests_1d_dim_mv TO {{database}}.requests_1d_dim AS
SELECT
    m.distribution_id AS distribution_id,
    m.source AS source,
    m.dimension AS dimension,
    m.value AS value,
    toStartOfDay(m.bucket) AS bucket,
    {{rollup_merge}}
FROM {{database}}.requests_1h_dim AS m
GROUP BY distribution_id, source, dimension, value, bucket;
