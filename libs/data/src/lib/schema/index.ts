export * from './admin-clients.table';
export * from './api-versions.table';
export * from './apis.table';
export * from './audit-log.table';
export * from './blocks.table';
export * from './certificates.table';
export * from './consumer-systems.table';
export * from './credentials.table';
export * from './notifications.table';
export * from './rate-limits.table';
export * from './registrations.table';
export * from './registry.relations';
export * from './subscriptions.table';

export * from './iam-revoked-tokens.table';
export * from './iam-signing-keys.table';
export * from './ledger.table';
