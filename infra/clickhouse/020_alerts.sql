-- Alerting: rules, webhooks, alerts (one row per alert, the latest version wins) and the delivery log
-- of their notifications. Rare writes (a rule changed, an alert moving pending → firing → resolved, a
-- delivery attempt); every write is a new row with a higher `version`, read with FINAL. Each alert
-- keeps one partition (by the month it started), so its versions always collapse.

CREATE TABLE IF NOT EXISTS {{database}}.alert_rules
(
    rule_id String,
    version UInt64,
    deleted UInt8,
    name String,
    kind LowCardinality(String),
    distribution_id String,
    enabled UInt8,
    severity LowCardinality(String),
    window_s UInt32,
    baseline_s UInt32,
    for_s UInt32,
    hold_s UInt32,
    min_sampled UInt32,
    threshold Float64,
    floor Float64,
    per_country UInt8,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY rule_id
SETTINGS non_replicated_deduplication_window = 1000;

-- `secret` signs deliveries (HMAC-SHA256); the API never returns it, nor the URL beyond its origin.
CREATE TABLE IF NOT EXISTS {{database}}.alert_webhooks
(
    webhook_id String,
    version UInt64,
    deleted UInt8,
    name String,
    url String,
    format LowCardinality(String),
    secret String,
    enabled UInt8,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY webhook_id
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{database}}.alerts
(
    alert_id String,
    version UInt64,
    alert_key String,
    rule_id String,
    rule_name String,
    kind LowCardinality(String),
    severity LowCardinality(String),
    distribution_id String,
    country LowCardinality(String),
    state LowCardinality(String),
    pending_at DateTime64(3, 'UTC'),
    fired_at Nullable(DateTime64(3, 'UTC')),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC'),
    value Nullable(Float64),
    threshold Float64,
    baseline Nullable(Float64),
    peak Nullable(Float64),
    context String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(pending_at)
ORDER BY alert_id
TTL toDateTime(pending_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- One row per notification (alert × transition × webhook); `delivery_id` is derived from the three,
-- so a transition re-detected after a restart maps to the same delivery and is never sent twice.
CREATE TABLE IF NOT EXISTS {{database}}.alert_deliveries
(
    delivery_id String,
    version UInt64,
    alert_id String,
    transition LowCardinality(String),
    webhook_id String,
    webhook_name String,
    status LowCardinality(String),
    attempts UInt16,
    last_status_code UInt16,
    last_error String,
    created_at DateTime64(3, 'UTC'),
    last_attempt_at Nullable(DateTime64(3, 'UTC')),
    next_attempt_at Nullable(DateTime64(3, 'UTC')),
    delivered_at Nullable(DateTime64(3, 'UTC')),
    payload String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_at)
ORDER BY delivery_id
TTL toDateTime(created_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000;
