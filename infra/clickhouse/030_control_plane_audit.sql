-- Control-plane audit log: one row per change to a distribution, real-time log config or
-- invalidation, applied or failed: who (token name and role), when, what, and the resource before
-- and after with the diff between them (JSON text). Written once, never updated. The dashboard's
-- change markers on time-series charts are read from it.

CREATE TABLE IF NOT EXISTS {{database}}.control_plane_audit
(
    change_id String,
    at DateTime64(3, 'UTC'),
    actor String,
    actor_role LowCardinality(String),
    action LowCardinality(String),
    resource_type LowCardinality(String),
    resource_id String,
    distribution_id String,
    provider LowCardinality(String),
    outcome LowCardinality(String),
    error String,
    summary String,
    before String,
    after String,
    diff String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, change_id)
TTL toDateTime(at) + INTERVAL 800 DAY
SETTINGS non_replicated_deduplication_window = 1000;
