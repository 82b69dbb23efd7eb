/**
 * One POST to a webhook: no redirects followed, bounded in time, the target checked by
 * webhook-target.ts before any byte is sent.
 */
import http from 'node:http';
import https from 'node:https';
import { checkLiteralHost, guardedLookup } from './webhook-target.js';

export interface WebhookResponse {
  readonly status: number;
  readonly retryAfter: string | null;
}

export interface WebhookPostOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly allowPrivateNetworks: boolean;
}

export function postToWebhook(url: string, options: WebhookPostOptions): Promise<WebhookResponse> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`webhook URL must be http or https, got ${target.protocol}`);
      checkLiteralHost(target.hostname, options.allowPrivateNetworks);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const body = Buffer.from(options.body, 'utf8');
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(body.length) },
      lookup: guardedLookup(options.allowPrivateNetworks),
      // Fresh connections: a pooled socket would skip the lookup that checks the address.
      agent: false,
      timeout: options.timeoutMs,
    });
    const deadline = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })), options.timeoutMs);
    request.on('timeout', () => request.destroy(Object.assign(new Error(`socket idle for ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    request.on('response', (response) => {
      // The body is not needed; reading it to the end frees the socket.
      response.resume();
      response.on('end', () => clearTimeout(deadline));
      response.on('error', () => clearTimeout(deadline));
      const retryAfter = response.headers['retry-after'];
      resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
    });
    request.end(body);
  });
}
