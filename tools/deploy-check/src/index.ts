export * from './lib/deploy-files.util';
