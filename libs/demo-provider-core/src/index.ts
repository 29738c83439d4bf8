export * from './lib/demo-provider.constant';
export * from './lib/demo-provider.module';
export * from './lib/demo-provider-server.util';
export { SEED_DOCUMENTS } from './lib/documents/document-seed.constant';
export type { Document, DocumentInput } from './lib/documents/document.type';
export { SEED_ORGANISATIONS } from './lib/organisations/organisations.constant';
export type { Organisation } from './lib/organisations/organisation.type';
