/**
 * A test stand-in for a ClickHouse server: the embedded engine (chdb) behind the part of ClickHouse's
 * HTTP interface that `@clickhouse/client` uses, so several processes can share one store by URL
 * exactly as they would share a server. Test support only; production runs a ClickHouse server.
 *
 * What it speaks:
 * - `GET|HEAD /ping` and `GET /` → `Ok.`;
 * - `POST /` (and read-only `GET /`) with the statement in the body or in `query`; with `query`, a
 *   body is the data of an INSERT (`INSERT … FORMAT F`, or `INSERT … SELECT … FROM input('s') FORMAT F`)
 *   or else the rest of the statement; `database`, `default_format`, `query_id`, `param_<name>`
 *   (bound by the engine, never pasted into SQL) and every other parameter as a setting;
 * - request bodies compressed with gzip, deflate or br (`Content-Encoding`), and compressed
 *   responses when the client asks with `enable_http_compression=1` and `Accept-Encoding`;
 * - `X-ClickHouse-Query-Id`, `-Format`, `-Summary`, `-Timezone`; errors as a 4xx/5xx status chosen
 *   by exception code as the server does, `X-ClickHouse-Exception-Code`, and a `Code: N. DB::Exception:
 *   … (NAME)` body, so the client raises ClickHouseError with its `code`.
 *
 * Statements run one at a time, in arrival order, like the embedded mode. Each request gets a fresh
 * engine connection, so its settings and database never leak into the next request. Not supported:
 * sessions (`session_id`), multipart parameters, external tables, authentication (any user is
 * accepted), progress headers (a response is sent whole once its statement has finished, which is
 * also what `wait_end_of_query=1` asks for).
 *
 * A client that disconnects (or aborts its request) before its statement starts: the statement is
 * skipped. Once started it runs to the end (chdb cannot interrupt a statement), and the response is
 * dropped; a ClickHouse server likewise finishes an INSERT whose client went away.
 *
 * Standalone, for benchmarks and manual runs:
 *   node bin/run-ts.mjs test/support/clickhouse-http-fixture.ts --port 18123 --data-dir /tmp/x
 * prints its URL and serves until SIGTERM or SIGINT.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { ChdbEngine, type RequestConnection, type StatementOutcome } from './chdb-engine.js';
import { inputFromFile, scanStatement, StatementScanError, stringLiteral, type StatementShape } from './clickhouse-http-statement.js';

export interface ClickHouseHttpFixtureOptions {
  /** Directory of the store; the engine keeps its files in `<dataDir>/clickhouse`, as embedded mode does. */
  readonly dataDir: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Observes each statement request's way through the queue (tests use it to time aborts). */
  readonly onStatement?: (event: StatementEvent) => void;
}

export interface StatementEvent {
  /** The request's `query_id` (one is made up when the request has none). */
  readonly queryId: string;
  /**
   * queued: parsed and waiting its turn; started: running; skipped: its client left before it
   * started; finished / failed: done, whether or not the client is still there to be told.
   */
  readonly phase: 'queued' | 'started' | 'skipped' | 'finished' | 'failed';
}

export interface ClickHouseHttpFixture {
  /** `http://host:port`, for `createClickHouse({ mode: 'server', url })`. */
  readonly url: string;
  /** Stops accepting requests, lets queued statements finish, then closes the engine. */
  close(): Promise<void>;
}

// ClickHouse error codes (src/Common/ErrorCodes.cpp) of the errors the endpoint raises itself.
const BAD_ARGUMENTS = { code: 36, name: 'BAD_ARGUMENTS' } as const;
const NOT_IMPLEMENTED = { code: 48, name: 'NOT_IMPLEMENTED' } as const;
const SYNTAX_ERROR = { code: 62, name: 'SYNTAX_ERROR' } as const;
const UNKNOWN_COMPRESSION_METHOD = { code: 89, name: 'UNKNOWN_COMPRESSION_METHOD' } as const;
const CANNOT_DECOMPRESS = { code: 271, name: 'CANNOT_DECOMPRESS' } as const;
const STD_EXCEPTION = { code: 1001, name: 'STD_EXCEPTION' } as const;

