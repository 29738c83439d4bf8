import type { LgspConfig } from '@lgsp/config';
import { OAuthPath } from '@lgsp/contracts';
import { Controller, Get, Header, Inject, UseFilters } from '@nestjs/common';

import { IAM_OPTIONS } from '../iam.constant';
import type { IamModuleOptions } from '../iam-options.type';
import { OAuthErrorFilter } from '../oauth/oauth-error.filter';
import type { AuthorizationServerMetadata } from './metadata.util';
import { authorizationServerMetadata } from './metadata.util';

/** RFC 8414 metadata, also at the OpenID discovery path for clients that only look there. Public. */
@Controller()
@UseFilters(OAuthErrorFilter)
export class MetadataController {
  private readonly metadata: AuthorizationServerMetadata;

  constructor(@Inject(IAM_OPTIONS) options: IamModuleOptions) {
    const config: LgspConfig = options.config;
    this.metadata = authorizationServerMetadata(config.publicUrl);
  }

  @Get(OAuthPath.metadata)
  @Header('cache-control', 'public, max-age=300')
  oauth(): AuthorizationServerMetadata {
    return this.metadata;
  }

  @Get(OAuthPath.openidConfiguration)
  @Header('cache-control', 'public, max-age=300')
  openid(): AuthorizationServerMetadata {
    return this.metadata;
  }
}
