/**
 * Per-caller rate limit on /api/ routes: an authenticated request counts against its token's name
 * (never the token text), an unauthenticated one against its address, so guessing tokens is
 * throttled too. A route may set its own limit with `config: { rateLimit: { max } }`.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isApiRequest } from '../auth/authentication.js';
import { ApiError } from '../errors.js';

export interface RateLimitOptions {
  /** Requests per minute per token (and per address for unauthenticated requests). */
  readonly perMinute: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perMinute: 1200 };

const WINDOW_MS = 60_000;

export function rateLimitKey(request: FastifyRequest): string {
  return request.principal === null ? `address:${normalizeIP(request.ip)}` : `token:${request.principal.name}`;
}

/** Registers the limiter; routes registered after it are limited. */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  void app.register(rateLimit, {
    global: true,
    max: options.perMinute,
    timeWindow: WINDOW_MS,
    // Runs after authentication has identified the caller (an instance-level onRequest hook).
    hook: 'onRequest',
    keyGenerator: rateLimitKey,
    allowList: (request) => !isApiRequest(request),
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'rate_limited', `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`, undefined, Math.ceil(context.ttl / 1000)),
  });
}
