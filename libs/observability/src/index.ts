export * from './lib/logger.util';
export * from './lib/metrics.util';
export * from './lib/pino-nest-logger';
export * from './lib/telemetry.util';
