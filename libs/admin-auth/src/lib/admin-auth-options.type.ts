import type { ChangeChannel, LgspDatabase } from '@lgsp/data';

/** What admin authentication needs from the module that mounts admin routes (the registry, the ledger). */
export interface AdminAuthOptions {
  /** Admin clients, revoked tokens and the IAM's published keys. Used, not owned. */
  readonly database: LgspDatabase;
  /** LGSP_PUBLIC_URL: the issuer and audience of admin access tokens. */
  readonly publicUrl: string;
  /** Announces new IAM signing keys; without it an unknown kid still reloads the keys (at most once a second). */
  readonly changes?: ChangeChannel;
}

export const ADMIN_AUTH_OPTIONS = Symbol('ADMIN_AUTH_OPTIONS');
