/**
 * Webhook signatures. Every delivery carries
 *
 *   X-Edgewatch-Timestamp: <unix seconds when sent>
 *   X-Edgewatch-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * A receiver recomputes the HMAC over the timestamp, a dot and the raw body, compares in constant
 * time, and refuses timestamps too far from its clock (replays). Retries are signed afresh.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-edgewatch-signature';
export const TIMESTAMP_HEADER = 'x-edgewatch-timestamp';
export const DELIVERY_HEADER = 'x-edgewatch-delivery';
export const EVENT_HEADER = 'x-edgewatch-event';

export function signPayload(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

export interface VerifyOptions {
  /** Largest accepted distance between the timestamp and `nowS`; default 300 s. */
  readonly toleranceS?: number;
  readonly nowS?: number;
}

/** True when `signature` signs `body` at `timestamp` with `secret`, within the tolerance. */
export function verifySignature(secret: string, signature: string | undefined, timestamp: string | undefined, body: string, options: VerifyOptions = {}): boolean {
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowS - Number(timestamp)) > (options.toleranceS ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
