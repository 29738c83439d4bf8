import { OAuthPath } from '@lgsp/contracts';
import { Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';

import { OAuthErrorFilter } from '../oauth/oauth-error.filter';
import { OAuthCall } from '../oauth/oauth-request.decorator';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import { RevocationService } from './revocation.service';

/** RFC 7009 token revocation; authenticated by the client's credentials. */
@Controller()
@UseFilters(OAuthErrorFilter)
export class RevocationController {
  constructor(@Inject(RevocationService) private readonly revocations: RevocationService) {}

  @Post(OAuthPath.revoke)
  @HttpCode(200)
  revoke(@OAuthCall('revoke') call: OAuthRequest): Promise<void> {
    return this.revocations.revoke(call);
  }
}
