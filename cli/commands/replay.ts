/**
 * `edgewatch replay [--fields f1,f2,...] [--rate N] [file]`: writes real CloudFront real-time log
 * lines into the configured Kinesis stream, converted from their field set to the layout of the
 * stream's log config. A Kinesis record carries no sampling rate, so replayed rows take the rate of
 * the stream's log config.
 */
import { parseArgs } from 'node:util';
import { DescribeStreamSummaryCommand, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter, StreamNotFoundError } from '../../ingest/kinesis/kinesis-writer.js';
import { readLines } from '../../ingest/replay/line-reader.js';
import { createProgressRenderer } from '../../ingest/replay/progress.js';
import { createLineConverter, replayLines, ReplayWriteError } from '../../ingest/replay/replay.js';
import { layoutFromList, layoutOf, type Layout } from '../../processor/fields/layout.js';
import type { LogConfigRecord } from '../../processor/registry/log-config-registry.js';
import { loadConfig, type Config } from '../config.js';
import { openRegistriesFromConfig, RegistriesUnavailableError } from '../registries-from-config.js';
import { streamLogConfig } from '../stream-log-config.js';

const HELP = `usage: edgewatch replay [--fields f1,f2,...] [--rate N] [file | -] < lines.tsv

  --fields   the field set the lines were logged with, in any order (default: the stream's log config)
  --rate     lines per second (default: as fast as the stream takes them)
  file       a file of lines (.gz is decompressed); default: stdin

Writes into the stream named by EDGEWATCH_KINESIS_STREAM (default: the local stream of 'npm start'),
in the layout of the stream's log config from the registry the pipeline uses: the ClickHouse
server's tables when EDGEWATCH_CLICKHOUSE_URL is set, else the file in the data dir.`;

function fail(message: string): number {
  process.stderr.write(`edgewatch replay: ${message}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { fields: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) return fail('give at most one input file');
  let fields: Layout | undefined;
  try {
    fields = values.fields === undefined ? undefined : layoutFromList(values.fields);
  } catch (err) {
    return fail(`--fields: ${(err as Error).message}`);
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) return fail('--rate must be a positive number of lines per second');
  const config = loadConfig();
  let target: LogConfigRecord;
  try {
    target = await readStreamLogConfig(config);
  } catch (err) {
    if (!(err instanceof RegistriesUnavailableError)) throw err;
    process.stderr.write(`edgewatch replay: ${err.message}\n`);
    return err.exitCode;
  }
  const to = layoutOf(target.fields);
  const from = fields ?? to;

  const endpoint = config.kinesis.local ? `http://127.0.0.1:${config.kinesis.localPort}` : config.kinesis.endpoint;
  const client = createKinesisClient({ region: config.kinesis.region, endpoint });
  const progress = createProgressRenderer({ label: 'replay' });
  // The writer's backoff timers are unref'd; hold the process open until the replay settles.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    // Fail fast, before reading any input, when nothing is there to write to.
    await client.send(new DescribeStreamSummaryCommand({ StreamName: config.kinesis.streamName }));
    const input = readLines(positionals[0] ?? '-');
    const snapshot = (p: { lines: number; skipped: number; elapsedMs: number; ratePerSecond: number }) => ({
      ...p,
      bytesRead: input.bytesRead(),
      totalBytes: input.totalBytes,
    });
    const summary = await replayLines({
      input: input.lines,
      convert: createLineConverter(from, to),
      sink: new KinesisRecordWriter({ client, streamName: config.kinesis.streamName }),
      ratePerSecond: rate,
      onProgress: (p) => progress.update(snapshot(p)),
    });
    progress.done(snapshot({ ...summary, ratePerSecond: summary.elapsedMs > 0 ? (summary.lines * 1000) / summary.elapsedMs : 0 }));
    for (const e of summary.errors) process.stderr.write(`${JSON.stringify({ line: e.line, reason: e.reason })}\n`);
    process.stderr.write(
      `replayed ${summary.lines} lines into ${config.kinesis.streamName} (log config ${target.name}, sampling ${target.samplingRate} %); skipped ${summary.skipped}\n`,
    );
    return 0;
  } catch (err) {
    const cause = err instanceof ReplayWriteError ? err.cause : err;
    if (cause instanceof StreamNotFoundError || cause instanceof ResourceNotFoundException || isConnectionRefused(cause)) {
      process.stderr.write(
        `edgewatch replay: no Kinesis stream ${config.kinesis.streamName} is reachable${config.kinesis.local ? ` at ${endpoint}` : ''}.\n` +
          (config.kinesis.local ? `Start the pipeline first ('npm start' in another terminal), then replay again.\n` : `Check EDGEWATCH_KINESIS_STREAM, AWS_REGION and your AWS credentials.\n`),
      );
      return 1;
    }
    throw err;
  } finally {
    clearInterval(keepAlive);
    client.destroy();
  }
}

/** The stream's log config from the registry the pipeline uses (see registries-from-config.ts). */
async function readStreamLogConfig(config: Config): Promise<LogConfigRecord> {
  const registries = await openRegistriesFromConfig(config);
  try {
    return streamLogConfig(config, registries.logConfigs);
  } finally {
    await registries.close();
  }
}

function isConnectionRefused(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isConnectionRefused(inner))) return true;
  }
  return false;
}
