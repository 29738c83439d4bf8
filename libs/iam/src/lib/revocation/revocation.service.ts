import type { ChangeChannel, LgspDb } from '@lgsp/data';
import { insertRevokedToken } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

import type { ClientAuthenticator } from '../authentication/client-authenticator.service';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import { OAuthError } from '../oauth/oauth.error';
import type { AccessTokenVerifier } from '../token/access-token-verifier.service';

export interface RevocationServiceOptions {
  readonly db: LgspDb;
  readonly changes: ChangeChannel;
  readonly authenticator: ClientAuthenticator;
  readonly verifier: AccessTokenVerifier;
  readonly logger: Logger;
}

/**
 * RFC 7009 revocation. The client authenticates; the token must verify as one of ours (anything
 * else, as an expired token, is simply ignored) and be the caller's own, or the caller a DGO admin.
 * The revocation is stored (idempotently) and announced on the change channel, through which every
 * gateway refuses the token within 2 s. The answer is 200 whatever happened to the token.
 */
export class RevocationService {
  constructor(private readonly options: RevocationServiceOptions) {}

  async revoke(call: OAuthRequest): Promise<void> {
    const client = await this.options.authenticator.authenticate(call);
    const token = call.params.get('token');
    if (token === undefined) throw OAuthError.invalidRequest('token is required');
    // token_type_hint is optional and only a hint (RFC 7009 §2.1): access tokens are all there is.
    const claims = await this.options.verifier.verify(token);
    if (claims === undefined) {
      call.exchange.reason = 'token-unverified';
      return;
    }
    const mayRevoke = claims.client_id === client.clientId || (client.kind === 'admin' && client.roles.includes('dgo-admin'));
    if (!mayRevoke) {
      call.exchange.reason = 'not-owner';
      return;
    }
    await insertRevokedToken(this.options.db, { jti: claims.jti, clientId: claims.client_id, expiresAt: new Date(claims.exp * 1000) });
    // Announced again on a repeated revocation: harmless, and it heals an announcement that was lost.
    await this.options.changes.publish({ kind: 'token-revoked', jti: claims.jti, exp: claims.exp });
    this.options.logger.info({ event: { action: 'token-revoked' }, lgsp: { jti: claims.jti, clientId: claims.client_id, revokedBy: client.clientId } }, 'access token revoked');
  }
}
