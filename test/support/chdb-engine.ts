/**
 * The embedded engine as the ClickHouse HTTP test endpoint uses it: one chdb data directory for the
 * process, and a fresh connection (its own settings, current database and query parameters) per
 * HTTP request, as a ClickHouse server gives each request without a session its own context.
 *
 * Query parameters arrive already formatted by the client (`param_x=…` in ClickHouse's escaped text
 * form), and chdb's public `Session.queryBindAsync` formats JS values itself: a second formatting
 * would double every backslash. So statements run through chdb's native binding (the calls `Session`
 * makes after formatting), which hands the parameter text to the engine's own binder unchanged.
 * chdb serializes parameterized calls process-wide because the engine's parameter state is not
 * isolated between concurrent connections; the endpoint runs one statement at a time, which keeps
 * that guarantee.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Session } from 'chdb';

/** An opaque native connection handle (`Session.connection`). */
type NativeConnection = object;

interface NativeQueryResult {
  readonly bytes?: Uint8Array;
  readonly elapsed: number;
  readonly rowsRead: number;
  readonly bytesRead: number;
}

interface NativeInsertResult {
  readonly elapsed: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
}

interface ChdbNative {
  QueryAsyncConnection(connection: NativeConnection, sql: string, format: string, params?: Readonly<Record<string, string>>): Promise<NativeQueryResult>;
  /** Runs `prefix` (an INSERT … FORMAT statement) with `data` as its input, handed over without a copy. */
  InsertRawAsyncConnection(connection: NativeConnection, prefix: string, data: Buffer, countLines: boolean): Promise<NativeInsertResult>;
}

function loadNative(): ChdbNative {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve('chdb/package.json'));
  const loader = require(path.join(root, 'dist', 'loader.js')) as { loadNative(): ChdbNative };
  return loader.loadNative();
}

export interface StatementOutcome {
  readonly output: Buffer;
  readonly elapsedS: number;
  readonly readRows: number;
  readonly readBytes: number;
  readonly writtenRows: number;
  readonly writtenBytes: number;
}

/** One request's connection: statements on it share settings and the current database, nothing else. */
export interface RequestConnection {
  /** Runs a statement; its output is in `format` unless the statement names one. */
  query(sql: string, format: string, params?: Readonly<Record<string, string>>): Promise<StatementOutcome>;
  /** Runs `INSERT … FORMAT F` with `data` as its input. */
  insert(sql: string, data: Buffer): Promise<StatementOutcome>;
}

export class ChdbEngine {
  private readonly native = loadNative();
  /** Holds the data directory for the engine's lifetime; requests open connections next to it. */
  private readonly anchor: Session;
  private closed = false;

  constructor(readonly dataDir: string) {
    this.anchor = new Session(dataDir);
  }

  /** Opens a connection for one request, runs `fn` on it and closes it. */
  async withConnection<T>(fn: (connection: RequestConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the chdb engine is closed');
    const session = new Session(this.dataDir);
    const handle = session.connection;
    if (handle === null || typeof handle !== 'object') throw new Error(`chdb opened no connection for ${this.dataDir}`);
    const native = this.native;
    const connection: RequestConnection = {
      async query(sql, format, params) {
        const result = params && Object.keys(params).length > 0 ? await native.QueryAsyncConnection(handle, sql, format, params) : await native.QueryAsyncConnection(handle, sql, format);
        const output = result.bytes ? Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength) : Buffer.alloc(0);
        return { output, elapsedS: result.elapsed, readRows: result.rowsRead, readBytes: result.bytesRead, writtenRows: 0, writtenBytes: 0 };
      },
      async insert(sql, data) {
        const result = await native.InsertRawAsyncConnection(handle, sql, data, false);
        return { output: Buffer.alloc(0), elapsedS: result.elapsed, readRows: 0, readBytes: 0, writtenRows: result.rowsWritten, writtenBytes: result.bytesWritten };
      },
    };
    try {
      return await fn(connection);
    } finally {
      // Every native call on it has settled (each is awaited), so closing cannot cut one short.
      session.close();
    }
  }

  /** The engine's answer to a constant query on the anchor connection (version, time zone). */
  async scalar(sql: string): Promise<string> {
    const result = await this.anchor.queryAsync(sql, { format: 'TabSeparatedRaw' });
    return result.text().trim();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.anchor.close();
  }
}
