/**
 * Webhooks cannot reach what only the server can (loopback, private and link-local networks, cloud
 * metadata), by literal address or by a name that resolves there, unless that is allowed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhook } from '../../api/alerts/alert-service.js';
import { postToWebhook } from '../../api/alerts/webhook-post.js';
import { isPublicAddress, WebhookTargetRefused } from '../../api/alerts/webhook-target.js';

const SECRET = 'a-secret-of-some-length';

describe('webhook targets', () => {
  let server: http.Server;
  let port = 0;
  let requests = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests += 1;
      req.resume();
      res.writeHead(204, { 'retry-after': '7' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('tells public unicast addresses from the rest', () => {
    for (const address of ['93.184.216.34', '2606:4700:4700::1111', '8.8.8.8']) expect(isPublicAddress(address), address).toBe(true);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses private targets when webhooks are created, unless allowed', () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/x', 'http://10.0.0.1/x', 'http://localhost:8080/x']) {
      expect(() => checkWebhook({ name: 'x', url, secret: SECRET }), url).toThrow(/not a public address/);
      expect(() => checkWebhook({ name: 'x', url, secret: SECRET }, true), url).not.toThrow();
    }
    expect(() => checkWebhook({ name: 'x', url: 'https://hooks.example.com/x', secret: SECRET })).not.toThrow();
  });

  it('refuses at delivery a name that resolves to a private address, before sending anything', async () => {
    const before = requests;
    const post = postToWebhook(`http://localhost:${port}/hook`, { headers: {}, body: '{}', timeoutMs: 2_000, allowPrivateNetworks: false });
    await expect(post).rejects.toBeInstanceOf(WebhookTargetRefused);
    await expect(postToWebhook(`http://127.0.0.1:${port}/hook`, { headers: {}, body: '{}', timeoutMs: 2_000, allowPrivateNetworks: false })).rejects.toThrow(/not a public address/);
    expect(requests).toBe(before);
  });

  it('posts when private networks are allowed, without following redirects', async () => {
    const response = await postToWebhook(`http://localhost:${port}/hook`, { headers: { 'content-type': 'application/json' }, body: '{"a":1}', timeoutMs: 2_000, allowPrivateNetworks: true });
    expect(response).toEqual({ status: 204, retryAfter: '7' });
  });
});
