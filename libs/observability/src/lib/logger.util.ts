import { ecsFormat } from '@elastic/ecs-pino-format';
import type { DestinationStream, Logger } from 'pino';
import pino from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** ECS service.name */
  service: string;
  level: string;
  /** Defaults to stdout; tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

/**
 * Redaction is a second line of defence: no code path logs a header map or a body, but should one
 * ever be passed, these never leave the process.
 */
const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'http.request.headers.authorization',
  'password',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'body',
];

/** A pino logger writing ECS JSON lines (Elastic Common Schema field names). */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      ...ecsFormat({ convertReqRes: false, convertErr: true }),
      level: options.level,
      base: { service: { name: options.service } },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
