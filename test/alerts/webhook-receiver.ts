/**
 * A local webhook receiver for the alert tests: records every request (headers and raw body),
 * answers with the statuses it is told to, and checks signatures as a real receiver would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../api/alerts/webhook-signature.js';

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
  readonly atMs: number;
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Statuses to answer with, in order; then `defaultStatus`. */
  readonly script: number[] = [];
  defaultStatus = 200;
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(port: number): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = receiver!.script.shift() ?? receiver!.defaultStatus;
        receiver!.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status, atMs: Date.now() });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    receiver = new WebhookReceiver(server);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Requests the receiver accepted (2xx). */
  accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Accepted deliveries of one event type (alert.firing, alert.resolved). */
  acceptedOf(event: string): ReceivedRequest[] {
    return this.accepted().filter((r) => r.headers[EVENT_HEADER] === event);
  }

  static deliveryId(r: ReceivedRequest): string {
    return String(r.headers[DELIVERY_HEADER]);
  }

  static signedWith(r: ReceivedRequest, secret: string): boolean {
    const signature = r.headers[SIGNATURE_HEADER];
    const timestamp = r.headers[TIMESTAMP_HEADER];
    return verifySignature(secret, typeof signature === 'string' ? signature : undefined, typeof timestamp === 'string' ? timestamp : undefined, r.body);
  }

  async waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${this.requests.length} requests`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
