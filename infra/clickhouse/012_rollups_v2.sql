-- Rollups, second version. Measures and their definitions: processor/storage/rollup-sql.ts, which
-- renders the rollup_* lists below (ratios leave WebSocket connections out, variance sums give the
-- 95 % interval of extrapolated counts, an origin first-byte latency digest).
--
-- Two families, each per minute and per hour:
--   requests_1m, requests_1h            key: distribution × bucket × edge location × POP × continent ×
--                                       country × cache behavior × content class × cache class × status
--                                       class. Answers any combination of filters on those.
--   requests_1m_dim, requests_1h_dim    key: distribution × one dimension (name, value) × bucket, with a
--                                       row per dimension ('all', 'country', 'pop', …) for every rollup
--                                       row. Small: answers queries with at most one of those dimensions
--                                       (as a filter or a grouping) in milliseconds over months.
--
-- The tables of 010/011 (same names, other measures) are replaced: views and tables dropped, new ones
-- created, and the minute rollup rebuilt from the raw rows still kept, which fills the others through
-- their views. Views deduplicate with their source (the writer sets
-- deduplicate_blocks_in_dependent_materialized_views), so a replayed insert is dropped here too.
DROP VIEW IF EXISTS {{database}}.requests_1h_mv;
DROP VIEW IF EXISTS {{database}}.requests_1m_mv;
DROP TABLE IF EXISTS {{database}}.requests_1h;
DROP TABLE IF EXISTS {{database}}.requests_1m;

CREATE TABLE {{database}}.requests_1m
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
    {{rollup_columns}}
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(bucket)
ORDER BY (distribution_id, bucket, x_edge_location, pop_code, continent, country,
          cache_behavior_path_pattern, content_class, cache_class, status_class)
TTL bucket + INTERVAL {{minute_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE TABLE {{database}}.requests_1h AS {{database}}.requests_1m
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (distribution_id, bucket, x_edge_location, pop_code, continent, country,
          cache_behavior_path_pattern, content_class, cache_class, status_class)
TTL bucket + INTERVAL {{hour_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE {{database}}.requests_1m_dim
(
    distribution_id LowCardinality(String),
    dimension LowCardinality(String),
    value LowCardinality(String),
    bucket DateTime('UTC') CODEC(Delta, ZSTD(1)),
    {{rollup_columns}}
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(bucket)
ORDER BY (dimension, value, distribution_id, bucket)
TTL bucket + INTERVAL {{minute_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE TABLE {{database}}.requests_1h_dim AS {{database}}.requests_1m_dim
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (dimension, value, distribution_id, bucket)
TTL bucket + INTERVAL {{hour_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW {{database}}.requests_1h_mv TO {{database}}.requests_1h AS
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
    {{rollup_merge}}
FROM {{database}}.requests_1m AS m
GROUP BY distribution_id, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class;

-- Dimension names are those of the query API (api/query/dimensions.ts).
CREATE MATERIALIZED VIEW {{database}}.requests_1m_dim_mv TO {{database}}.requests_1m_dim AS
SELECT
    m.distribution_id AS distribution_id,
    dim.1 AS dimension,
    dim.2 AS value,
    m.bucket AS bucket,
    {{rollup_merge}}
FROM {{database}}.requests_1m AS m
ARRAY JOIN [
    ('all', ''),
    ('country', toString(m.country)),
    ('continent', toString(m.continent)),
    ('pop', toString(m.pop_code)),
    ('cacheStatus', toString(m.cache_class)),
    ('statusClass', toString(m.status_class)),
    ('contentClass', toString(m.content_class)),
    ('cacheBehavior', toString(m.cache_behavior_path_pattern))
] AS dim
GROUP BY distribution_id, dimension, value, bucket;

CREATE MATERIALIZED VIEW {{database}}.requests_1h_dim_mv TO {{database}}.requests_1h_dim AS
SELECT
    m.distribution_id AS distribution_id,
    m.dimension AS dimension,
    m.value AS value,
    toStartOfHour(m.bucket) AS bucket,
    {{rollup_merge}}
FROM {{database}}.requests_1m_dim AS m
GROUP BY distribution_id, dimension, value, bucket;

-- Last, so that every table above exists when it is fed.
CREATE MATERIALIZED VIEW {{database}}.requests_1m_mv TO {{database}}.requests_1m AS
WITH
    {{rollup_raw_values}}
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
    {{rollup_from_raw}}
FROM {{database}}.requests AS src
GROUP BY distribution_id, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class;

-- Rebuild from the raw rows still kept: the same SELECT as the view above.
INSERT INTO {{database}}.requests_1m
WITH
    {{rollup_raw_values}}
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
    {{rollup_from_raw}}
FROM {{database}}.requests AS src
GROUP BY distribution_id, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class;
