/**
 * `edgewatch import <file|folder|s3://bucket/prefix> ...`: loads CloudFront standard access logs and
 * archived real-time logs into the same tables as live traffic, resumably and exactly once.
 *
 * When a server runs on the same data dir (it leaves `server.json` there), the job is handed to it
 * through the admin API: embedded ClickHouse allows one process per data directory.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_FORMATS, type LogFormat } from '../../ingest/import/format-detect.js';
import type { ImportProgress, ImportSummary } from '../../ingest/import/import-job.js';
import { createImportProgressDisplay, formatImportSummary } from '../../ingest/import/import-progress.js';
import { DEFAULT_CHUNK_LINES, executeImport, ImportRequestError, type ImportRequest } from '../../ingest/import/import-request.js';
import type { ImportJobBody } from '../../api/imports/import-schemas.js';
import { readServerInfo, serverProcessAlive, type ServerInfo } from '../../ingest/import/server-handoff.js';
import { ImportApiClient } from '../import-api-client.js';
import { layoutFromList, layoutOf } from '../../processor/fields/layout.js';
import { openRegistries } from '../../processor/registry/open-registries.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { loadConfig, type Config } from '../config.js';
import { streamLogConfig } from '../stream-log-config.js';
import { clickHouseFromConfig, writerFromConfig } from '../clickhouse-from-config.js';

const HELP = `usage: edgewatch import <file | folder | s3://bucket/prefix> ... [options]

  --format standard|realtime   kind of log (default: detected per file from its first line)
  --fields f1,f2,...           field set of real-time lines (default: the stream's log config)
  --sampling-rate P            sampling rate (1-100) the real-time lines were logged at (default: the log config's)
  --distribution ID            distribution every row belongs to (default: from the key, or the host domain)
  --from, --to                 ISO time range: S3 objects and files whose name says an hour outside it are skipped
  --concurrency N              objects imported at once (default 2)
  --s3-endpoint URL            an S3-compatible endpoint (default: AWS; also EDGEWATCH_S3_ENDPOINT)
  --chunk-lines N              input lines per insert (default 50000; a started file keeps its own)
  --direct                     open the store even if a server runs on the data dir (it must not)

Reads plain and gzip files. What was imported is recorded in ClickHouse: a re-run skips finished
objects and resumes the others, and never stores a line twice. While 'npm start' runs on the same
data dir, the import runs inside the server (POST /api/v1/imports).`;

class UsageError extends Error {}

function parseTime(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`${name} must be an ISO date or time, got ${value}`);
  return ms;
}

interface ParsedCommand {
  readonly body: ImportJobBody;
  readonly request: ImportRequest;
  readonly s3Endpoint: string | undefined;
  readonly direct: boolean;
  readonly chunkLines: number;
}

function parseCommand(argv: string[]): ParsedCommand | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      fields: { type: 'string' },
      'sampling-rate': { type: 'string' },
      distribution: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      concurrency: { type: 'string' },
      's3-endpoint': { type: 'string' },
      'chunk-lines': { type: 'string' },
      direct: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true) return 'help';
  if (positionals.length === 0) throw new UsageError('give at least one file, folder or s3://bucket/prefix');
  const inputs = positionals.map((p) => (p.startsWith('s3://') ? p : path.resolve(p)));
  const format = values.format;
  if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${LOG_FORMATS.join(', ')}`);
  let layout;
  try {
    layout = values.fields === undefined ? undefined : layoutFromList(values.fields);
  } catch (err) {
    throw new UsageError(`--fields: ${(err as Error).message}`);
  }
  const samplingRate = values['sampling-rate'] === undefined ? undefined : Number(values['sampling-rate']);
  if (samplingRate !== undefined && !(Number.isInteger(samplingRate) && samplingRate >= 1 && samplingRate <= 100)) {
    throw new UsageError('--sampling-rate must be a whole number from 1 to 100');
  }
  const concurrency = values.concurrency === undefined ? 2 : Number(values.concurrency);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  const distributionId = values.distribution;
  if (distributionId !== undefined && !/^[A-Z0-9]{1,64}$/.test(distributionId)) throw new UsageError('--distribution must be a distribution ID (A-Z, 0-9)');
  const fromMs = parseTime(values.from, '--from');
  const toMs = parseTime(values.to, '--to');
  if (fromMs !== null && toMs !== null && fromMs >= toMs) throw new UsageError('--from must be before --to');
  const body: ImportJobBody = {
    inputs,
    ...(format === undefined ? {} : { format: format as LogFormat }),
    ...(layout === undefined ? {} : { fields: layout.names }),
    ...(samplingRate === undefined ? {} : { samplingRate }),
    ...(distributionId === undefined ? {} : { distributionId }),
    ...(fromMs === null ? {} : { from: new Date(fromMs).toISOString() }),
    ...(toMs === null ? {} : { to: new Date(toMs).toISOString() }),
    concurrency,
  };
  const request: ImportRequest = {
    inputs,
    ...(format === undefined ? {} : { format: format as LogFormat }),
    ...(layout === undefined ? {} : { layout }),
    ...(samplingRate === undefined ? {} : { samplingRate }),
    ...(distributionId === undefined ? {} : { distributionId }),
    fromMs,
    toMs,
    concurrency,
  };
  const chunkLines = values['chunk-lines'] === undefined ? DEFAULT_CHUNK_LINES : Number(values['chunk-lines']);
  if (!(Number.isInteger(chunkLines) && chunkLines >= 100 && chunkLines <= 1_000_000)) throw new UsageError('--chunk-lines must be a whole number from 100 to 1000000');
  return { body, request, s3Endpoint: values['s3-endpoint'] ?? process.env.EDGEWATCH_S3_ENDPOINT, direct: values.direct === true, chunkLines };
}

export async function run(argv: string[]): Promise<number> {
  let command: ParsedCommand | 'help';
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(`edgewatch import: ${(err as Error).message}\n\n${HELP}\n`);
      return 2;
    }
    throw err;
  }
  if (command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig();
  const server = command.direct ? null : readServerInfo(config.dataDir);
  try {
    let summary: ImportSummary | null = null;
    if (server !== null && serverProcessAlive(server)) {
      try {
        summary = await viaServer(server, command.body);
      } catch (err) {
        // A server.json left by a server that died (its pid reused): the store is free.
        if (!isConnectionRefused(err)) throw err;
        process.stderr.write(`import: no server answers at ${server.url} (stale ${path.join(config.dataDir, 'server.json')}); importing directly\n`);
      }
    }
    summary ??= await direct(config, command);
    process.stderr.write(formatImportSummary(summary));
    return summary.failed.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof ImportRequestError) {
      process.stderr.write(`edgewatch import: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Opens the store itself: no server runs on this data dir (or a ClickHouse server is configured). */
