export * from './lib/openapi.constant';
export * from './lib/openapi.type';
export * from './lib/openapi-validation.util';
export * from './lib/openapi-operations.util';
export * from './lib/operation-matcher.util';
export * from './lib/openapi-diff.util';
