import type { AdminRole, Environment } from '@lgsp/contracts';

import type { ClientAuthMethod } from '../oauth/oauth.error';

/** A client whose credentials the request proved. */
export type AuthenticatedClient =
  | {
      readonly kind: 'consumer';
      readonly clientId: string;
      readonly consumerId: string;
      readonly environment: Environment;
      readonly tokenTtlSeconds: number | null;
      readonly method: ClientAuthMethod;
    }
  | { readonly kind: 'admin'; readonly clientId: string; readonly roles: readonly AdminRole[]; readonly method: ClientAuthMethod };
