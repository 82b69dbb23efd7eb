/**
 * Where alert webhooks may point. A webhook URL is chosen by an admin but called by the server, so
 * it must not reach what only the server can: loopback, private and link-local networks (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, multicast. Names are checked when they resolve,
 * and the connection goes to the address that was checked (no second lookup to rebind).
 * Deployments whose receivers are internal allow private networks explicitly.
 */
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export class WebhookTargetRefused extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      `webhook host ${host} resolves to ${address} (${range}), which is not a public address; ` +
        'set EDGEWATCH_WEBHOOK_ALLOW_PRIVATE=1 if receivers on private networks are intended',
    );
    this.name = 'WebhookTargetRefused';
  }
}

/** The ipaddr.js range name of an address, IPv4-mapped IPv6 addresses as their IPv4 form. */
export function addressRange(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range();
}

/** Only globally routable unicast addresses are public. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/** Refuses an IP-literal host that is not public (literals are connected to without a lookup). */
export function checkLiteralHost(host: string, allowPrivate: boolean): void {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (allowPrivate || net.isIP(bare) === 0) return;
  if (!isPublicAddress(bare)) throw new WebhookTargetRefused(host, bare, addressRange(bare));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that fails unless every address of the name is allowed. */
export function guardedLookup(allowPrivate: boolean): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (!allowPrivate) {
        const refused = addresses.find((a) => !isPublicAddress(a.address));
        if (refused !== undefined) return callback(new WebhookTargetRefused(hostname, refused.address, addressRange(refused.address)), []);
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}
