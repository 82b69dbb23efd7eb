/**
 * Structured logs (pino): a short sentence plus fields, a `component` on every line.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { component: 'edgewatch' },
    // Tokens and credentials never reach the log, whatever a caller passes.
    redact: { paths: ['*.authorization', '*.password', '*.token', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
