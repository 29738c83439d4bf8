import type { AccessTokenClaims, AdminRole, Environment } from '@lgsp/contracts';
import type { LgspDb } from '@lgsp/data';
import { findAdminClient, findConsumerClient, isTokenRevoked } from '@lgsp/data';

import type { AuthenticatedClient } from '../authentication/authenticated-client.type';
import type { ClientAuthenticator } from '../authentication/client-authenticator.service';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import { OAuthError } from '../oauth/oauth.error';
import type { AccessTokenVerifier } from '../token/access-token-verifier.service';

/** RFC 7662 §2.2. */
export type IntrospectionResponse =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly scope: string;
      readonly client_id: string;
      readonly token_type: 'Bearer';
      readonly exp: number;
      readonly iat: number;
      readonly sub: string;
      readonly aud: string;
      readonly iss: string;
      readonly jti: string;
      readonly env?: Environment;
      readonly roles?: readonly AdminRole[];
    };

/** Admin roles that may introspect any token. */
const INTROSPECTING_ROLES: readonly AdminRole[] = ['dgo-admin', 'soc-analyst'];
const INACTIVE = { active: false } as const;

export interface IntrospectionServiceOptions {
  readonly db: LgspDb;
  readonly authenticator: ClientAuthenticator;
  readonly verifier: AccessTokenVerifier;
  readonly clock: () => Date;
}

/**
 * RFC 7662 introspection for authenticated callers only: a client learns about its own tokens, a
 * DGO admin or SOC analyst about any. Everything else is `active: false`, as is a token that is
 * forged, expired, revoked, or whose client has since been revoked or its system suspended.
 */
export class IntrospectionService {
  constructor(private readonly options: IntrospectionServiceOptions) {}

  async introspect(call: OAuthRequest): Promise<IntrospectionResponse> {
    const caller = await this.options.authenticator.authenticate(call);
    const token = call.params.get('token');
    if (token === undefined) throw OAuthError.invalidRequest('token is required');
    const claims = await this.options.verifier.verify(token);
    if (claims === undefined) {
      call.exchange.reason = 'token-unverified';
      return INACTIVE;
    }
    if (!this.mayIntrospect(caller, claims)) {
      call.exchange.reason = 'not-owner';
      return INACTIVE;
    }
    if (await isTokenRevoked(this.options.db, claims.jti, this.options.clock())) return INACTIVE;
    if (!(await this.clientStillActive(claims))) return INACTIVE;
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      jti: claims.jti,
      ...(claims.env === undefined ? {} : { env: claims.env }),
      ...(claims.roles === undefined ? {} : { roles: claims.roles }),
    };
  }

  private mayIntrospect(caller: AuthenticatedClient, claims: AccessTokenClaims): boolean {
    if (claims.client_id === caller.clientId) return true;
    return caller.kind === 'admin' && caller.roles.some((role) => INTROSPECTING_ROLES.includes(role));
  }

  private async clientStillActive(claims: AccessTokenClaims): Promise<boolean> {
    if (claims.roles !== undefined) return (await findAdminClient(this.options.db, claims.client_id))?.status === 'active';
    const consumer = await findConsumerClient(this.options.db, claims.client_id);
    return consumer !== undefined && consumer.status === 'active' && consumer.consumerStatus === 'active';
  }
}
