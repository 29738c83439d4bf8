import { OAuthPath } from '@lgsp/contracts';
import { Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';

import { OAuthErrorFilter } from '../oauth/oauth-error.filter';
import { OAuthCall } from '../oauth/oauth-request.decorator';
import type { OAuthRequest } from '../oauth/oauth-request.util';
import type { IntrospectionResponse } from './introspection.service';
import { IntrospectionService } from './introspection.service';

/** RFC 7662 token introspection; authenticated callers only. */
@Controller()
@UseFilters(OAuthErrorFilter)
export class IntrospectionController {
  constructor(@Inject(IntrospectionService) private readonly introspection: IntrospectionService) {}

  @Post(OAuthPath.introspect)
  @HttpCode(200)
  introspect(@OAuthCall('introspect') call: OAuthRequest): Promise<IntrospectionResponse> {
    return this.introspection.introspect(call);
  }
}
