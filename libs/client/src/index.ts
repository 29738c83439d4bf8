// The consumer adapter (docs/consumers.md, "Using the SDK")
export * from './lib/lgsp-client.error';
export * from './lib/lgsp-client.type';
export * from './lib/lgsp-client.util';
export * from './lib/retry-after.util';
// The provider side (docs/providers.md)
export * from './lib/provider/backend-assertion.util';
