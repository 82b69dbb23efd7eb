/**
 * Embedded Kinesis for `npm start` and tests: kinesalite in this process, its data kept under a
 * directory so the stream and its records survive a restart.
 */
import { mkdirSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { sleep } from './backoff.js';
import { createKinesisClient } from './kinesis-client.js';
import { kinesisErrorName } from './kinesis-errors.js';

export interface LocalKinesisOptions {
  /** Data directory (LevelDB); created when missing. One process at a time may use it. */
  readonly path: string;
  readonly port: number;
  /** Default 127.0.0.1: the emulator checks no credentials, so it must not listen on a public interface. */
  readonly host?: string;
  readonly streamName: string;
  /** Shards of a newly created stream; an existing stream keeps its own. */
  readonly shardCount: number;
  /** Open shards allowed across all streams (splits add shards); default max(100, 4 × shardCount). */
  readonly shardLimit?: number;
}

export interface LocalKinesis {
  readonly endpoint: string;
  readonly streamName: string;
  close(): Promise<void>;
}

/** The port for the embedded Kinesis is taken, usually by another edgewatch. */
export class LocalKinesisPortInUseError extends Error {
  override readonly name = 'LocalKinesisPortInUseError';
  readonly port: number;
  readonly host: string;

  constructor(host: string, port: number, options?: ErrorOptions) {
    super(
      `Port ${port} on ${host} is already in use, so the embedded Kinesis (kinesalite) cannot start. ` +
        `Stop the process using it or choose another port with EDGEWATCH_LOCAL_KINESIS_PORT.`,
      options,
    );
    this.host = host;
    this.port = port;
  }
}

const LOCAL_REGION = 'us-east-1';
const ACTIVE_POLL_MS = 50;
const ACTIVE_TIMEOUT_MS = 15_000;

export async function startLocalKinesis(opts: LocalKinesisOptions): Promise<LocalKinesis> {
  const host = opts.host ?? '127.0.0.1';
  mkdirSync(opts.path, { recursive: true });
  const server = kinesalite({
    path: opts.path,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: opts.shardLimit ?? Math.max(100, opts.shardCount * 4),
  });
  const inFlight = trackRequests(server);
  try {
    await listen(server, host, opts.port);
  } catch (err) {
    await closeServer(server).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LocalKinesisPortInUseError(host, opts.port, { cause: err });
    }
    throw err;
  }

  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
  const client = createKinesisClient({ region: LOCAL_REGION, endpoint });
  try {
    await createStreamIfMissing(client, opts.streamName, opts.shardCount);
    await waitUntilActive(client, opts.streamName);
  } catch (err) {
    await closeServer(server).catch(() => undefined);
    throw err;
  } finally {
    client.destroy();
  }

  let closing: Promise<void> | null = null;
  return {
    endpoint,
    streamName: opts.streamName,
    close: () => (closing ??= inFlight.drained(CLOSE_DRAIN_MS).then(() => closeServer(server))),
  };
}

/** How long close() waits for requests in flight before closing the store under them. */
const CLOSE_DRAIN_MS = 3_000;

/**
 * Counts requests being answered. kinesalite's close() closes its store before its HTTP server, and a
 * request still reading the store then throws from a callback (an uncaught exception), so close()
 * first waits for them.
 */
function trackRequests(server: Server): { drained(timeoutMs: number): Promise<void> } {
  let active = 0;
  const waiters: Array<() => void> = [];
  server.on('request', (_req, res: ServerResponse) => {
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    drained: (timeoutMs) =>
      active === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // kinesalite's close() closes its store first, then the HTTP server.
    server.close((err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err);
      else resolve();
    });
    // Keep-alive sockets from clients would otherwise hold close() open.
    server.closeIdleConnections();
  });
}

async function createStreamIfMissing(client: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (err) {
    if (kinesisErrorName(err) !== 'ResourceInUseException') throw err; // the stream exists already
  }
}

async function waitUntilActive(client: KinesisClient, streamName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    const status = out.StreamDescriptionSummary?.StreamStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`local Kinesis stream "${streamName}" is still ${String(status)} after ${ACTIVE_TIMEOUT_MS} ms`);
    }
    await sleep(ACTIVE_POLL_MS);
  }
}
