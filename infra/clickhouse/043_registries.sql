-- The registries in the ClickHouse server (when one is configured): the real-time log configs (which
-- field set and sampling rate feed which stream, with the layouts it had before a field change) and
-- the distributions whose CloudFront domain attributes a record. Every replica and role reads them
-- whole; every write is a new row with a higher `version`, read with FINAL. A delete is a row with
-- `deleted = 1`. Embedded mode keeps them in files under the data dir instead.

CREATE TABLE IF NOT EXISTS {{database}}.registry_log_configs
(
    name String,
    version UInt64,
    deleted UInt8,
    -- The LogConfigRecord as JSON (retired layouts included).
    record String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY name
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{database}}.registry_distributions
(
    distribution_id String,
    version UInt64,
    deleted UInt8,
    domain_name String,
    aliases Array(String),
    comment String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY distribution_id
SETTINGS non_replicated_deduplication_window = 1000;
