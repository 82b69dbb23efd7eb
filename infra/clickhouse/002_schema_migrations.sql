-- Applied migrations. ReplacingMergeTree: processes that migrate at the same time may both
-- record a version; the duplicates collapse and readers use DISTINCT anyway.
CREATE TABLE IF NOT EXISTS {{database}}.schema_migrations
(
    version UInt32,
    name String,
    applied_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version
