import { OAuthPath } from '@lgsp/contracts';
import { Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';

import { OAuthErrorFilter } from '../oauth/oauth-error.filter';
import { OAuthCall } from '../oauth/oauth-request.decorator';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import type { TokenResponse } from './token.service';
import { TokenService } from './token.service';

/** RFC 6749 §4.4 token endpoint; authenticated by the client's credentials (in the form or Basic). */
@Controller()
@UseFilters(OAuthErrorFilter)
export class TokenController {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  @Post(OAuthPath.token)
  @HttpCode(200)
  token(@OAuthCall('token') call: OAuthRequest): Promise<TokenResponse> {
    return this.tokens.issue(call);
  }
}
