export * from './lib/domain.constant';
export * from './lib/error-code.constant';
export * from './lib/headers.constant';
export * from './lib/lgsp.error';
export * from './lib/problem.type';
export * from './lib/transaction-record.type';
export * from './lib/uuid.util';
