-- Which (distribution, hour) pairs hold imported standard-log rows. Standard logs are complete, so
-- where a pair has them, queries count those and leave that hour's real-time rows out (unless the
-- request names a source); everywhere else real-time rows count. Kept by a view on `requests`, so
-- the hours of every import are known the moment its rows are. Small: one row per pair.
CREATE TABLE IF NOT EXISTS {{database}}.standard_hours
(
    distribution_id LowCardinality(String),
    hour DateTime('UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (distribution_id, hour)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.standard_hours_mv TO {{database}}.standard_hours AS
SELECT DISTINCT src.distribution_id AS distribution_id, toStartOfHour(src.timestamp) AS hour
FROM {{database}}.requests AS src
WHERE src.source = 'standard';

INSERT INTO {{database}}.standard_hours
SELECT DISTINCT distribution_id, toStartOfHour(timestamp) AS hour
FROM {{database}}.requests
WHERE source = 'standard';
