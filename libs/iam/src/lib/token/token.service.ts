import { randomUUID } from 'node:crypto';

import type { LgspConfig } from '@lgsp/config';
import type { AccessTokenClaims } from '@lgsp/contracts';
import { ADMIN_SCOPE, OAuthErrorCode, scopeOf } from '@lgsp/contracts';
import type { LgspDb } from '@lgsp/data';
import { listSubscribedApiVersions } from '@lgsp/data';

import type { AuthenticatedClient } from '../authentication/authenticated-client.type';
import type { ClientAuthenticator } from '../authentication/client-authenticator.service';
import { MAX_TOKEN_TTL_SECONDS } from '../iam.constant';
import type { SigningKeyService } from '../keys/signing-key.service';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import { OAuthError } from '../oauth/oauth.error';
import { signAccessToken } from './access-token.util';
import { grantScope } from './scope.util';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

export interface TokenServiceOptions {
  readonly db: LgspDb;
  readonly config: LgspConfig;
  readonly authenticator: ClientAuthenticator;
  readonly keys: SigningKeyService;
  readonly clock: () => Date;
}

/**
 * The token endpoint: client_credentials only. Cheap checks first (the request's form, the grant
 * type), then client authentication, then the scope, which for a consumer is what its system is
 * subscribed to in the credential's environment and for an admin client `admin`.
 */
export class TokenService {
  constructor(private readonly options: TokenServiceOptions) {}

  async issue(call: OAuthRequest): Promise<TokenResponse> {
    const grantType = call.params.get('grant_type');
    if (grantType === undefined) throw OAuthError.invalidRequest('grant_type is required');
    if (grantType !== 'client_credentials') {
      throw new OAuthError(OAuthErrorCode.UnsupportedGrantType, 'Only the client_credentials grant is supported', 400, {}, 'grant-type');
    }
    const client = await this.options.authenticator.authenticate(call);
    const scope = grantScope(await this.allowedScope(client), call.params.get('scope'));

    const key = this.options.keys.currentSigningKey() ?? (await this.ensureKey());
    const now = this.options.clock();
    const iat = Math.floor(now.getTime() / 1000);
    const ttl = Math.min(client.kind === 'consumer' ? (client.tokenTtlSeconds ?? this.options.config.tokens.ttlSeconds) : this.options.config.tokens.ttlSeconds, MAX_TOKEN_TTL_SECONDS);
    const issuer = this.options.config.publicUrl;
    const claims: AccessTokenClaims = {
      iss: issuer,
      sub: client.kind === 'consumer' ? client.consumerId : client.clientId,
      aud: issuer,
      client_id: client.clientId,
      scope: scope.join(' '),
      ...(client.kind === 'consumer' ? { env: client.environment } : { roles: client.roles }),
      iat,
      exp: iat + ttl,
      jti: randomUUID(),
    };
    return { access_token: signAccessToken(claims, key), token_type: 'Bearer', expires_in: ttl, scope: claims.scope };
  }

  private async allowedScope(client: AuthenticatedClient): Promise<string[]> {
    if (client.kind === 'admin') return [ADMIN_SCOPE];
    const versions = await listSubscribedApiVersions(this.options.db, client.consumerId, client.environment);
    return [...new Set(versions.map((v) => scopeOf(v.domain, v.version)))];
  }

  /** No key signs now (maintenance has not run since the last one retired): run it now. */
  private async ensureKey() {
    await this.options.keys.ensureSigningKeys();
    const key = this.options.keys.currentSigningKey();
    if (key === undefined) throw new Error('No signing key is active after key maintenance');
    return key;
  }
}
