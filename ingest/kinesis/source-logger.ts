/**
 * The logger a source needs: pino's call shape (fields first, then a short sentence), so a pino logger fits.
 */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface SourceLogger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}
