-- The import ledger: one row per imported file or S3 object (latest state wins), so `edgewatch
-- import` skips what is finished and resumes what is not. `chunks_done` counts the chunks of
-- `chunk_lines` lines already durable (their rows carry deduplication tokens, so a chunk written
-- twice is stored once); `lines` and `dead_letters` are the totals of those chunks.
CREATE TABLE IF NOT EXISTS {{database}}.imported_objects
(
    uri String,
    etag String,
    size UInt64,
    format LowCardinality(String),
    chunk_lines UInt32,
    chunks_done UInt32,
    lines UInt64,
    dead_letters UInt64,
    finished UInt8,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (uri, etag)