/** An error the endpoint reports the way the server would. */
class EndpointError extends Error {
  constructor(
    readonly error: { readonly code: number; readonly name: string },
    message: string,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

// HTTP status by exception name, as the server's exceptionCodeToHTTPStatus() chooses it; others get 500.
const STATUS_BY_EXCEPTION = new Map<string, number>([
  ...['REQUIRED_PASSWORD'].map((n) => [n, 401] as const),
  ...['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED'].map((n) => [n, 403] as const),
  ...[
    'BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE', 'CANNOT_PARSE_QUOTED_STRING',
    'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER', 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4',
    'CANNOT_PARSE_IPV6', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST', 'UNEXPECTED_AST_STRUCTURE',
    'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  ].map((n) => [n, 400] as const),
  ...[
    'UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE', 'UNKNOWN_DATABASE', 'UNKNOWN_SETTING',
    'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION', 'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY',
    'UNKNOWN_ROLE',
  ].map((n) => [n, 404] as const),
  ['QUERY_IS_TOO_LARGE', 413],
  ['NOT_IMPLEMENTED', 501],
  ...['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK'].map((n) => [n, 503] as const),
  ['HTTP_LENGTH_REQUIRED', 411],
  ['TIMEOUT_EXCEEDED', 408],
  ['UNSUPPORTED_MEDIA_TYPE', 415],
]);

/** URL parameters of the HTTP layer itself; every other one (but `param_*`) is a setting. */
const HTTP_PARAMETERS = new Set([
  'query', 'database', 'default_format', 'query_id', 'user', 'password', 'quota_key', 'role', 'stacktrace', 'buffer_size',
  'wait_end_of_query', 'compress', 'decompress', 'client_protocol_version', 'session_id', 'session_timeout', 'session_check', 'close_session',
  // Settings that only shape the HTTP response: applied here, not by the engine.
  'enable_http_compression', 'http_zlib_compression_level', 'send_progress_in_http_headers', 'http_headers_progress_interval_ms',
  'http_response_buffer_size',
]);
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A request, as the engine will run it. */
interface StatementRequest {
  readonly sql: string;
  readonly shape: StatementShape;
  /** Insert data sent apart from the statement (statement in `query`, data in the body). */
  readonly data: Buffer | undefined;
  readonly database: string | undefined;
  readonly defaultFormat: string;
  readonly params: Record<string, string>;
  readonly settings: ReadonlyArray<readonly [string, string]>;
  readonly readOnly: boolean;
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const method = encoding?.trim().toLowerCase();
  if (!method || method === 'identity') return body;
  try {
    if (method === 'gzip') return zlib.gunzipSync(body);
    if (method === 'deflate') return zlib.inflateSync(body);
    if (method === 'br') return zlib.brotliDecompressSync(body);
  } catch (err) {
    throw new EndpointError(CANNOT_DECOMPRESS, `Cannot decompress the request body (${method}): ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new EndpointError(UNKNOWN_COMPRESSION_METHOD, `Unknown Content-Encoding of the request body: ${method}`);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the request broke off before its body ended'));
    });
  });
}

const UNREAD_STATEMENT: StatementShape = { keyword: '', format: undefined, input: undefined };

/**
 * The statement's shape, or an empty one when the scanner cannot read it (the engine then judges the
 * text itself, as a server would).
 */
function shapeOf(sql: string): StatementShape {
  try {
    return scanStatement(sql);
  } catch (err) {
    if (err instanceof StatementScanError) return UNREAD_STATEMENT;
    throw err;
  }
}

function parseRequest(url: URL, method: string, body: Buffer): StatementRequest | undefined {
  const query = url.searchParams.get('query');
  if (url.searchParams.has('session_id')) throw new EndpointError(NOT_IMPLEMENTED, 'Sessions (session_id) are not supported by this test endpoint');
  if (query === null && body.length === 0) {
    if (method === 'GET') return undefined;
    throw new EndpointError(SYNTAX_ERROR, 'Empty query');
  }

  let sql: string;
  let data: Buffer | undefined;
  if (query !== null) {
    const shape = shapeOf(query);
    // A body after an INSERT that names its data's format is that data; otherwise it continues the statement.
    if (shape.keyword === 'INSERT' && (shape.input !== undefined || shape.format !== undefined)) {
      sql = query;
      data = body;
    } else {
      sql = body.length > 0 ? `${query}\n${body.toString('utf8')}` : query;
    }
  } else {
    sql = body.toString('utf8');
  }
  const shape = shapeOf(sql);
  if (shape.input && data === undefined) {
    throw new EndpointError(NOT_IMPLEMENTED, 'input() reads the request body: send the statement in the `query` parameter and only the data in the body');
  }

  const params: Record<string, string> = {};
  const settings: Array<readonly [string, string]> = [];
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
    else if (!HTTP_PARAMETERS.has(name)) {
      if (!SETTING_NAME.test(name)) throw new EndpointError(BAD_ARGUMENTS, `Invalid setting name ${JSON.stringify(name)}`);
      settings.push([name, value]);
    }
  }
  return {
    sql,
    shape,
    data,
    database: url.searchParams.get('database') ?? undefined,
    defaultFormat: url.searchParams.get('default_format') ?? 'TabSeparated',
    params,
    settings,
    // A GET runs read-only (readonly=2), as on a server, unless the request sets readonly itself.
    readOnly: method === 'GET' && !url.searchParams.has('readonly'),
  };
}

function backquoted(identifier: string): string {
  return `\`${identifier.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** Runs one request's statement on its own connection. */
async function execute(connection: RequestConnection, request: StatementRequest, spoolFile: () => string): Promise<StatementOutcome> {
  if (request.database !== undefined) await connection.query(`USE ${backquoted(request.database)}`, 'TabSeparated');
  // Settings have no API in chdb, so they are applied as the server's session would: a SET of the
  // request's values (names checked, values quoted) on this request's connection only.
  const settings = request.settings.map(([name, value]) => `${name} = ${stringLiteral(value)}`);
  if (request.readOnly) settings.push('readonly = 2');
  if (settings.length > 0) await connection.query(`SET ${settings.join(', ')}`, 'TabSeparated');

  const { sql, shape, data, params } = request;
  if (data === undefined) return connection.query(sql, request.defaultFormat, params);
  if (shape.input) {
    // chdb runs an INSERT … FROM input() with inline data as an empty insert, silently; a file of the
    // same data read through file() is what the server's input() would have read.
    const file = spoolFile();
    await fs.promises.writeFile(file, data);
    try {
      return await connection.query(inputFromFile(sql, shape, file), request.defaultFormat, params);
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }
  if (data.length === 0) return { output: Buffer.alloc(0), elapsedS: 0, readRows: 0, readBytes: 0, writtenRows: 0, writtenBytes: 0 };
  // The native insert takes no parameters; with some, the data goes inline after the statement.
  if (Object.keys(params).length > 0) return connection.query(`${sql}\n${data.toString('utf8')}`, request.defaultFormat, params);
  return connection.insert(sql, data);
}

/** The exception text of an engine error, with the code and name the client parses out of it. */
function describeError(err: unknown, version: string): { code: number; name: string; text: string } {
  if (err instanceof EndpointError) {
    return { code: err.error.code, name: err.error.name, text: `Code: ${err.error.code}. DB::Exception: ${err.message}. (${err.error.name}) (version ${version})\n` };
  }
  if (err instanceof StatementScanError) {
    return { code: SYNTAX_ERROR.code, name: SYNTAX_ERROR.name, text: `Code: ${SYNTAX_ERROR.code}. DB::Exception: Syntax error: ${err.message}. (${SYNTAX_ERROR.name}) (version ${version})\n` };
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = /^Code: (\d+)\./.exec(message)?.[1];
  if (code === undefined) {
    return { code: STD_EXCEPTION.code, name: STD_EXCEPTION.name, text: `Code: ${STD_EXCEPTION.code}. DB::Exception: ${message}. (${STD_EXCEPTION.name}) (version ${version})\n` };
  }
  const names = [...message.matchAll(/\(([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*)\)/g)];
  const name = names.at(-1)?.[1] ?? '';
  const text = message.includes('(version ') ? message : `${message} (version ${version})`;
  return { code: Number(code), name, text: text.endsWith('\n') ? text : `${text}\n` };
}

function contentType(format: string): string {
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  return 'text/plain; charset=UTF-8';
}

/** The body compressed as the client accepts, when it asked for compression. */
function compressed(body: Buffer, url: URL, acceptEncoding: string | undefined): { body: Buffer; encoding?: string } {
  if (url.searchParams.get('enable_http_compression') !== '1' || !acceptEncoding) return { body };
  const accepted = acceptEncoding.split(',').map((e) => e.trim().split(';')[0]?.toLowerCase());
  const level = Number(url.searchParams.get('http_zlib_compression_level') ?? 3);
  if (accepted.includes('gzip')) return { body: zlib.gzipSync(body, { level }), encoding: 'gzip' };
  if (accepted.includes('deflate')) return { body: zlib.deflateSync(body, { level }), encoding: 'deflate' };
  if (accepted.includes('br')) return { body: zlib.brotliCompressSync(body), encoding: 'br' };
  return { body };
}

function summaryHeader(outcome: StatementOutcome): string {
  return JSON.stringify({
    read_rows: String(outcome.readRows),
    read_bytes: String(outcome.readBytes),
    written_rows: String(outcome.writtenRows),
    written_bytes: String(outcome.writtenBytes),
    total_rows_to_read: '0',
    result_rows: '0',
    result_bytes: String(outcome.output.length),
    elapsed_ns: String(Math.round(outcome.elapsedS * 1e9)),
  });
}

/** Runs jobs one at a time, in the order they were queued. */
class StatementQueue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  idle(): Promise<void> {
    return this.tail;
  }
}

export async function startClickHouseHttpFixture(options: ClickHouseHttpFixtureOptions): Promise<ClickHouseHttpFixture> {
  const dataDir = path.resolve(options.dataDir);
  const engineDir = path.join(dataDir, 'clickhouse');
  const spoolDir = path.join(dataDir, 'clickhouse-http-spool');
  fs.mkdirSync(engineDir, { recursive: true });
  fs.rmSync(spoolDir, { recursive: true, force: true });
  fs.mkdirSync(spoolDir, { recursive: true });

  const engine = new ChdbEngine(engineDir);
  const version = await engine.scalar('SELECT version()');
  const timezone = await engine.scalar('SELECT timezone()');
  const queue = new StatementQueue();
  let spooled = 0;
  const spoolFile = (): string => path.join(spoolDir, `input-${process.pid}-${++spooled}`);

  const notify = (queryId: string, phase: StatementEvent['phase']): void => options.onStatement?.({ queryId, phase });

  /** Runs a request's statement when its turn comes, unless its client has left by then. */
  const run = async (queryId: string, request: StatementRequest, clientGone: () => boolean): Promise<StatementOutcome | undefined> => {
    if (clientGone()) {
      notify(queryId, 'skipped');
      return undefined;
    }
    notify(queryId, 'started');
    try {
      const outcome = await engine.withConnection((c) => execute(c, request, spoolFile));
      notify(queryId, 'finished');
      return outcome;
    } catch (err) {
      notify(queryId, 'failed');
      throw err;
    }
  };

  const sendError = (res: http.ServerResponse, err: unknown): void => {
    const { code, name, text } = describeError(err, version);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(STATUS_BY_EXCEPTION.get(name) ?? 500, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(code),
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://endpoint');
    const method = req.method ?? 'GET';
    const queryId = url.searchParams.get('query_id') || randomUUID();
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Timezone', timezone);
    if (url.pathname === '/ping' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 4 });
      res.end(method === 'HEAD' ? undefined : 'Ok.\n');
      return;
    }
    if (url.pathname !== '/' || (method !== 'GET' && method !== 'POST')) {
      req.resume();
      const text = `There is no handle ${url.pathname} for ${method}. Use / or /ping.\n`;
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }

    // A client that went away before its statement started: the statement is not run.
    let clientGone = false;
    res.once('close', () => {
      if (!res.writableEnded) clientGone = true;
    });
    let body: Buffer;
    try {
      body = decodeBody(await readBody(req), req.headers['content-encoding']);
    } catch (err) {
      if (!(err instanceof EndpointError)) return; // the request itself broke off
      sendError(res, err);
      return;
    }
    try {
      const request = parseRequest(url, method, body);
      if (request === undefined) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 4 });
        res.end('Ok.\n');
        return;
      }
      notify(queryId, 'queued');
      const outcome = await queue.run(() => run(queryId, request, () => clientGone));
      if (outcome === undefined || clientGone) return;
      const format = request.data === undefined ? (request.shape.format?.name ?? request.defaultFormat) : request.defaultFormat;
      const reply = compressed(outcome.output, url, req.headers['accept-encoding']);
      res.writeHead(200, {
        'Content-Type': contentType(format),
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Summary': summaryHeader(outcome),
        'Content-Length': reply.body.length,
        ...(reply.encoding ? { 'Content-Encoding': reply.encoding } : {}),
      });
      res.end(reply.body);
    } catch (err) {
      sendError(res, err);
    }
  };

  // Long INSERT … SELECT statements travel in the URL; a server accepts URIs up to 1 MiB.
  const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await queue.idle();
        server.closeAllConnections();
        await stopped;
        // A request whose body was still arriving may have queued a statement meanwhile.
        await queue.idle();
        engine.close();
      })();
      return closing;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, 'data-dir': { type: 'string' } },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('usage: clickhouse-http-fixture.ts --data-dir <dir> [--port 0] [--host 127.0.0.1]');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, got ${values.port}`);
  const fixture = await startClickHouseHttpFixture({ dataDir, port, host: values.host });
  process.stdout.write(`${fixture.url}\n`);
  const stop = (): void => {
    fixture.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
