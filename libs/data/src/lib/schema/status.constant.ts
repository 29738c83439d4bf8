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

/**
 * A connection registration (form 01) through its workflow: the DGO approves or rejects it, sandbox
 * credentials follow approval, production needs its own request and approval.
 */
export const REGISTRATION_STATUSES = ['submitted', 'approved', 'rejected', 'sandbox', 'production-requested', 'production'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** REST APIs are described by OpenAPI 3.0; SOAP services by a WSDL reference and their read actions. */
export const API_KINDS = ['rest', 'soap'] as const;
export type ApiKind = (typeof API_KINDS)[number];

/** What a kill switch stops: a whole provider, an API version, or one operation of a version. */
export const BLOCK_SCOPES = ['provider', 'api-version', 'operation'] as const;
export type BlockScope = (typeof BLOCK_SCOPES)[number];
