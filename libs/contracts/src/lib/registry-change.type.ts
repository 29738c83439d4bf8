/**
 * What changes in the registry and IAM that every gateway must learn within 2 s. Published on the
 * change channel (in-process on the embedded default, PostgreSQL LISTEN/NOTIFY in a cluster).
 * `resync` is never published: a channel delivers it after it lost its connection, since events may
 * have been missed, and listeners reload everything.
 */
export type RegistryChange =
  | { readonly kind: 'registry' }
  | { readonly kind: 'token-revoked'; readonly jti: string; readonly exp: number }
  | { readonly kind: 'signing-keys' }
  | { readonly kind: 'resync' };
