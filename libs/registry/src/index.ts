export * from './lib/registry-options.type';
export * from './lib/registry.app';
export * from './lib/registry.module';
export * from './lib/registrations/registration.rules';
export * from './lib/rules/certificate-chain.util';
export * from './lib/rules/lifecycle.rules';
export * from './lib/rules/working-days.util';
export * from './lib/trust-anchors.util';
