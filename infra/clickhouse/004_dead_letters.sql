-- Lines (or whole batches) that could not be stored as requests, with the reason. Nothing is
-- dropped silently: an operator can read the raw input back from here.
CREATE TABLE IF NOT EXISTS {{database}}.dead_letters
(
    received_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    source LowCardinality(String),
    stream LowCardinality(String),
    shard_id LowCardinality(String),
    sequence_number String,
    line UInt32,
    field Nullable(String),
    reason String CODEC(ZSTD(3)),
    input String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toDate(received_at)
ORDER BY (source, stream, shard_id, received_at)
TTL toDateTime(received_at) + INTERVAL {{dead_letter_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1
