/** Credentials, certificates and admin clients are either usable or revoked for good. */
export const CREDENTIAL_STATUSES = ['active', 'revoked'] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];

export const CERTIFICATE_STATUSES = ['active', 'revoked'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const ADMIN_CLIENT_STATUSES = ['active', 'revoked'] as const;
export type AdminClientStatus = (typeof ADMIN_CLIENT_STATUSES)[number];

/** The connection option (phương án kết nối) the governing guidance assigns a consumer system. */
export const CONNECTION_OPTIONS = [1, 2] as const;
export type ConnectionOption = (typeof CONNECTION_OPTIONS)[number];
