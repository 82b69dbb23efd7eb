/**
 * edgewatch configuration: one schema, read from `EDGEWATCH_*` environment variables (and `PORT`),
 * validated once at start-up and frozen. Components receive only their own slice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

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
      })
      .strict(),
    batch: z
      .object({ maxRecords: positiveInt, maxBytes: positiveInt, maxAgeMs: positiveInt, maxInsertsInFlight: positiveInt })
      .strict(),
    simulator: z.object({ enabled: z.boolean(), ratePerSecond: z.coerce.number().min(0).max(100_000) }).strict(),
    logConfig: z
      .object({
        /** Field set of the stream's real-time log config, comma-separated, any order. */
        fields: z.string().min(1).optional(),
        samplingRate: z.coerce.number().int().min(1).max(100).optional(),
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
  'kinesis.streamName': 'EDGEWATCH_KINESIS_STREAM',
  'kinesis.region': 'AWS_REGION',
  'kinesis.endpoint': 'EDGEWATCH_KINESIS_ENDPOINT',
  'kinesis.localPort': 'EDGEWATCH_LOCAL_KINESIS_PORT',
  'kinesis.localShardCount': 'EDGEWATCH_LOCAL_KINESIS_SHARDS',
  'kinesis.initialPosition': 'EDGEWATCH_KINESIS_INITIAL_POSITION',
  'kinesis.pollIntervalMs': 'EDGEWATCH_KINESIS_POLL_INTERVAL_MS',
  'batch.maxRecords': 'EDGEWATCH_BATCH_MAX_RECORDS',
  'batch.maxBytes': 'EDGEWATCH_BATCH_MAX_BYTES',
  'batch.maxAgeMs': 'EDGEWATCH_BATCH_MAX_AGE_MS',
  'batch.maxInsertsInFlight': 'EDGEWATCH_MAX_INSERTS_IN_FLIGHT',
  'simulator.ratePerSecond': 'EDGEWATCH_SIMULATOR_RATE',
  'logConfig.fields': 'EDGEWATCH_LOG_FIELDS',
  'logConfig.samplingRate': 'EDGEWATCH_LOG_SAMPLING_RATE',
  shutdownDeadlineMs: 'EDGEWATCH_SHUTDOWN_DEADLINE_MS',
  logLevel: 'EDGEWATCH_LOG_LEVEL',
};

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
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
  'AWS_DEFAULT_REGION',
];

/** Reads the configuration from an environment (default `process.env`). Throws ConfigError. */
export function loadConfig(processEnv: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = blankToUndefined(processEnv.EDGEWATCH_CONFIG);
  const env: NodeJS.ProcessEnv = file === undefined ? processEnv : { ...readConfigFile(file, cwd), ...processEnv };
  const kinesisEndpoint = blankToUndefined(env.EDGEWATCH_KINESIS_ENDPOINT);
  const local = flag(env.EDGEWATCH_LOCAL_KINESIS, kinesisEndpoint === undefined && env.EDGEWATCH_KINESIS_STREAM === undefined);
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
    },
    batch: {
      maxRecords: env.EDGEWATCH_BATCH_MAX_RECORDS ?? 20_000,
      maxBytes: env.EDGEWATCH_BATCH_MAX_BYTES ?? 16 * 1024 * 1024,
      maxAgeMs: env.EDGEWATCH_BATCH_MAX_AGE_MS ?? 2000,
      maxInsertsInFlight: env.EDGEWATCH_MAX_INSERTS_IN_FLIGHT ?? 2,
    },
    simulator: {
      enabled: flag(env.EDGEWATCH_SIMULATOR, local),
      ratePerSecond: env.EDGEWATCH_SIMULATOR_RATE ?? 200,
    },
    logConfig: { fields: blankToUndefined(env.EDGEWATCH_LOG_FIELDS), samplingRate: blankToUndefined(env.EDGEWATCH_LOG_SAMPLING_RATE) },
    shutdownDeadlineMs: env.EDGEWATCH_SHUTDOWN_DEADLINE_MS ?? 30_000,
    logLevel: env.EDGEWATCH_LOG_LEVEL ?? 'info',
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.');
        return `${ENV_NAMES[key] ?? key}: ${issue.message}`;
      }),
    );
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
