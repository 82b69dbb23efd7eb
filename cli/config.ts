/**
 * edgewatch configuration: one schema, read from `EDGEWATCH_*` environment variables (and `PORT`),
 * validated once at start-up and frozen. Components receive only their own slice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
/** An API bearer token (RFC 6750 characters); short ones can be guessed. Never echoed in messages. */
const apiToken = z
  .string()
  .min(16, 'must be at least 16 characters')
  .max(512, 'must be at most 512 characters')
  .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'may hold only letters, digits and - . _ ~ + / (then = padding)');

const ConfigSchema = z
  .object({
    dataDir: z.string().min(1),
    http: z.object({ host: z.string().min(1), port: z.coerce.number().int().min(0).max(65535) }).strict(),
    clickhouse: z
      .object({
        url: z.string().url().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier'),
        maxExecutionTimeS: positiveInt,
        rawTtlDays: positiveInt,
        minuteTtlDays: positiveInt,
        hourTtlDays: positiveInt,
        cluster: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (a cluster of remote_servers)').optional(),
        clusterInsert: z.enum(['distributed', 'local']),
      })
      .strict(),
    kinesis: z
      .object({
        streamName: z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'must be a Kinesis stream name'),
        region: z.string().min(1),
        endpoint: z.string().url().optional(),
        local: z.boolean(),
        localPort: z.coerce.number().int().min(1).max(65535),
        localShardCount: positiveInt.max(64),
        initialPosition: z.enum(['TRIM_HORIZON', 'LATEST']),
        pollIntervalMs: z.coerce.number().int().min(200),
        /** Bytes per second each shard reader polls at most: a shard's 2 MB/s is shared by every polling application. */
        readBytesPerSecond: z.coerce.number().int().min(1024).max(2 * 1024 * 1024),
        /** Set: read with enhanced fan-out as this stream consumer (registered when missing); polling otherwise. */
        consumerName: z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'must be a Kinesis consumer name').optional(),
      })
      .strict(),
    batch: z
      .object({ maxRecords: positiveInt, maxBytes: positiveInt, maxAgeMs: positiveInt, maxInsertsInFlight: positiveInt })
      .strict(),
    simulator: z.object({ enabled: z.boolean(), ratePerSecond: z.coerce.number().min(0).max(100_000) }).strict(),
    /** Where distributions and real-time log configs are managed: `local` (under the data dir, driving the simulator) or `aws`. */
    controlPlane: z.object({ provider: z.enum(['local', 'aws']), deploymentDelayMs: z.coerce.number().int().min(0).max(600_000) }).strict(),
    logConfig: z
      .object({
        /** Field set of the stream's real-time log config, comma-separated, any order. */
        fields: z.string().min(1).optional(),
        samplingRate: z.coerce.number().int().min(1).max(100).optional(),
      })
      .strict(),
    query: z
      .object({
        /** Longest time range one stats query may span. */
        maxRangeDays: positiveInt.max(3650),
        /** Stats queries running or waiting at once; more get 503 with Retry-After. */
        maxConcurrent: positiveInt.max(64),
      })
      .strict(),
    api: z
      .object({
        adminToken: apiToken.optional(),
        viewerTokens: z.array(apiToken).max(100),
        /** JSON file of hashed tokens: [{ name, role, sha256 }]. */
        tokensFile: z.string().min(1).optional(),
        rateLimitPerMinute: positiveInt,
        /** Proxies whose X-Forwarded-For is believed: true, a hop count, or addresses / CIDRs / names. */
        trustProxy: z
          .union([
            z.boolean(),
            z.number().int().min(1).max(16),
            z.array(z.string().regex(/^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?)$/, 'must be true, a hop count, or addresses, CIDRs, loopback, linklocal, uniquelocal')).min(1),
          ])
          .optional(),
      })
      .strict(),
    kafka: z
      .object({
        /** Set: scale-out mode (`edgewatch ingest` and `edgewatch process` meet in Kafka). */
        brokers: z.array(z.string().regex(/^[^\s:,/]+:\d{1,5}$/, 'must be a comma-separated list of host:port')).min(1).optional(),
        clientId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a plain name'),
        topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name'),
        /** `ranges`: what `edgewatch ingest` publishes; `lines`: raw CloudFront lines from elsewhere. */
        topicFormat: z.enum(['ranges', 'lines']),
        partitions: positiveInt.max(10_000),
        replicationFactor: positiveInt.max(32).optional(),
        deadLetterTopic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name'),
        groupId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a plain name'),
        maxMessageBytes: z.coerce.number().int().min(256 * 1024).max(128 * 1024 * 1024),
        // Brokers refuse sessions shorter than group.min.session.timeout.ms (6 s by default).
        sessionTimeoutMs: z.coerce.number().int().min(6_000).max(600_000),
        concurrentPartitions: positiveInt.max(64),
        compression: z.enum(['none', 'gzip']),
        /** Topic of the live feed: processors publish per-second counter cells and sampled records, every `serve` replica reads it all. */
        liveTopic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name'),
        liveFiltersTopic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name'),
        liveMaxPushedFilters: positiveInt.max(1_000),
        /** Sampled records each processor publishes per second, at most (the live tail of `serve`). */
        liveRecordsPerSecond: z.coerce.number().int().min(0).max(1_000),
        /** Counter cells (dimension combinations) each processor publishes per second, at most; beyond, an overflow cell. */
        liveMaxCells: positiveInt.max(100_000),
      })
      .strict(),
    alerts: z
      .object({
        enabled: z.boolean(),
        /** Time between two evaluations of the alert rules. */
        evalIntervalMs: z.coerce.number().int().min(200).max(300_000),
        /** Base of the dashboard links in alert notifications; default the API server's address. */
        publicUrl: z.string().url().optional(),
        /** Webhooks may reach loopback, private and link-local addresses (internal receivers). */
        webhookAllowPrivate: z.boolean(),
      })
      .strict(),
    leases: z
      .object({
        /** Set: shard leases in this DynamoDB table, shared by every `edgewatch ingest` worker of the stream. */
        table: z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name').optional(),
        dynamodbEndpoint: z.string().url().optional(),
        workerId: z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'must be a plain name (letters, digits, . _ : @ -)'),
        durationMs: z.coerce.number().int().min(300).max(600_000),
      })
      .strict(),
    shutdownDeadlineMs: positiveInt,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  })
  .strict();

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Maps schema paths back to the variables users set, for error messages. */
const ENV_NAMES: Record<string, string> = {
  dataDir: 'EDGEWATCH_DATA_DIR',
  'http.host': 'EDGEWATCH_HOST',
  'http.port': 'PORT',
  'clickhouse.url': 'EDGEWATCH_CLICKHOUSE_URL',
  'clickhouse.database': 'EDGEWATCH_CLICKHOUSE_DATABASE',
  'clickhouse.maxExecutionTimeS': 'EDGEWATCH_QUERY_MAX_EXECUTION_TIME_S',
  'clickhouse.rawTtlDays': 'EDGEWATCH_RAW_TTL_DAYS',
  'clickhouse.minuteTtlDays': 'EDGEWATCH_MINUTE_ROLLUP_TTL_DAYS',
  'clickhouse.hourTtlDays': 'EDGEWATCH_HOUR_ROLLUP_TTL_DAYS',
  'clickhouse.cluster': 'EDGEWATCH_CLICKHOUSE_CLUSTER',
  'clickhouse.clusterInsert': 'EDGEWATCH_CLICKHOUSE_CLUSTER_INSERT',
  'kinesis.streamName': 'EDGEWATCH_KINESIS_STREAM',
  'kinesis.region': 'AWS_REGION',
  'kinesis.endpoint': 'EDGEWATCH_KINESIS_ENDPOINT',
  'kinesis.localPort': 'EDGEWATCH_LOCAL_KINESIS_PORT',
  'kinesis.localShardCount': 'EDGEWATCH_LOCAL_KINESIS_SHARDS',
  'kinesis.initialPosition': 'EDGEWATCH_KINESIS_INITIAL_POSITION',
  'kinesis.pollIntervalMs': 'EDGEWATCH_KINESIS_POLL_INTERVAL_MS',
  'kinesis.readBytesPerSecond': 'EDGEWATCH_KINESIS_READ_BYTES_PER_SECOND',
  'kinesis.consumerName': 'EDGEWATCH_KINESIS_CONSUMER_NAME',
  'batch.maxRecords': 'EDGEWATCH_BATCH_MAX_RECORDS',
  'batch.maxBytes': 'EDGEWATCH_BATCH_MAX_BYTES',
  'batch.maxAgeMs': 'EDGEWATCH_BATCH_MAX_AGE_MS',
  'batch.maxInsertsInFlight': 'EDGEWATCH_MAX_INSERTS_IN_FLIGHT',
  'simulator.ratePerSecond': 'EDGEWATCH_SIMULATOR_RATE',
  'controlPlane.provider': 'EDGEWATCH_CONTROL_PLANE',
  'controlPlane.deploymentDelayMs': 'EDGEWATCH_LOCAL_DEPLOYMENT_DELAY_MS',
  'logConfig.fields': 'EDGEWATCH_LOG_FIELDS',
  'logConfig.samplingRate': 'EDGEWATCH_LOG_SAMPLING_RATE',
  'api.adminToken': 'EDGEWATCH_ADMIN_TOKEN',
  'api.viewerTokens': 'EDGEWATCH_VIEWER_TOKENS',
  'api.tokensFile': 'EDGEWATCH_TOKENS_FILE',
  'api.rateLimitPerMinute': 'EDGEWATCH_RATE_LIMIT_PER_MINUTE',
  'api.trustProxy': 'EDGEWATCH_TRUST_PROXY',
  'query.maxRangeDays': 'EDGEWATCH_QUERY_MAX_RANGE_DAYS',
  'query.maxConcurrent': 'EDGEWATCH_QUERY_MAX_CONCURRENT',
  'kafka.brokers': 'EDGEWATCH_KAFKA_BROKERS',
  'kafka.clientId': 'EDGEWATCH_KAFKA_CLIENT_ID',
  'kafka.topic': 'EDGEWATCH_KAFKA_TOPIC',
  'kafka.topicFormat': 'EDGEWATCH_KAFKA_TOPIC_FORMAT',
  'kafka.partitions': 'EDGEWATCH_KAFKA_PARTITIONS',
  'kafka.replicationFactor': 'EDGEWATCH_KAFKA_REPLICATION_FACTOR',
  'kafka.deadLetterTopic': 'EDGEWATCH_KAFKA_DLQ_TOPIC',
  'kafka.groupId': 'EDGEWATCH_KAFKA_GROUP',
  'kafka.maxMessageBytes': 'EDGEWATCH_KAFKA_MAX_MESSAGE_BYTES',
  'kafka.sessionTimeoutMs': 'EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS',
  'kafka.concurrentPartitions': 'EDGEWATCH_KAFKA_CONCURRENT_PARTITIONS',
  'kafka.compression': 'EDGEWATCH_KAFKA_COMPRESSION',
  'kafka.liveTopic': 'EDGEWATCH_KAFKA_LIVE_TOPIC',
  'kafka.liveFiltersTopic': 'EDGEWATCH_KAFKA_LIVE_FILTERS_TOPIC',
  'kafka.liveMaxPushedFilters': 'EDGEWATCH_LIVE_FEED_MAX_FILTERS',
  'kafka.liveRecordsPerSecond': 'EDGEWATCH_LIVE_FEED_RECORDS_PER_SECOND',
  'kafka.liveMaxCells': 'EDGEWATCH_LIVE_FEED_MAX_CELLS',
  'alerts.evalIntervalMs': 'EDGEWATCH_ALERT_EVAL_INTERVAL_MS',
  'alerts.publicUrl': 'EDGEWATCH_PUBLIC_URL',
  'leases.table': 'EDGEWATCH_LEASE_TABLE',
  'leases.dynamodbEndpoint': 'EDGEWATCH_DYNAMODB_ENDPOINT',
  'leases.workerId': 'EDGEWATCH_WORKER_ID',
  'leases.durationMs': 'EDGEWATCH_LEASE_DURATION_MS',
  shutdownDeadlineMs: 'EDGEWATCH_SHUTDOWN_DEADLINE_MS',
  logLevel: 'EDGEWATCH_LOG_LEVEL',
};

