import type { AdminRole } from '@lgsp/contracts';
import type { LgspDb } from '@lgsp/data';
import { createFirstAdminClient, hashSecret } from '@lgsp/data';

import { generateClientSecret } from '@lgsp/data';

export interface BootstrapAdminOptions {
  readonly clientId: string;
  readonly name?: string;
  readonly pepper: string;
}

export type BootstrapAdminResult =
  | { readonly created: true; readonly clientId: string; readonly clientSecret: string; readonly roles: readonly AdminRole[] }
  | { readonly created: false; readonly reason: 'admin-exists'; readonly existing: readonly string[] }
  | { readonly created: false; readonly reason: 'client-id-taken' };

export const BOOTSTRAP_ADMIN_ROLES: readonly AdminRole[] = ['dgo-admin'];

/** The first DGO admin client, only when there is no admin client at all; its secret is returned once. */
export async function bootstrapAdminClient(db: LgspDb, options: BootstrapAdminOptions): Promise<BootstrapAdminResult> {
  const clientSecret = generateClientSecret();
  const result = await createFirstAdminClient(db, {
    clientId: options.clientId,
    name: options.name,
    roles: BOOTSTRAP_ADMIN_ROLES,
    secretHash: hashSecret(clientSecret, options.pepper),
  });
  return result.created ? { created: true, clientId: options.clientId, clientSecret, roles: BOOTSTRAP_ADMIN_ROLES } : result;
}
