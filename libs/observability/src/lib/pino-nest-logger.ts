import type { LoggerService } from '@nestjs/common';

import type { Logger } from './logger.util';

/** Nest's own messages (bootstrap, route mapping, errors) through the same ECS logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ log: { logger: context } }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    if (message instanceof Error) this.logger.error({ err: message, log: { logger: context } }, message.message);
    else this.logger.error({ log: { logger: context }, error: trace ? { stack_trace: trace } : undefined }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ log: { logger: context } }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ log: { logger: context } }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ log: { logger: context } }, String(message));
  }

  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ log: { logger: context } }, String(message));
  }
}