async function direct(config: Config, command: ParsedCommand): Promise<ImportSummary> {
  const clickhouse = clickHouseFromConfig(config);
  const writer = writerFromConfig(clickhouse, config);
  const display = createImportProgressDisplay();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await runMigrations(clickhouse, config.clickhouse);
    // The registries of the storage: files under the data dir, or the ClickHouse server's tables.
    const { logConfigs, distributions } = await openRegistries(config.dataDir, clickhouse);
    const logConfig = streamLogConfig(config, logConfigs);
    return await executeImport(
      command.request,
      {
        clickhouse,
        sink: writer,
        resolveDistribution: distributions.resolveDomain,
        defaultLayout: layoutOf(logConfig.fields),
        defaultSamplingRate: logConfig.samplingRate,
        s3: { ...(command.s3Endpoint === undefined ? {} : { endpoint: command.s3Endpoint }) },
        chunkLines: command.chunkLines,
      },
      {
        onProgress: (p) => display.update(p),
        onObjectError: (uri, attempt, err) => process.stderr.write(`\nimport: ${uri} failed (attempt ${attempt}): ${err instanceof Error ? err.message : String(err)}\n`),
        signal: controller.signal,
      },
    );
  } finally {
    display.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await writer.stop();
    await clickhouse.close();
  }
}

const POLL_MS = 500;

/** Hands the job to the server running on this data dir and follows it to the end. */
async function viaServer(server: ServerInfo, body: ImportJobBody): Promise<ImportSummary> {
  process.stderr.write(`import: a server runs on this data dir (${server.url}); handing the job to it\n`);
  const client = new ImportApiClient(server);
  const display = createImportProgressDisplay();
  let status = await client.start(body);
  try {
    while (status.state === 'running') {
      display.update(status.progress);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      status = await client.status(status.id);
    }
  } finally {
    display.stop();
  }
  if (status.state === 'failed' && status.error !== null) throw new Error(`the server's import failed: ${status.error}`);
  const p: ImportProgress = status.progress;
  return { ...p, failed: status.failed, linesPerSecond: p.elapsedMs > 0 ? (p.lines * 1000) / p.elapsedMs : 0 };
}

function isConnectionRefused(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
  }
  return false;
}
