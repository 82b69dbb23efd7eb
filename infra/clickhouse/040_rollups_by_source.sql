-- Rollups keyed by `source` ('realtime' or 'standard'), so that where one distribution and hour hold
-- both imported standard logs and real-time rows, queries read one source instead of their sum (the
-- rule is applied in api/query). Measures: processor/storage/rollup-sql.ts, as in 012.
--
-- Every rollup row stored so far is a real-time row, and it is kept: hour rollups outlive the raw rows
-- (400 against 30 days by default), so rebuilding from raw rows would lose history. The rows are copied
-- aside (a plain MergeTree keeps aggregate states as they are), the tables recreated with `source`
-- second in each key (a sorting key cannot take a new column in the middle, nor one with a default),
-- the rows copied back as 'realtime', and the views recreated last, so the copies feed nothing twice.
DROP VIEW IF EXISTS {{database}}.requests_1m_mv;
DROP VIEW IF EXISTS {{database}}.requests_1h_mv;
DROP VIEW IF EXISTS {{database}}.requests_1m_dim_mv;
DROP VIEW IF EXISTS {{database}}.requests_1h_dim_mv;

CREATE TABLE {{database}}.requests_1m_before_source AS {{database}}.requests_1m ENGINE = MergeTree ORDER BY tuple();
INSERT INTO {{database}}.requests_1m_before_source SELECT * FROM {{database}}.requests_1m;
DROP TABLE {{database}}.requests_1m;

CREATE TABLE {{database}}.requests_1h_before_source AS {{database}}.requests_1h ENGINE = MergeTree ORDER BY tuple();
INSERT INTO {{database}}.requests_1h_before_source SELECT * FROM {{database}}.requests_1h;
DROP TABLE {{database}}.requests_1h;

CREATE TABLE {{database}}.requests_1m_dim_before_source AS {{database}}.requests_1m_dim ENGINE = MergeTree ORDER BY tuple();
INSERT INTO {{database}}.requests_1m_dim_before_source SELECT * FROM {{database}}.requests_1m_dim;
DROP TABLE {{database}}.requests_1m_dim;

CREATE TABLE {{database}}.requests_1h_dim_before_source AS {{database}}.requests_1h_dim ENGINE = MergeTree ORDER BY tuple();
INSERT INTO {{database}}.requests_1h_dim_before_source SELECT * FROM {{database}}.requests_1h_dim;
DROP TABLE {{database}}.requests_1h_dim;

CREATE TABLE {{database}}.requests_1m
(
    distribution_id LowCardinality(String),
    source LowCardinality(String),
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
ORDER BY (distribution_id, source, bucket, x_edge_location, pop_code, continent, country,
          cache_behavior_path_pattern, content_class, cache_class, status_class)
TTL bucket + INTERVAL {{minute_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE TABLE {{database}}.requests_1h AS {{database}}.requests_1m
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (distribution_id, source, bucket, x_edge_location, pop_code, continent, country,
          cache_behavior_path_pattern, content_class, cache_class, status_class)
TTL bucket + INTERVAL {{hour_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE {{database}}.requests_1m_dim
(
    distribution_id LowCardinality(String),
    source LowCardinality(String),
    dimension LowCardinality(String),
    value LowCardinality(String),
    bucket DateTime('UTC') CODEC(Delta, ZSTD(1)),
    {{rollup_columns}}
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(bucket)
ORDER BY (dimension, value, distribution_id, source, bucket)
TTL bucket + INTERVAL {{minute_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE TABLE {{database}}.requests_1h_dim AS {{database}}.requests_1m_dim
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (dimension, value, distribution_id, source, bucket)
TTL bucket + INTERVAL {{hour_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- Columns are the old ones with `source` second: copied by position.

INSERT INTO {{database}}.requests_1m SELECT distribution_id, 'realtime' AS source, * EXCEPT (distribution_id) FROM {{database}}.requests_1m_before_source;
DROP TABLE {{database}}.requests_1m_before_source;

INSERT INTO {{database}}.requests_1h SELECT distribution_id, 'realtime' AS source, * EXCEPT (distribution_id) FROM {{database}}.requests_1h_before_source;
DROP TABLE {{database}}.requests_1h_before_source;

INSERT INTO {{database}}.requests_1m_dim SELECT distribution_id, 'realtime' AS source, * EXCEPT (distribution_id) FROM {{database}}.requests_1m_dim_before_source;
DROP TABLE {{database}}.requests_1m_dim_before_source;

INSERT INTO {{database}}.requests_1h_dim SELECT distribution_id, 'realtime' AS source, * EXCEPT (distribution_id) FROM {{database}}.requests_1h_dim_before_source;
DROP TABLE {{database}}.requests_1h_dim_before_source;


CREATE MATERIALIZED VIEW {{database}}.requests_1h_mv TO {{database}}.requests_1h AS
SELECT
    m.distribution_id AS distribution_id,
    m.source AS source,
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
GROUP BY distribution_id, source, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class;

-- Dimension names are those of the query API (api/query/dimensions.ts).
CREATE MATERIALIZED VIEW {{database}}.requests_1m_dim_mv TO {{database}}.requests_1m_dim AS
SELECT
    m.distribution_id AS distribution_id,
    m.source AS source,
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
GROUP BY distribution_id, source, dimension, value, bucket;

CREATE MATERIALIZED VIEW {{database}}.requests_1h_dim_mv TO {{database}}.requests_1h_dim AS
SELECT
    m.distribution_id AS distribution_id,
    m.source AS source,
    m.dimension AS dimension,
    m.value AS value,
    toStartOfHour(m.bucket) AS bucket,
    {{rollup_merge}}
FROM {{database}}.requests_1m_dim AS m
GROUP BY distribution_id, source, dimension, value, bucket;

-- Last, so that every table above exists when it is fed.
CREATE MATERIALIZED VIEW {{database}}.requests_1m_mv TO {{database}}.requests_1m AS
WITH
    {{rollup_raw_values}}
SELECT
    src.distribution_id AS distribution_id,
    src.source AS source,
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
GROUP BY distribution_id, source, bucket, x_edge_location, pop_code, continent, country,
         cache_behavior_path_pattern, content_class, cache_class, status_class;
