import { SIGNING_KEYS_PATH } from '@lgsp/signature';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';

import { ResponseSigner } from './response-signer';

/** The key the platform signs responses with (keyid = kid; x5c when LGSP_SIGNING_CERT is set), on the public listener. */
@Controller()
export class SigningKeysController {
  constructor(@Inject(ResponseSigner) private readonly signer: ResponseSigner) {}

  @Get(SIGNING_KEYS_PATH)
  @Header('Cache-Control', 'public, max-age=300')
  keys(): JSONWebKeySet {
    return this.signer.key.jwks;
  }
}
