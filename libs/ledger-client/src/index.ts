export * from './lib/segment-file.sink';
export * from './lib/segment-reader.util';
export * from './lib/transaction-sink.type';
export * from './lib/postgres-outbox.sink';
