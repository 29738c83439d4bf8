export * from './lib/postgres.util';
export * from './lib/spy-upstream.util';
export * from './lib/port.util';
export * from './lib/ts-process.util';
export * from './lib/tcp-relay.util';
