export * from './lib/admin-auth-options.type';
export * from './lib/admin-auth.guard';
export * from './lib/admin-auth.util';
export * from './lib/admin-principal.type';
export * from './lib/admin-token.verifier';
export * from './lib/admin.decorator';
export * from './lib/request-actor.decorator';