/** The variable behind a schema path (`api.viewerTokens.2` → EDGEWATCH_VIEWER_TOKENS). */
function envNameOf(issuePath: readonly PropertyKey[]): string {
  for (let n = issuePath.length; n > 0; n--) {
    const name = ENV_NAMES[issuePath.slice(0, n).map(String).join('.')];
    if (name !== undefined) return name;
  }
  return issuePath.map(String).join('.');
}

/** `true` / `false`, a hop count, or a comma-separated list of addresses, CIDRs and range names. */
function trustProxyOf(value: string | undefined): boolean | number | string[] | undefined {
  const text = blankToUndefined(value)?.trim();
  if (text === undefined) return undefined;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  return commaList(text);
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Settings from the optional JSON file named by EDGEWATCH_CONFIG: an object of the same variable
 * names with string, number or boolean values. The environment overrides the file.
 */
function readConfigFile(file: string, cwd: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.resolve(cwd, file), 'utf8'));
  } catch (err) {
    throw new ConfigError([`EDGEWATCH_CONFIG: cannot read ${file}: ${(err as Error).message}`]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`EDGEWATCH_CONFIG: ${file} must hold a JSON object of settings`]);
  }
  const known = new Set([...Object.values(ENV_NAMES), ...EXTRA_ENV_NAMES]);
  const problems: string[] = [];
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) problems.push(`${file}: unknown setting ${key}`);
    else if (!['string', 'number', 'boolean'].includes(typeof value)) problems.push(`${file}: ${key} must be a string, number or boolean`);
    else settings[key] = String(value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** Variables read directly rather than through a schema path. */
const EXTRA_ENV_NAMES = [
  'EDGEWATCH_CLICKHOUSE_USER',
  'EDGEWATCH_CLICKHOUSE_PASSWORD',
  'EDGEWATCH_LOCAL_KINESIS',
  'EDGEWATCH_SIMULATOR',
  'EDGEWATCH_ALERTS',
  'EDGEWATCH_WEBHOOK_ALLOW_PRIVATE',
  'AWS_DEFAULT_REGION',
];

/** Reads the configuration from an environment (default `process.env`). Throws ConfigError. */
export function loadConfig(processEnv: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = blankToUndefined(processEnv.EDGEWATCH_CONFIG);
  const env: NodeJS.ProcessEnv = file === undefined ? processEnv : { ...readConfigFile(file, cwd), ...processEnv };
  const kinesisEndpoint = blankToUndefined(env.EDGEWATCH_KINESIS_ENDPOINT);
  const local = flag(env.EDGEWATCH_LOCAL_KINESIS, kinesisEndpoint === undefined && env.EDGEWATCH_KINESIS_STREAM === undefined);
  const tokensFile = blankToUndefined(env.EDGEWATCH_TOKENS_FILE);
  const raw = {
    dataDir: path.resolve(cwd, env.EDGEWATCH_DATA_DIR ?? 'data'),
    http: { host: env.EDGEWATCH_HOST ?? '127.0.0.1', port: env.PORT ?? 8080 },
    clickhouse: {
      url: blankToUndefined(env.EDGEWATCH_CLICKHOUSE_URL),
      username: blankToUndefined(env.EDGEWATCH_CLICKHOUSE_USER),
      password: blankToUndefined(env.EDGEWATCH_CLICKHOUSE_PASSWORD),
      database: env.EDGEWATCH_CLICKHOUSE_DATABASE ?? 'edgewatch',
      maxExecutionTimeS: env.EDGEWATCH_QUERY_MAX_EXECUTION_TIME_S ?? 10,
      rawTtlDays: env.EDGEWATCH_RAW_TTL_DAYS ?? 30,
      minuteTtlDays: env.EDGEWATCH_MINUTE_ROLLUP_TTL_DAYS ?? 30,
      hourTtlDays: env.EDGEWATCH_HOUR_ROLLUP_TTL_DAYS ?? 400,
      cluster: blankToUndefined(env.EDGEWATCH_CLICKHOUSE_CLUSTER),
      clusterInsert: env.EDGEWATCH_CLICKHOUSE_CLUSTER_INSERT ?? 'distributed',
    },
    kinesis: {
      streamName: env.EDGEWATCH_KINESIS_STREAM ?? 'edgewatch-local',
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint: kinesisEndpoint,
      local,
      localPort: env.EDGEWATCH_LOCAL_KINESIS_PORT ?? 4567,
      localShardCount: env.EDGEWATCH_LOCAL_KINESIS_SHARDS ?? 2,
      initialPosition: env.EDGEWATCH_KINESIS_INITIAL_POSITION ?? 'TRIM_HORIZON',
      pollIntervalMs: env.EDGEWATCH_KINESIS_POLL_INTERVAL_MS ?? 1000,
      readBytesPerSecond: env.EDGEWATCH_KINESIS_READ_BYTES_PER_SECOND ?? 2 * 1024 * 1024,
      consumerName: blankToUndefined(env.EDGEWATCH_KINESIS_CONSUMER_NAME),
    },
    batch: {
      maxRecords: env.EDGEWATCH_BATCH_MAX_RECORDS ?? 20_000,
      maxBytes: env.EDGEWATCH_BATCH_MAX_BYTES ?? 16 * 1024 * 1024,
      maxAgeMs: env.EDGEWATCH_BATCH_MAX_AGE_MS ?? 2000,
      maxInsertsInFlight: env.EDGEWATCH_MAX_INSERTS_IN_FLIGHT ?? 2,
    },
    controlPlane: {
      provider: env.EDGEWATCH_CONTROL_PLANE ?? (local ? 'local' : 'aws'),
      deploymentDelayMs: env.EDGEWATCH_LOCAL_DEPLOYMENT_DELAY_MS ?? 3000,
    },
    simulator: {
      enabled: flag(env.EDGEWATCH_SIMULATOR, local),
      ratePerSecond: env.EDGEWATCH_SIMULATOR_RATE ?? 200,
    },
    logConfig: { fields: blankToUndefined(env.EDGEWATCH_LOG_FIELDS), samplingRate: blankToUndefined(env.EDGEWATCH_LOG_SAMPLING_RATE) },
    query: {
      maxRangeDays: env.EDGEWATCH_QUERY_MAX_RANGE_DAYS ?? 400,
      maxConcurrent: env.EDGEWATCH_QUERY_MAX_CONCURRENT ?? 4,
    },
    api: {
      adminToken: blankToUndefined(env.EDGEWATCH_ADMIN_TOKEN),
      viewerTokens: commaList(env.EDGEWATCH_VIEWER_TOKENS),
      tokensFile: tokensFile === undefined ? undefined : path.resolve(cwd, tokensFile),
      rateLimitPerMinute: env.EDGEWATCH_RATE_LIMIT_PER_MINUTE ?? 1200,
      trustProxy: trustProxyOf(env.EDGEWATCH_TRUST_PROXY),
    },
    kafka: {
      brokers: commaList(env.EDGEWATCH_KAFKA_BROKERS).length > 0 ? commaList(env.EDGEWATCH_KAFKA_BROKERS) : undefined,
      clientId: env.EDGEWATCH_KAFKA_CLIENT_ID ?? 'edgewatch',
      topic: env.EDGEWATCH_KAFKA_TOPIC ?? 'edgewatch.raw',
      topicFormat: env.EDGEWATCH_KAFKA_TOPIC_FORMAT ?? 'ranges',
      partitions: env.EDGEWATCH_KAFKA_PARTITIONS ?? 6,
      replicationFactor: blankToUndefined(env.EDGEWATCH_KAFKA_REPLICATION_FACTOR),
      deadLetterTopic: env.EDGEWATCH_KAFKA_DLQ_TOPIC ?? 'edgewatch.dead-letters',
      groupId: env.EDGEWATCH_KAFKA_GROUP ?? 'edgewatch-processor',
      maxMessageBytes: env.EDGEWATCH_KAFKA_MAX_MESSAGE_BYTES ?? 8 * 1024 * 1024,
      sessionTimeoutMs: env.EDGEWATCH_KAFKA_SESSION_TIMEOUT_MS ?? 30_000,
      concurrentPartitions: env.EDGEWATCH_KAFKA_CONCURRENT_PARTITIONS ?? 2,
      compression: env.EDGEWATCH_KAFKA_COMPRESSION ?? 'none',
      liveTopic: env.EDGEWATCH_KAFKA_LIVE_TOPIC ?? 'edgewatch-live',
      liveFiltersTopic: env.EDGEWATCH_KAFKA_LIVE_FILTERS_TOPIC ?? 'edgewatch-live-filters',
      liveMaxPushedFilters: env.EDGEWATCH_LIVE_FEED_MAX_FILTERS ?? 64,
      liveRecordsPerSecond: env.EDGEWATCH_LIVE_FEED_RECORDS_PER_SECOND ?? 50,
      liveMaxCells: env.EDGEWATCH_LIVE_FEED_MAX_CELLS ?? 2_000,
    },
    alerts: {
      enabled: flag(env.EDGEWATCH_ALERTS, true),
      evalIntervalMs: env.EDGEWATCH_ALERT_EVAL_INTERVAL_MS ?? 5_000,
      publicUrl: blankToUndefined(env.EDGEWATCH_PUBLIC_URL),
      webhookAllowPrivate: flag(env.EDGEWATCH_WEBHOOK_ALLOW_PRIVATE, false),
    },
    leases: {
      table: blankToUndefined(env.EDGEWATCH_LEASE_TABLE),
      dynamodbEndpoint: blankToUndefined(env.EDGEWATCH_DYNAMODB_ENDPOINT),
      workerId: blankToUndefined(env.EDGEWATCH_WORKER_ID) ?? `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100)}:${process.pid}`,
      // The Kinesis Client Library's failover time.
      durationMs: env.EDGEWATCH_LEASE_DURATION_MS ?? 10_000,
    },
    shutdownDeadlineMs: env.EDGEWATCH_SHUTDOWN_DEADLINE_MS ?? 30_000,
    logLevel: env.EDGEWATCH_LOG_LEVEL ?? 'info',
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${envNameOf(issue.path)}: ${issue.message}`),
    );
  }
  if (parsed.data.clickhouse.cluster !== undefined && parsed.data.clickhouse.url === undefined) {
    throw new ConfigError(['EDGEWATCH_CLICKHOUSE_CLUSTER: needs a ClickHouse server (EDGEWATCH_CLICKHOUSE_URL); embedded ClickHouse is a single node']);
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
