/**
 * Keeps a long-running command alive until SIGINT or SIGTERM, then stops it cleanly; a second signal
 * exits at once. Resolves with the command's exit code.
 */
import type { Logger } from './logger.js';

const EXIT_GRACE_MS = 3_000;

export interface StoppableRole {
  stop(): Promise<void>;
  /** Resolves when the role fails for good; the command then stops and exits with 1. */
  readonly failed?: Promise<Error>;
}

export function runUntilSignal(role: StoppableRole, logger: Logger, what: string): Promise<number> {
  return new Promise<number>((resolve) => {
    let signals = 0;
    let stopping = false;
    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      role.stop().then(
        () => {
          logger.info(`${what} stopped cleanly`);
          resolve(code);
          // Everything is committed and closed; a client library's leftover timer or socket must not keep
          // the process from exiting (seen with kafkajs when a rebalance races the shutdown).
          setTimeout(() => {
            logger.warn({ resources: process.getActiveResourcesInfo() }, `${what}: still running ${EXIT_GRACE_MS} ms after a clean stop; exiting`);
            process.exit(code);
          }, EXIT_GRACE_MS).unref();
        },
        (err: unknown) => {
          logger.error({ err }, `${what}: stop failed`);
          resolve(1);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        logger.error({ signal }, 'second signal: exiting without draining; work not yet committed is replayed');
        process.exit(130);
      }
      logger.info({ signal }, `stopping ${what}: finishing and committing the work under way`);
      stop(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void role.failed?.then((err) => {
      logger.error({ err }, `${what} failed; stopping`);
      stop(1);
    });
  });
}
