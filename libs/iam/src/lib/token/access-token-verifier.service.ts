import type { AccessTokenClaims } from '@lgsp/contracts';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from '@lgsp/contracts';
import type { JWTHeaderParameters } from 'jose';
import { jwtVerify } from 'jose';

import type { SigningKeyService } from '../keys/signing-key.service';

/**
 * Verifies a token as one of ours: our published keys, ES256, typ at+jwt, our issuer and audience,
 * not expired. Undefined for anything else (a forged, foreign, expired or garbled token alike).
 */
export class AccessTokenVerifier {
  constructor(
    private readonly keys: SigningKeyService,
    private readonly issuer: string,
    private readonly clock: () => Date,
  ) {}

  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    if (token.length > 8192) return undefined;
    try {
      const { payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          const key = header.kid === undefined ? undefined : await this.keys.verificationKey(header.kid);
          if (key === undefined) throw new Error('unknown kid');
          return key.publicKey;
        },
        {
          algorithms: [ACCESS_TOKEN_ALG],
          typ: ACCESS_TOKEN_TYP,
          issuer: this.issuer,
          audience: this.issuer,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
          currentDate: this.clock(),
        },
      );
      if (typeof payload.jti !== 'string' || typeof payload['client_id'] !== 'string') return undefined;
      return payload as unknown as AccessTokenClaims;
    } catch {
      return undefined;
    }
  }
}
