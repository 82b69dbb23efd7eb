/**
 * Structured logs (pino): a short sentence plus fields, a `component` on every line.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Each component adds its own `component` binding (pid and hostname are left out).
    base: undefined,
    // Tokens and credentials never reach the log, whatever a caller passes.
    redact: { paths: ['*.authorization', '*.password', '*.token', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
