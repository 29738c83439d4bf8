export * from './lib/http-app.factory';
export * from './lib/problem.filter';
export * from './lib/validation.pipe';
export * from './lib/process.util';
export * from './lib/public-listener.util';
