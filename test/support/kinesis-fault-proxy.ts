/**
 * An HTTP proxy between a Kinesis client and kinesalite that injects faults by rule, the way toxiproxy
 * does, for what kinesalite never does: throttling (ProvisionedThroughputExceeded, LimitExceeded),
 * ExpiredIterator, 500/503, latency, dropped connections, and a MillisBehindLatest other than 0.
 * Rules match the operation (X-Amz-Target) and the shard (from the request, or from the iterators the
 * proxy has seen issued for it), a number of times and/or with a probability.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultAction =
  /** Answer with a Kinesis error in the service's JSON shape. */
  | { readonly kind: 'error'; readonly status: number; readonly type: string; readonly message?: string }
  /** Wait before forwarding. */
  | { readonly kind: 'latency'; readonly ms: number }
  /** Destroy the client's socket without answering. */
  | { readonly kind: 'drop' }
  /** Forward, then set MillisBehindLatest in the GetRecords response. */
  | { readonly kind: 'millis-behind-latest'; readonly value: number };

export interface FaultRule {
  /** Operation name, e.g. 'GetRecords'; any when absent. */
  readonly operation?: string;
  readonly shardId?: string;
  /** How many requests the rule applies to; unlimited when absent. */
  readonly times?: number;
  /** Chance (0–1) that a matching request is affected; 1 when absent. */
  readonly probability?: number;
  readonly action: FaultAction;
}

export interface RuleHandle {
  /** Requests the rule has affected. */
  readonly hits: number;
  remove(): void;
}

export interface ProxiedRequest {
  readonly operation: string;
  readonly stream: string | null;
  readonly shardId: string | null;
  readonly atMs: number;
  /** The action applied (error type, 'drop', 'latency', 'millis-behind-latest'), or null. */
  readonly fault: string | null;
  /** Bytes of record data in a forwarded GetRecords response. */
  readonly recordBytes: number;
}

/** The errors Kinesis answers with, in its JSON shape. */
export const faults = {
  throughputExceeded: (): FaultAction => ({
    kind: 'error',
    status: 400,
    type: 'ProvisionedThroughputExceededException',
    message: 'Rate exceeded for shard in stream under account 000000000000.',
  }),
  limitExceeded: (): FaultAction => ({ kind: 'error', status: 400, type: 'LimitExceededException', message: 'Rate exceeded for stream.' }),
  expiredIterator: (): FaultAction => ({ kind: 'error', status: 400, type: 'ExpiredIteratorException', message: 'Iterator expired.' }),
  resourceNotFound: (): FaultAction => ({ kind: 'error', status: 400, type: 'ResourceNotFoundException', message: 'Stream not found.' }),
  internalFailure: (): FaultAction => ({ kind: 'error', status: 500, type: 'InternalFailure' }),
  serviceUnavailable: (): FaultAction => ({ kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'Service unavailable.' }),
} as const;

interface ActiveRule {
  readonly rule: FaultRule;
  hits: number;
}

interface KinesisResponseBody {
  ShardIterator?: unknown;
  NextShardIterator?: unknown;
  MillisBehindLatest?: unknown;
  Records?: Array<{ Data?: unknown }>;
}

interface ShardRef {
  readonly stream: string | null;
  readonly shardId: string | null;
}

const TARGET_PREFIX = 'Kinesis_20131202.';

