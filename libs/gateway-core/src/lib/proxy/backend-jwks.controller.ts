import { BACKEND_JWKS_PATH } from '@lgsp/contracts';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';

import { BackendJwtSigner } from './backend-jwt-signer.service';

/**
 * The public key providers verify X-LGSP-Assertion with (jose's createRemoteJWKSet, or any JWKS
 * client), on the public listener beside the OAuth server's own JWKS.
 */
@Controller()
export class BackendJwksController {
  constructor(@Inject(BackendJwtSigner) private readonly signer: BackendJwtSigner) {}

  @Get(BACKEND_JWKS_PATH)
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): JSONWebKeySet {
    return this.signer.jwks;
  }
}
