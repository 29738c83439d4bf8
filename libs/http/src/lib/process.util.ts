import type { Logger } from '@lgsp/observability';

/** Errors whose message is the whole story for an operator (a bad variable, a bad declarative file). */
const OPERATOR_ERRORS = new Set(['ConfigError', 'DeclarativeConfigError']);

/**
 * Runs a process's main: an operator error prints its message alone and exits 1 (no stack trace to
 * wade through); anything else is logged as fatal and exits 1 too.
 */
export function runMain(main: () => Promise<void>, logger?: Logger): void {
  main().catch((error: unknown) => {
    if (error instanceof Error && OPERATOR_ERRORS.has(error.name)) {
      process.stderr.write(`${error.message}\n`);
    } else if (logger) {
      logger.fatal({ err: error }, 'start-up failed');
      logger.flush?.();
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}

/**
 * SIGTERM or SIGINT: stop accepting, finish in flight, flush, exit 0 — or exit 1 when that takes
 * longer than the grace period. A second signal exits at once.
 */
export function onShutdownSignal(close: () => Promise<void>, logger: Logger, graceMs = 10_000): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ event: { action: 'shutdown' }, process: { signal } }, `${signal}: shutting down`);
    const timer = setTimeout(() => {
      logger.error({ event: { action: 'shutdown-timeout' } }, `shutdown took longer than ${graceMs} ms`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    close().then(
      () => {
        logger.flush?.();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