export class KinesisFaultProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[] = [];
  private readonly server: Server;
  private readonly target: URL;
  private readonly rules = new Set<ActiveRule>();
  /** Iterator → stream and shard, learned from GetShardIterator and GetRecords responses. */
  private readonly iteratorShards = new Map<string, ShardRef>();
  private readonly random: () => number;

  private constructor(server: Server, target: URL, random: () => number) {
    this.server = server;
    this.target = target;
    this.random = random;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(opts: { readonly target: string; readonly port: number; readonly random?: () => number }): Promise<KinesisFaultProxy> {
    let proxy: KinesisFaultProxy | null = null;
    const server = createServer((req, res) => {
      if (proxy === null) res.destroy();
      else void proxy.handle(req, res);
    });
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, '127.0.0.1', () => resolve());
    });
    proxy = new KinesisFaultProxy(server, new URL(opts.target), opts.random ?? Math.random);
    return proxy;
  }

  addRule(rule: FaultRule): RuleHandle {
    const active: ActiveRule = { rule, hits: 0 };
    this.rules.add(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.rules.delete(active);
      },
    };
  }

  clearRules(): void {
    this.rules.clear();
  }

  /** Requests seen for an operation on a stream (and shard). */
  seen(operation: string, stream: string, shardId?: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.operation === operation && r.stream === stream && (shardId === undefined || r.shardId === shardId));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'unknown';
    const { stream, shardId } = this.shardOf(body);
    const atMs = Date.now();
    const matched = this.match(operation, shardId);

    let rewrite: number | null = null;
    for (const action of matched) {
      if (action.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, action.ms));
      if (action.kind === 'millis-behind-latest') rewrite = action.value;
      if (action.kind === 'drop') {
        this.requests.push({ operation, stream, shardId, atMs, fault: 'drop', recordBytes: 0 });
        req.socket.destroy();
        return;
      }
      if (action.kind === 'error') {
        this.requests.push({ operation, stream, shardId, atMs, fault: action.type, recordBytes: 0 });
        const payload = JSON.stringify(action.message === undefined ? { __type: action.type } : { __type: action.type, message: action.message });
        res.writeHead(action.status, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': Buffer.byteLength(payload),
          'x-amzn-requestid': `fault-${atMs}-${this.requests.length}`,
        });
        res.end(payload);
        return;
      }
    }

    let upstream: { status: number; headers: IncomingHttpHeaders; body: Buffer };
    try {
      upstream = await this.forward(req, body);
    } catch {
      res.destroy();
      return;
    }
    let out = upstream.body;
    const headers = { ...upstream.headers };
    let recordBytes = 0;
    if (upstream.status === 200 && (operation === 'GetShardIterator' || operation === 'GetRecords')) {
      const parsed = JSON.parse(out.toString('utf8')) as KinesisResponseBody;
      if (shardId !== null) {
        for (const iterator of [parsed.ShardIterator, parsed.NextShardIterator]) {
          if (typeof iterator === 'string') this.iteratorShards.set(iterator, { stream, shardId });
        }
      }
      for (const record of parsed.Records ?? []) {
        if (typeof record.Data === 'string') recordBytes += Buffer.byteLength(record.Data, 'base64');
      }
      if (rewrite !== null && operation === 'GetRecords') {
        parsed.MillisBehindLatest = rewrite;
        out = Buffer.from(JSON.stringify(parsed));
        delete headers['x-amz-crc32'];
      }
    }
    this.requests.push({ operation, stream, shardId, atMs, fault: rewrite === null ? (matched.length > 0 ? 'latency' : null) : 'millis-behind-latest', recordBytes });
    headers['content-length'] = String(out.byteLength);
    res.writeHead(upstream.status, headers);
    res.end(out);
  }

  /** The actions of the rules that apply to this request, counting their hits. */
  private match(operation: string, shardId: string | null): FaultAction[] {
    const actions: FaultAction[] = [];
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.shardId !== undefined && rule.shardId !== shardId) continue;
      if (rule.times !== undefined && active.hits >= rule.times) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      // One answer per request: an error or drop rule that cannot apply is not counted as hit.
      const answers = rule.action.kind === 'error' || rule.action.kind === 'drop';
      if (answers && actions.some((a) => a.kind === 'error' || a.kind === 'drop')) continue;
      active.hits += 1;
      actions.push(rule.action);
    }
    // Latency first, then the one answer (an error or a drop) if any.
    return actions.sort((a, b) => order(a) - order(b));
  }

  private shardOf(body: Buffer): { stream: string | null; shardId: string | null } {
    const none = { stream: null, shardId: null };
    if (body.byteLength === 0) return none;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return none;
    }
    if (typeof parsed !== 'object' || parsed === null) return none;
    const fields = parsed as { StreamName?: unknown; ShardId?: unknown; ShardIterator?: unknown };
    if (typeof fields.ShardIterator === 'string') return this.iteratorShards.get(fields.ShardIterator) ?? none;
    return {
      stream: typeof fields.StreamName === 'string' ? fields.StreamName : null,
      shardId: typeof fields.ShardId === 'string' ? fields.ShardId : null,
    };
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.target.host };
      const upstream = httpRequest(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers },
        (response) => {
          readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

function order(action: FaultAction): number {
  return action.kind === 'latency' ? 0 : action.kind === 'millis-behind-latest' ? 1 : 2;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
